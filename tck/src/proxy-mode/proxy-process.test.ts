import { beforeAll, describe, expect, it } from "@jest/globals";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { FAKE_DOCKER, PROXY_FIXTURE_CASES, recordingLogger, TCK_MODEL_DIR } from "../../test/fixture-paths.js";
import { loadCases } from "../cases/case-loader.js";
import type { CommandUserFunction, ImageProxy } from "../config/tck-config.js";
import { proxyComposeFile, shellQuote, substituteVariables, withProxyArgs } from "./proxy-process.js";
import { runProxyCases } from "./proxy-run.js";

// Starts the reference user function and proxy: `npx tsc --build` first.
const SLOW = 60_000;

const WIRING = { interceptorHost: "host.docker.internal", interceptorPort: 7001, proxyPort: 9100, httpJsonPort: 9101 };

function imageProxy(extra: Partial<ImageProxy> = {}): ImageProxy {
  return { kind: "image", image: "example/proxy:1", env: {}, host: "127.0.0.1", startupTimeoutMs: 30_000, ...extra };
}

describe("the variables a started proxy gets", () => {
  it("replaces known ${NAME}s and leaves the rest", () => {
    const vars = { INTERCEPTOR_PORT: "7001", PROXY_PORT: "9100" };
    expect(substituteVariables("--uf-port=${INTERCEPTOR_PORT} --port ${PROXY_PORT} ${HOME} $PROXY_PORT", vars)).toBe("--uf-port=7001 --port 9100 ${HOME} $PROXY_PORT");
  });

  it("appends a runtime configuration's arguments and environment to a command, quoting for a shell string", () => {
    const argv = { kind: "command" as const, command: ["proxy", "--a"], cwd: "/", env: { A: "1" }, startupTimeoutMs: 1 };
    expect(withProxyArgs(argv, ["--b", "two words"], { B: "2" })).toEqual({ ...argv, command: ["proxy", "--a", "--b", "two words"], env: { A: "1", B: "2" } });
    expect(withProxyArgs({ ...argv, command: "proxy --a" }, ["--b", "it's"], {})).toMatchObject({ command: "proxy --a --b 'it'\\''s'" });
    expect(withProxyArgs(argv, [], {})).toBe(argv);
    expect(withProxyArgs(imageProxy(), ["--x"], {})).toMatchObject({ args: ["--x"] });
    expect(() => withProxyArgs({ kind: "address", address: "h:1", startupTimeoutMs: 1 }, ["--x"], {})).toThrow("cannot change the settings of a proxy the TCK does not start");
  });

  it.each([
    ["plain", "plain"],
    ["--flag=1", "--flag=1"],
    ["a b", "'a b'"],
    ["", "''"],
    ["$HOME", "'$HOME'"],
  ])("shell-quotes %j as %s", (arg, quoted) => {
    expect(shellQuote(arg)).toBe(quoted);
  });
});

describe("proxyComposeFile", () => {
  it("publishes the proxy's ports, maps host.docker.internal to the host gateway and points the proxy at the interceptor", () => {
    const yaml = proxyComposeFile({ ...imageProxy({ env: { LOG_LEVEL: "warn", UF: "${INTERCEPTOR_HOST}:${INTERCEPTOR_PORT}" } }), args: ["--http-port", "${PROXY_PORT}"] }, WIRING);
    expect(parse(yaml)).toEqual({
      services: {
        proxy: {
          image: "example/proxy:1",
          environment: {
            USER_FUNCTION_HOST: "host.docker.internal",
            USER_FUNCTION_PORT: "7001",
            INTERCEPTOR_HOST: "host.docker.internal",
            INTERCEPTOR_PORT: "7001",
            HTTP_PORT: "9100",
            PROXY_PORT: "9100",
            HTTP_JSON_PORT: "9101",
            LOG_LEVEL: "warn",
            UF: "host.docker.internal:7001",
          },
          command: ["--http-port", "9100"],
          ports: ["127.0.0.1:9100:9100", "127.0.0.1:9101:9101"],
          extra_hosts: ["host.docker.internal:host-gateway"],
        },
      },
    });
  });

  it("leaves the image's command alone without arguments", () => {
    const compose = parse(proxyComposeFile(imageProxy(), WIRING)) as { services: { proxy: Record<string, unknown> } };
    expect(compose.services.proxy).not.toHaveProperty("command");
  });
});

describe("a proxy image (fake docker)", () => {
  let bin: string;
  let state: string;

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), "tck-fake-docker-proxy-"));
    bin = join(dir, "bin");
    state = join(dir, "state");
    mkdirSync(bin);
    mkdirSync(state);
    writeFileSync(join(bin, "docker"), `#!/bin/sh\nexec "${process.execPath}" "${FAKE_DOCKER}" "$@"\n`);
    chmodSync(join(bin, "docker"), 0o755);
  });

  it(
    "runs the cases against the container, which reaches the interceptor on the host through host.docker.internal",
    async () => {
      const userFunction: CommandUserFunction = {
        kind: "command",
        command: [process.execPath, "dist/main.js"],
        cwd: TCK_MODEL_DIR,
        env: { LOG_LEVEL: "warn" },
        host: "127.0.0.1",
        startupTimeoutMs: 30_000,
      };
      const logger = recordingLogger();
      const run = await runProxyCases({
        userFunction,
        proxy: { ...imageProxy({ image: "fixture/proxy", env: { METRICS_PORT: "0", LOG_LEVEL: "warn" } }), args: ["--command-timeout-ms", "3000"] },
        cases: loadCases(PROXY_FIXTURE_CASES),
        run: "Fixture/emit-and-read",
        logger,
        env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}`, FAKE_DOCKER_STATE: state },
      });
      expect(run.results.map((r) => [r.name, r.status, r.failure?.message])).toEqual([["Fixture/emit-and-read", "passed", undefined]]);
      expect(run.target).toMatch(/^cloudstate-proxy-ts \S+ \(protocol 0\.2\)$/);
      expect(logger.lines.some((l) => /^info: starting the proxy under test: image fixture\/proxy, user function at the interceptor host\.docker\.internal:\d+ \(compose project /.test(l))).toBe(true);

      const calls = readFileSync(join(state, "calls.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { args: string[]; compose?: string });
      const up = calls.find((c) => c.args.includes("up"));
      const service = (parse(up?.compose ?? "") as { services: Record<string, { environment: Record<string, string>; extra_hosts: string[]; command: string[] }> }).services["proxy"];
      expect(service?.environment["USER_FUNCTION_HOST"]).toBe("host.docker.internal");
      expect(service?.extra_hosts).toEqual(["host.docker.internal:host-gateway"]);
      expect(service?.command).toEqual(["--command-timeout-ms", "3000"]);
      // Taken down at the end.
      expect(calls.filter((c) => c.args[4] === up?.args[4]).map((c) => c.args[5])).toContain("down");
      expect(existsSync(up?.args[2] ?? "")).toBe(false);
    },
    SLOW,
  );
});
