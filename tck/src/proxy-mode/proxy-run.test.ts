import { describe, expect, it } from "@jest/globals";
import { PROXY_FIXTURE_CASES, recordingLogger, REFERENCE_PROXY_CLI, TCK_MODEL_DIR } from "../../test/fixture-paths.js";
import { loadCases } from "../cases/case-loader.js";
import { findFreePort } from "../user-function/command-user-function.js";
import { startAndDiscover, startUserFunction } from "../user-function/user-function.js";
import { runProxyCases } from "./proxy-run.js";

// Starts the reference user function and proxy: `npx tsc --build` first.
const SLOW = 60_000;

describe("runProxyCases against processes it did not start", () => {
  it(
    "tests an already-running proxy through the interceptor address it was configured with, and says why a kill needs a started user function",
    async () => {
      const logger = recordingLogger();
      const { userFunction } = await startAndDiscover(
        { kind: "command", command: [process.execPath, "dist/main.js"], cwd: TCK_MODEL_DIR, env: { LOG_LEVEL: "warn" }, host: "127.0.0.1", startupTimeoutMs: 30_000 },
        logger,
      );
      const interceptorPort = await findFreePort("127.0.0.1");
      const proxyPort = await findFreePort("127.0.0.1");
      // Configured before the interceptor listens: it retries discovery until it does.
      const proxy = await startUserFunction(
        {
          kind: "command",
          command: [process.execPath, REFERENCE_PROXY_CLI, "--metrics-port", "0", "--log-level", "warn", "--discovery-retry-max-ms", "200"],
          cwd: TCK_MODEL_DIR,
          env: { USER_FUNCTION_PORT: String(interceptorPort), HTTP_PORT: String(proxyPort) },
          host: "127.0.0.1",
          port: proxyPort,
          startupTimeoutMs: 30_000,
        },
        logger,
      );
      try {
        const run = await runProxyCases({
          userFunction: { kind: "address", address: userFunction.address, startupTimeoutMs: 10_000 },
          proxy: { kind: "address", address: `127.0.0.1:${proxyPort}`, startupTimeoutMs: 30_000 },
          interceptorPort,
          cases: loadCases(PROXY_FIXTURE_CASES),
          logger,
        });
        expect(run.target).toMatch(/^cloudstate-proxy-ts /);
        expect(run.results.map((r) => [r.name, r.status])).toEqual([
          ["Fixture/emit-and-read", "passed"],
          ["Fixture/value-entity", "passed"],
          ["Fixture/kill-the-user-function", "failed"],
        ]);
        expect(run.results[2]?.failure).toEqual({
          step: 1,
          message:
            "FAULT_KILL_USER_FUNCTION needs the reference user function started by command (userFunction.command): the TCK kills and restarts it only as its own child process; this config gives userFunction.address",
        });
        expect(logger.lines).toContainEqual(`info: testing the proxy at 127.0.0.1:${proxyPort} (not started by the TCK); it must find its user function at the interceptor, port ${interceptorPort}`);
        // Neither was stopped by the TCK.
        expect(proxy.exited.aborted).toBe(false);
        expect(userFunction.exited.aborted).toBe(false);
      } finally {
        await proxy.stop();
        await userFunction.stop();
      }
    },
    SLOW,
  );
});
