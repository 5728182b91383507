import { describe, expect, it, beforeAll } from "@jest/globals";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { FAKE_DOCKER, recordingLogger } from "../../test/fixture-paths.js";
import type { ImageUserFunction } from "../config/tck-config.js";
import { findFreePort } from "./command-user-function.js";
import { DiscoveryTimeoutError, waitForDiscovery } from "./discovery.js";
import { composeFile } from "./image-user-function.js";
import { UserFunctionStartError } from "./running-user-function.js";
import { startAndDiscover } from "./user-function.js";

// No Docker engine here: a fake `docker` on PATH records its arguments and,
// for `up`, starts the fixture user function from the compose file's settings.
const SLOW = 20_000;

interface Call {
  readonly args: string[];
  readonly compose?: string;
}

let bin: string;
let state: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "tck-fake-docker-"));
  bin = join(dir, "bin");
  state = join(dir, "state");
  mkdirSync(bin);
  mkdirSync(state);
  writeFileSync(join(bin, "docker"), `#!/bin/sh\nexec "${process.execPath}" "${FAKE_DOCKER}" "$@"\n`);
  chmodSync(join(bin, "docker"), 0o755);
});

function calls(): Call[] {
  const file = join(state, "calls.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Call);
}

function callsFor(project: string): Call[] {
  return calls().filter((c) => c.args[4] === project);
}

function image(name: string, port: number, env: Record<string, string> = {}): ImageUserFunction {
  return { kind: "image", image: name, env, host: "127.0.0.1", port, startupTimeoutMs: 10_000 };
}

describe("composeFile", () => {
  it("runs the image as one service listening on 0.0.0.0, published on the configured host and port", () => {
    expect(composeFile(image("example/uf:1.0", 9000, { LOG_LEVEL: "warn", HOST: "ignored" }))).toBe(
      [
        "services:",
        "  user-function:",
        "    image: example/uf:1.0",
        "    environment:",
        "      LOG_LEVEL: warn",
        '      HOST: 0.0.0.0',
        '      PORT: "9000"',
        "    ports:",
        "      - 127.0.0.1:9000:9000",
        "",
      ].join("\n"),
    );
  });
});

describe("image mode", () => {
  it(
    "brings the container up with docker compose from PATH, reads its logs, and takes it down",
    async () => {
      const port = await findFreePort("127.0.0.1");
      const env = { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}`, FAKE_DOCKER_STATE: state };
      const config = image("fixture/serve", port, { LOG_LEVEL: "warn", FIXTURE_SERVICES: "x.Y" });
      const { userFunction, spec } = await startAndDiscover(config, recordingLogger(), { env });
      expect(userFunction.address).toBe(`127.0.0.1:${port}`);
      expect(spec.entities.map((e) => e.serviceName)).toEqual(["x.Y"]);
      const output = userFunction.output();
      expect(output).toContain("Container cloudstate-tck-");
      expect(output).toContain(`fixture: mode serve, HOST=0.0.0.0 PORT=${port} LOG_LEVEL=warn`);
      await userFunction.stop();
      expect(userFunction.output()).toContain("fixture: discover from cloudstate-tck");
      await expect(waitForDiscovery(userFunction.address, 200)).rejects.toThrow(DiscoveryTimeoutError);

      const up = calls().find((c) => c.args.includes("up") && c.compose?.includes(`PORT: "${port}"`));
      expect(up).toBeDefined();
      const [, , file, , project] = up?.args ?? [];
      expect(up?.args).toEqual(["compose", "-f", file, "-p", project, "up", "-d"]);
      expect(project).toMatch(/^cloudstate-tck-\d+-[0-9a-f]{8}$/);
      expect(parse(up?.compose ?? "")).toEqual({
        services: {
          "user-function": {
            image: "fixture/serve",
            environment: { LOG_LEVEL: "warn", FIXTURE_SERVICES: "x.Y", HOST: "0.0.0.0", PORT: String(port) },
            ports: [`127.0.0.1:${port}:${port}`],
          },
        },
      });
      const commands = callsFor(project ?? "").map((c) => c.args.slice(5).join(" "));
      // output() read the logs once; stop read them once more (later output() calls use that), then took the project down.
      expect(commands).toEqual(["up -d", "logs --no-color --no-log-prefix", "logs --no-color --no-log-prefix", "down"]);
      expect(existsSync(file ?? "")).toBe(false);
      // `down` stopped the "container" gracefully (its logs are read before, as real compose loses them).
      expect(readFileSync(join(state, `${project ?? ""}.log`), "utf8")).toContain("fixture: SIGTERM, shutting down");
    },
    SLOW,
  );

  it(
    "uses the DOCKER variable, and reports a failed `up` with docker's output after cleaning up",
    async () => {
      const env = { ...process.env, DOCKER: join(bin, "docker"), FAKE_DOCKER_STATE: state };
      const error = await startAndDiscover(image("example/missing:1.0", 8080), recordingLogger(), { env }).then(
        () => new Error("expected a rejection"),
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(UserFunctionStartError);
      expect(error.message).toMatch(/^\S+docker compose up failed \(exit code 1\):\nError response from daemon: pull access denied for example\/missing:1\.0/);
      const up = calls().find((c) => c.compose?.includes("example/missing:1.0"));
      expect(callsFor(up?.args[4] ?? "").map((c) => c.args[5])).toEqual(["up", "down"]);
    },
    SLOW,
  );

  it("says when docker cannot be run", async () => {
    const env = { ...process.env, DOCKER: "/nonexistent/docker" };
    await expect(startAndDiscover(image("fixture/serve", 8080), recordingLogger(), { env })).rejects.toThrow(
      /^\/nonexistent\/docker compose up failed \(could not run it\):\n\/nonexistent\/docker: spawn \/nonexistent\/docker ENOENT/,
    );
  });
});
