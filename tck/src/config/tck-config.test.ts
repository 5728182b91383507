import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTckConfig, parseTckConfig, TckConfigError } from "./tck-config.js";

const FILE = "/work/project/tck/tck.sdk.yaml";

function problemsOf(text: string): readonly string[] {
  try {
    parseTckConfig(text, FILE);
  } catch (error) {
    if (error instanceof TckConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

describe("parseTckConfig", () => {
  it("reads a full command config, resolving paths against the config's directory", () => {
    const config = parseTckConfig(
      `
mode: sdk
userFunction:
  command: ["node", "dist/main.js"]
  cwd: ../languages/node-support/tck-model
  env: { LOG_LEVEL: warn, RETRIES: 3, DEBUG: false }
  host: 0.0.0.0
  port: 9001
  startupTimeoutMs: 5000
knownFailures: known-failures.txt
reports:
  json: ../reports/tck-sdk.json
  junit: ../reports/tck-sdk.xml
`,
      FILE,
    );
    expect(config).toEqual({
      file: FILE,
      mode: "sdk",
      userFunction: {
        kind: "command",
        command: ["node", "dist/main.js"],
        cwd: "/work/project/languages/node-support/tck-model",
        env: { LOG_LEVEL: "warn", RETRIES: "3", DEBUG: "false" },
        host: "0.0.0.0",
        port: 9001,
        startupTimeoutMs: 5000,
      },
      knownFailures: "/work/project/tck/known-failures.txt",
      reports: { json: "/work/project/reports/tck-sdk.json", junit: "/work/project/reports/tck-sdk.xml" },
    });
  });

  it("fills in defaults: sdk mode, 127.0.0.1, no port (a free one is picked), 30 s, cwd = the config's directory", () => {
    expect(parseTckConfig("userFunction: { command: npm start }", FILE)).toEqual({
      file: FILE,
      mode: "sdk",
      userFunction: { kind: "command", command: "npm start", cwd: "/work/project/tck", env: {}, host: "127.0.0.1", startupTimeoutMs: 30000 },
      reports: {},
    });
  });

  it("reads an image config, defaulting the port to 8080", () => {
    expect(parseTckConfig("userFunction: { image: example/uf:1.0, env: { A: b } }", FILE).userFunction).toEqual({
      kind: "image",
      image: "example/uf:1.0",
      env: { A: "b" },
      host: "127.0.0.1",
      port: 8080,
      startupTimeoutMs: 30000,
    });
  });

  it("reads an address config", () => {
    expect(parseTckConfig("userFunction: { address: 'localhost:8080', startupTimeoutMs: 100 }", FILE).userFunction).toEqual({
      kind: "address",
      address: "localhost:8080",
      startupTimeoutMs: 100,
    });
  });

  it("reads JSON, and accepts proxy mode", () => {
    const config = parseTckConfig(
      JSON.stringify({ mode: "proxy", userFunction: { address: "127.0.0.1:1" }, proxy: { address: "127.0.0.1:2" }, interceptor: { port: 3 } }),
      "/x/tck.json",
    );
    expect(config.mode).toBe("proxy");
    expect(config.file).toBe("/x/tck.json");
  });

  it("keeps an SDK-mode config free of proxy fields", () => {
    expect(Object.keys(parseTckConfig("userFunction: { command: x }", FILE)).sort()).toEqual(["file", "mode", "reports", "userFunction"]);
  });

  const invalid: [string, string, string[]][] = [
    ["an empty file", "", ["the file is empty; it must at least give userFunction"]],
    ["a list at the top", "- a", ["(top level): must be a mapping, got an array"]],
    ["an unknown mode", "mode: both\nuserFunction: { address: 'h:1' }", ['mode: must be "sdk" or "proxy", got "both"']],
    ["an unknown top-level key", "userFunction: { address: 'h:1' }\nreport: {}", ["report: unknown key (known keys: mode, userFunction, knownFailures, reports, proxy, interceptor, runtimeConfigurations)"]],
    ["no userFunction", "mode: sdk", ["userFunction: missing; it must give exactly one of command, image or address"]],
    ["userFunction not a mapping", "userFunction: node main.js", ["userFunction: must be a mapping, got \"node main.js\""]],
    ["none of command, image, address", "userFunction: { port: 1 }", ["userFunction: must give exactly one of command, image or address; it gives none"]],
    [
      "two of command, image, address",
      "userFunction: { command: x, address: 'h:1' }",
      ["userFunction: must give exactly one of command, image or address; it gives command and address"],
    ],
    [
      "an unknown userFunction key",
      "userFunction: { command: x, args: [] }",
      ["userFunction.args: unknown key (known keys: command, image, address, cwd, env, host, port, startupTimeoutMs)"],
    ],
    ["an empty command string", "userFunction: { command: '  ' }", ["userFunction.command: is empty"]],
    ["an empty command array", "userFunction: { command: [] }", ["userFunction.command: is an empty array; give the program and its arguments"]],
    ["a non-string argument", "userFunction: { command: [node, 3] }", ["userFunction.command[1]: must be a string, got 3"]],
    ["an empty program name", "userFunction: { command: [''] }", ["userFunction.command[0]: the program name is empty"]],
    ["a command of the wrong type", "userFunction: { command: { a: 1 } }", ["userFunction.command: must be an array of strings (argv) or a string run by the shell, got a mapping"]],
    ["an address without a port", "userFunction: { address: localhost }", ['userFunction.address: must be host:port with a port from 1 to 65535, got "localhost"']],
    ["an address with port 0", "userFunction: { address: 'h:0' }", ['userFunction.address: must be host:port with a port from 1 to 65535, got "h:0"']],
    [
      "process settings with an address",
      "userFunction: { address: 'h:1', cwd: x, port: 2 }",
      [
        "userFunction.cwd: does not apply with address (the TCK does not start that user function)",
        "userFunction.port: does not apply with address (the TCK does not start that user function)",
      ],
    ],
    ["cwd with an image", "userFunction: { image: x, cwd: y }", ["userFunction.cwd: does not apply with image"]],
    ["a port out of range", "userFunction: { command: x, port: 70000 }", ["userFunction.port: must be an integer from 1 to 65535, got 70000"]],
    ["a port as a string", "userFunction: { command: x, port: '80' }", ['userFunction.port: must be an integer from 1 to 65535, got "80"']],
    ["a negative timeout", "userFunction: { command: x, startupTimeoutMs: -1 }", ["userFunction.startupTimeoutMs: must be a positive integer (milliseconds), got -1"]],
    ["env as a list", "userFunction: { command: x, env: [A] }", ["userFunction.env: must be a mapping, got an array"]],
    ["an env value that is a mapping", "userFunction: { command: x, env: { A: { b: 1 } } }", ["userFunction.env.A: must be a string, number or boolean, got a mapping"]],
    ["an empty host", "userFunction: { command: x, host: '' }", ["userFunction.host: is empty"]],
    ["a report path of the wrong type", "userFunction: { command: x }\nreports: { json: 1 }", ["reports.json: must be a string, got 1"]],
    ["an unknown report kind", "userFunction: { command: x }\nreports: { html: a.html }", ["reports.html: unknown key (known keys: json, junit)"]],
    ["knownFailures of the wrong type", "userFunction: { command: x }\nknownFailures: [a]", ["knownFailures: must be a string, got an array"]],
  ];
  it.each(invalid)("rejects %s", (_name, text, problems) => {
    expect(problemsOf(text)).toEqual(problems);
  });

  it("reports every problem at once, naming the file", () => {
    expect(() => parseTckConfig("mode: x\nuserFunction: { command: x, port: 0 }", FILE)).toThrow(
      `${FILE}: 2 problems:\n  - mode: must be "sdk" or "proxy", got "x"\n  - userFunction.port: must be an integer from 1 to 65535, got 0`,
    );
  });

  it("rejects text that is not YAML", () => {
    expect(() => parseTckConfig("userFunction: [", FILE)).toThrow(new RegExp(`^${FILE}: not valid YAML or JSON: `));
  });
});

describe("loadTckConfig", () => {
  it("reads a file and resolves paths against its directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "tck-config-"));
    writeFileSync(join(dir, "tck.yaml"), "userFunction: { command: [node, main.js], cwd: uf }\nreports: { json: out/r.json }\n");
    const config = loadTckConfig(join(dir, "tck.yaml"));
    expect(config.userFunction).toMatchObject({ kind: "command", cwd: join(dir, "uf") });
    expect(config.reports.json).toBe(join(dir, "out/r.json"));
  });

  it("says which file it could not read", () => {
    expect(() => loadTckConfig("/nonexistent/tck.yaml")).toThrow(/^\/nonexistent\/tck\.yaml: cannot read the file: ENOENT/);
  });
});
