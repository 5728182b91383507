import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCliArgs, resolveTckConfig, UsageError } from "./cli-options.js";

describe("parseCliArgs", () => {
  it("reads every flag", () => {
    expect(
      parseCliArgs([
        "--config",
        "c.yaml",
        "--command",
        "node main.js",
        "--cases",
        "cases",
        "--run",
        "Es/*",
        "--trace",
        "--known-failures",
        "kf.txt",
        "--json",
        "r.json",
        "--junit",
        "r.xml",
      ]),
    ).toEqual({
      help: false,
      trace: true,
      config: "c.yaml",
      command: "node main.js",
      cases: "cases",
      run: "Es/*",
      knownFailures: "kf.txt",
      json: "r.json",
      junit: "r.xml",
    });
  });

  it("reads --help", () => {
    expect(parseCliArgs(["--help"])).toEqual({ help: true, trace: false });
  });

  const bad: [string[], RegExp][] = [
    [["--bogus"], /Unknown option '--bogus'/],
    [["extra"], /positional argument/],
    [["--config"], /argument missing/],
    [["--address", "h:1", "--command", "x"], /give --address or --command, not both/],
    [["--address", "localhost"], /--address must be host:port/],
    [["--run", ""], /--run is empty/],
  ];
  it.each(bad)("rejects %j", (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(UsageError);
    expect(() => parseCliArgs(args)).toThrow(message);
  });
});

describe("resolveTckConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "tck-cli-"));
  const file = join(dir, "tck.yaml");
  writeFileSync(
    file,
    "userFunction: { command: [node, main.js], cwd: uf, env: { A: b }, port: 9000, startupTimeoutMs: 1234 }\nknownFailures: kf.txt\nreports: { json: r.json }\n",
  );

  it("uses the config file as it is without flags", () => {
    const config = resolveTckConfig(parseCliArgs(["--config", "tck.yaml"]), dir);
    expect(config.userFunction).toMatchObject({ kind: "command", command: ["node", "main.js"], cwd: join(dir, "uf") });
    expect(config.knownFailures).toBe(join(dir, "kf.txt"));
    expect(config.reports).toEqual({ json: join(dir, "r.json") });
  });

  it("lets flags override it, resolving their paths against the caller's directory", () => {
    const config = resolveTckConfig(parseCliArgs(["--config", file, "--known-failures", "other.txt", "--junit", "out/r.xml"]), "/elsewhere");
    expect(config.knownFailures).toBe("/elsewhere/other.txt");
    expect(config.reports).toEqual({ json: join(dir, "r.json"), junit: "/elsewhere/out/r.xml" });
  });

  it("replaces the user function with --address, keeping the startup timeout", () => {
    expect(resolveTckConfig(parseCliArgs(["--config", file, "--address", "h:1"]), dir).userFunction).toEqual({
      kind: "address",
      address: "h:1",
      startupTimeoutMs: 1234,
    });
  });

  it("replaces the command with --command, run in the caller's directory with the config's env and port", () => {
    expect(resolveTckConfig(parseCliArgs(["--config", file, "--command", "npm start"]), "/elsewhere").userFunction).toEqual({
      kind: "command",
      command: "npm start",
      cwd: "/elsewhere",
      env: { A: "b" },
      host: "127.0.0.1",
      port: 9000,
      startupTimeoutMs: 1234,
    });
  });

  it("works without a config file", () => {
    expect(resolveTckConfig(parseCliArgs(["--command", "npm start"]), "/here")).toEqual({
      mode: "sdk",
      userFunction: { kind: "command", command: "npm start", cwd: "/here", env: {}, host: "127.0.0.1", startupTimeoutMs: 30000 },
      reports: {},
    });
  });

  it("needs a config file, an address or a command", () => {
    expect(() => resolveTckConfig(parseCliArgs([]), dir)).toThrow("give --config FILE, --address HOST:PORT or --command CMD");
  });
});
