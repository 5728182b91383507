import { describe, expect, it } from "@jest/globals";
import { ALL_ENTITY_TYPES } from "@cloudstate/protocol";
import { DISCOVERY_SERVER, recordingLogger } from "../../test/fixture-paths.js";
import type { CommandUserFunction } from "../config/tck-config.js";
import { findFreePort } from "./command-user-function.js";
import { DiscoveryFailedError, DiscoveryTimeoutError, tckVersion, waitForDiscovery } from "./discovery.js";
import { UserFunctionStartError } from "./running-user-function.js";
import { startAndDiscover, startUserFunction } from "./user-function.js";

// These tests start real processes; node with grpc-js takes a few hundred ms to come up.
const SLOW = 20_000;

function fixture(mode: string, extra: Partial<CommandUserFunction> = {}, env: Record<string, string> = {}): CommandUserFunction {
  return {
    kind: "command",
    command: [process.execPath, DISCOVERY_SERVER],
    cwd: process.cwd(),
    env: { FIXTURE_MODE: mode, ...env },
    host: "127.0.0.1",
    startupTimeoutMs: 10_000,
    ...extra,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("command mode", () => {
  it(
    "starts the process with HOST, PORT and the config's env, discovers it as the TCK proxy, and stops it with SIGTERM",
    async () => {
      const logger = recordingLogger();
      const { userFunction, spec } = await startAndDiscover(fixture("serve", {}, { LOG_LEVEL: "warn", FIXTURE_SERVICES: "a.B,c.D" }), logger);
      try {
        const port = /^127\.0\.0\.1:(\d+)$/.exec(userFunction.address)?.[1];
        expect(port).toBeDefined();
        expect(spec.serviceInfo?.supportLibraryName).toBe("fixture-sdk");
        expect(spec.entities.map((e) => e.serviceName)).toEqual(["a.B", "c.D"]);
        expect(userFunction.output()).toContain(`fixture: mode serve, HOST=127.0.0.1 PORT=${port ?? ""} LOG_LEVEL=warn`);
        expect(userFunction.output()).toContain(`fixture: discover from cloudstate-tck ${tckVersion()} protocol 0.2 types=${ALL_ENTITY_TYPES.join(",")}`);
        expect(logger.lines[0]).toMatch(/^info: starting the user function: .*discovery-server\.js \(in .*, HOST=127\.0\.0\.1 PORT=\d+\)$/);
      } finally {
        await userFunction.stop();
      }
      expect(userFunction.output()).toContain("fixture: SIGTERM, shutting down");
      expect(userFunction.exited.aborted).toBe(false);
      await expect(waitForDiscovery(userFunction.address, 200)).rejects.toThrow(DiscoveryTimeoutError);
      await userFunction.stop(); // a second stop is harmless
    },
    SLOW,
  );

  it(
    "runs a string command through the shell, on the configured port, retrying discovery until it listens",
    async () => {
      const port = await findFreePort("127.0.0.1");
      const config = fixture("serve", { command: `"${process.execPath}" "${DISCOVERY_SERVER}"`, port }, { FIXTURE_DELAY_MS: "300" });
      const { userFunction, spec } = await startAndDiscover(config, recordingLogger());
      await userFunction.stop();
      expect(userFunction.address).toBe(`127.0.0.1:${port}`);
      expect(spec.serviceInfo?.serviceName).toBe("fixture");
      expect(userFunction.output()).toContain("fixture: SIGTERM, shutting down");
    },
    SLOW,
  );

  it(
    "fails at once, with the exit code and output, when the process exits before answering",
    async () => {
      const error = await rejection(startAndDiscover(fixture("exit-early", { startupTimeoutMs: 60_000 }), recordingLogger()));
      expect(error).toBeInstanceOf(UserFunctionStartError);
      expect(error.message).toMatch(/^the user function exited with code 3 before answering discovery at 127\.0\.0\.1:\d+\nuser function output \(last \d+ lines\):\n/);
      expect(error.message).toContain("  | fixture: failing on purpose");
    },
    SLOW,
  );

  it(
    "times out, saying so plainly with the output, when the process never serves",
    async () => {
      // A shell prints at once; node would still be loading grpc-js when a short timeout fires.
      const config = fixture("never-serve", { command: "echo 'fixture: not serving'; exec sleep 60", startupTimeoutMs: 1000 });
      const error = await rejection(startAndDiscover(config, recordingLogger()));
      expect(error).toBeInstanceOf(UserFunctionStartError);
      expect(error.message).toMatch(/^the user function never answered discovery at 127\.0\.0\.1:\d+ within 1000 ms \(last attempt: (UNAVAILABLE|DEADLINE_EXCEEDED): /);
      expect(error.message).toContain("  | fixture: not serving");
    },
    SLOW,
  );

  it(
    "stops at the user function's own discovery error instead of retrying",
    async () => {
      const error = await rejection(startAndDiscover(fixture("reject", { startupTimeoutMs: 60_000 }), recordingLogger()));
      expect(error.message).toMatch(/^the user function at 127\.0\.0\.1:\d+ answered discovery with an error: FAILED_PRECONDITION: fixture speaks protocol 9\.0\n/);
    },
    SLOW,
  );

  it(
    "kills a process that ignores SIGTERM after the grace period",
    async () => {
      const logger = recordingLogger();
      const { userFunction } = await startAndDiscover(fixture("ignore-sigterm"), logger, { stopGraceMs: 300 });
      await userFunction.stop();
      expect(userFunction.output()).toContain("fixture: ignoring SIGTERM");
      expect(logger.lines).toContain("warn: the user function did not stop within 300 ms of SIGTERM; sending SIGKILL");
      await expect(waitForDiscovery(userFunction.address, 200)).rejects.toThrow(DiscoveryTimeoutError);
    },
    SLOW,
  );

  it(
    "reports the process's exit through `exited` when it dies during the run",
    async () => {
      const { userFunction } = await startAndDiscover(fixture("serve"), recordingLogger());
      const exited = new Promise<unknown>((resolve) => userFunction.exited.addEventListener("abort", () => resolve(userFunction.exited.reason)));
      const pid = Number(/pid (\d+)/.exec(userFunction.output())?.[1] ?? "0");
      expect(pid).toBeGreaterThan(0);
      process.kill(pid, "SIGKILL");
      expect(((await exited) as Error).message).toBe("the user function was killed by SIGKILL");
      await userFunction.stop();
    },
    SLOW,
  );

  it("says when the program cannot be run", async () => {
    const error = await rejection(startAndDiscover(fixture("serve", { command: ["/nonexistent/user-function"] }), recordingLogger()));
    expect(error.message).toMatch(/^the user function could not be started: spawn \/nonexistent\/user-function ENOENT before answering discovery at /);
  });

  it("says when the working directory does not exist", async () => {
    const error = await rejection(startUserFunction(fixture("serve", { cwd: "/nonexistent/dir" }), recordingLogger()));
    expect(error).toBeInstanceOf(UserFunctionStartError);
    expect(error.message).toBe("the user function's working directory /nonexistent/dir does not exist or is not a directory");
  });
});

describe("address mode", () => {
  it(
    "neither starts nor stops the user function",
    async () => {
      const { userFunction: started } = await startAndDiscover(fixture("serve"), recordingLogger());
      try {
        const logger = recordingLogger();
        const { userFunction, spec } = await startAndDiscover({ kind: "address", address: started.address, startupTimeoutMs: 5000 }, logger);
        expect(spec.serviceInfo?.supportLibraryName).toBe("fixture-sdk");
        expect(userFunction.address).toBe(started.address);
        expect(userFunction.output()).toBe("");
        expect(logger.lines).toEqual([`info: testing the user function at ${started.address} (not started by the TCK)`]);
        await userFunction.stop();
        await expect(waitForDiscovery(started.address, 5000)).resolves.toBeDefined();
      } finally {
        await started.stop();
      }
    },
    SLOW,
  );

  it("times out without output when nothing listens", async () => {
    const port = await findFreePort("127.0.0.1");
    const error = await rejection(startAndDiscover({ kind: "address", address: `127.0.0.1:${port}`, startupTimeoutMs: 300 }, recordingLogger()));
    expect(error.message).toMatch(new RegExp(`^the user function never answered discovery at 127\\.0\\.0\\.1:${port} within 300 ms \\(last attempt: (UNAVAILABLE|DEADLINE_EXCEEDED): [^\\n]*\\)$`));
  });
});

describe("waitForDiscovery", () => {
  it("gives up with the signal's reason when aborted", async () => {
    const port = await findFreePort("127.0.0.1");
    const controller = new AbortController();
    const waiting = waitForDiscovery(`127.0.0.1:${port}`, 60_000, controller.signal);
    controller.abort(new Error("the process died"));
    await expect(waiting).rejects.toThrow("the process died");
  });

  it("throws DiscoveryFailedError for answers that are errors", () => {
    expect(new DiscoveryFailedError("h:1", 9, "nope").message).toBe("the user function at h:1 answered discovery with an error: FAILED_PRECONDITION: nope");
  });
});
