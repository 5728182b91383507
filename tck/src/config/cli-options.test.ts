import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCliArgs, resolveCompareConfig, resolveTckConfig, UsageError } from "./cli-options.js";

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

  it("reads the proxy-mode and differential flags", () => {
    expect(parseCliArgs(["--config", "a.yaml", "--mode", "proxy", "--record", "a.json", "--compare-with", "b.yaml", "--record-b", "b.json"])).toEqual({
      help: false,
      trace: false,
      config: "a.yaml",
      mode: "proxy",
      record: "a.json",
      compareWith: "b.yaml",
      recordB: "b.json",
    });
    expect(parseCliArgs(["--config", "a.yaml", "--compare-proxy", "node p.js"])).toMatchObject({ compareProxy: "node p.js" });
    expect(parseCliArgs(["--compare-traces", "a.json", "b.json"])).toEqual({ help: false, trace: false, compareTraces: ["a.json", "b.json"] });
    expect(parseCliArgs(["--mode", "sdk", "--command", "x"])).toMatchObject({ mode: "sdk" });
  });

  const bad: [string[], RegExp][] = [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--mode", "both"], /^--mode must be sdk or proxy, got "both"$/],
    [["--config", "a", "--compare-with", "b", "--compare-proxy", "c"], /^give --compare-with or --compare-proxy, not both$/],
    [["--config", "a", "--record-b", "b.json"], /^--record-b records the second proxy of --compare-with or --compare-proxy$/],
    [["--config", "a", "--compare-with", "b", "--mode", "sdk"], /^a differential run compares proxies: it runs in proxy mode, not --mode sdk$/],
    [["--compare-proxy", "c"], /^a differential run needs --config FILE \(a proxy-mode config\) for the first proxy$/],
    [["--compare-traces", "a.json"], /^--compare-traces takes two recordings: --compare-traces A.json B.json$/],
    [["--compare-traces", "a.json", "b.json", "c.json"], /^--compare-traces takes two recordings/],
    [["--compare-traces", "a.json", "b.json", "--config", "x", "--run", "y"], /^--compare-traces compares two recordings offline; it takes no --config, --run$/],
    [["--record", ""], /^--record is empty$/],
    [["--config", "a", "--compare-proxy", " "], /^--compare-proxy is empty$/],
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

  const proxyFile = join(dir, "tck.proxy.yaml");
  writeFileSync(
    proxyFile,
    `mode: proxy
userFunction: { command: [node, main.js], cwd: uf }
proxy: { command: [cloudstate-proxy], cwd: p, env: { A: b }, startupTimeoutMs: 5000 }
interceptor: { port: 7000 }
runtimeConfigurations: [{ name: passivate, proxyArgs: [--passivation-timeout-ms, "1"] }]
`,
  );
  const runtimeConfigurations = [
    { name: "passivate", proxyArgs: ["--passivation-timeout-ms", "1"], proxyEnv: {}, userFunctionEnv: {}, cases: [], excludeCases: [], checkIntercepted: false },
  ];

  it("keeps a proxy-mode config's proxy sections", () => {
    const config = resolveTckConfig(parseCliArgs(["--config", proxyFile]), dir);
    expect(config.mode).toBe("proxy");
    expect(config.proxy).toEqual({ kind: "command", command: ["cloudstate-proxy"], cwd: join(dir, "p"), env: { A: "b" }, startupTimeoutMs: 5000 });
    expect(config.interceptor).toEqual({ port: 7000 });
    expect(config.runtimeConfigurations).toEqual(runtimeConfigurations);
  });

  it("runs a proxy-mode config in SDK mode with --mode sdk, without its proxy sections", () => {
    const config = resolveTckConfig(parseCliArgs(["--config", proxyFile, "--mode", "sdk"]), dir);
    expect(Object.keys(config).sort()).toEqual(["file", "mode", "reports", "userFunction"]);
    expect(config.mode).toBe("sdk");
  });

  it.each([
    [["--config", "tck.yaml", "--mode", "proxy"], `proxy mode needs a proxy: section in ${file} (the proxy under test); it is a mode: sdk config`],
    [["--command", "x", "--mode", "proxy"], "proxy mode needs --config FILE with a proxy: section (the proxy under test)"],
    [["--config", "tck.yaml", "--record", "r.json"], "--record records intercepted exchanges, which only proxy mode has"],
    [["--config", "tck.yaml", "--compare-proxy", "x"], `proxy mode needs a proxy: section in ${file} (the proxy under test); it is a mode: sdk config`],
  ])("rejects %j", (args, message) => {
    expect(() => resolveTckConfig(parseCliArgs(args), dir)).toThrow(new UsageError(message));
  });

  it("refuses a runtime configuration's user function environment for --address", () => {
    const other = join(dir, "uf-env.yaml");
    writeFileSync(other, "mode: proxy\nuserFunction: { command: x }\nproxy: { command: y }\nruntimeConfigurations: [{ name: s, userFunctionEnv: { A: b } }]\n");
    expect(() => resolveTckConfig(parseCliArgs(["--config", other, "--address", "h:1"]), dir)).toThrow(
      "runtime configuration s sets userFunctionEnv, which cannot apply to a user function the TCK does not start (--address)",
    );
  });

  describe("the second proxy of a differential run", () => {
    it("is --compare-proxy's command, run in the caller's directory, with the rest of the first config", () => {
      const first = resolveTckConfig(parseCliArgs(["--config", proxyFile]), dir);
      const second = resolveCompareConfig(parseCliArgs(["--config", proxyFile, "--compare-proxy", "node other.js"]), first, "/elsewhere");
      expect(second).toEqual({ ...first, proxy: { kind: "command", command: "node other.js", cwd: "/elsewhere", env: {}, startupTimeoutMs: 5000 } });
    });

    it("drops the interceptor address of a first proxy that was already running", () => {
      const running = join(dir, "running.yaml");
      writeFileSync(running, "mode: proxy\nuserFunction: { command: x }\nproxy: { address: 'h:9000' }\ninterceptor: { port: 7000 }\n");
      const first = resolveTckConfig(parseCliArgs(["--config", running]), dir);
      expect(resolveCompareConfig(parseCliArgs(["--config", running, "--compare-proxy", "p"]), first, dir).interceptor).toBeUndefined();
    });

    it("is --compare-with's proxy and runtime configurations; the user function and reports stay the first's", () => {
      const other = join(dir, "other.yaml");
      writeFileSync(other, "mode: proxy\nuserFunction: { command: ignored }\nproxy: { image: 'other/proxy:1' }\n");
      const first = resolveTckConfig(parseCliArgs(["--config", proxyFile, "--json", "r.json"]), dir);
      const second = resolveCompareConfig(parseCliArgs(["--config", proxyFile, "--compare-with", "other.yaml"]), first, dir);
      expect(second.file).toBe(other);
      expect(second.proxy).toMatchObject({ kind: "image", image: "other/proxy:1" });
      expect(second.interceptor).toBeUndefined();
      expect(second.runtimeConfigurations).toEqual([]);
      expect(second.userFunction).toEqual(first.userFunction);
      expect(second.reports).toEqual(first.reports);
    });

    it("must be a proxy-mode config", () => {
      const first = resolveTckConfig(parseCliArgs(["--config", proxyFile]), dir);
      expect(() => resolveCompareConfig(parseCliArgs(["--config", proxyFile, "--compare-with", "tck.yaml"]), first, dir)).toThrow(
        `${file}: --compare-with needs a mode: proxy config with a proxy: section`,
      );
    });
  });

  it("needs a config file, an address or a command", () => {
    expect(() => resolveTckConfig(parseCliArgs([]), dir)).toThrow("give --config FILE, --address HOST:PORT or --command CMD");
  });
});
