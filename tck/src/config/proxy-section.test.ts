import { describe, expect, it } from "@jest/globals";
import { parseTckConfig, TckConfigError } from "./tck-config.js";

const FILE = "/work/project/tck/tck.proxy.yaml";
const UF = "userFunction: { command: [node, dist/main.js] }";

function problemsOf(text: string): readonly string[] {
  try {
    parseTckConfig(text, FILE);
  } catch (error) {
    if (error instanceof TckConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

describe("proxy mode config", () => {
  it("reads a proxy started by command, with the interceptor and runtime configurations", () => {
    const config = parseTckConfig(
      `
mode: proxy
userFunction:
  command: [node, dist/main.js]
  cwd: ../languages/node-support/tck-model
proxy:
  command: node dist/cli.js --user-function-port \${INTERCEPTOR_PORT}
  cwd: ../proxy
  env: { LOG_LEVEL: warn, RETRIES: 3 }
  port: 9100
  startupTimeoutMs: 5000
interceptor: { host: 127.0.0.2, port: 9200 }
runtimeConfigurations:
  - name: passivate-every-command
    proxyArgs: [--passivation-timeout-ms, "1"]
    proxyEnv: { A: b }
    cases: Proxy/*
    excludeCases: [Proxy/Fault/*, "*kill*"]
    checkIntercepted: true
  - name: snapshot.every_event
    userFunctionEnv: { TCK_MODEL_SNAPSHOT_EVERY: 1 }
    cases: [Proxy/EventSourced/*, Proxy/Passivation/*]
`,
      FILE,
    );
    expect(config).toEqual({
      file: FILE,
      mode: "proxy",
      userFunction: {
        kind: "command",
        command: ["node", "dist/main.js"],
        cwd: "/work/project/languages/node-support/tck-model",
        env: {},
        host: "127.0.0.1",
        startupTimeoutMs: 30000,
      },
      reports: {},
      proxy: {
        kind: "command",
        command: "node dist/cli.js --user-function-port ${INTERCEPTOR_PORT}",
        cwd: "/work/project/proxy",
        env: { LOG_LEVEL: "warn", RETRIES: "3" },
        port: 9100,
        startupTimeoutMs: 5000,
      },
      interceptor: { host: "127.0.0.2", port: 9200 },
      runtimeConfigurations: [
        {
          name: "passivate-every-command",
          proxyArgs: ["--passivation-timeout-ms", "1"],
          proxyEnv: { A: "b" },
          userFunctionEnv: {},
          cases: ["Proxy/*"],
          excludeCases: ["Proxy/Fault/*", "*kill*"],
          checkIntercepted: true,
        },
        {
          name: "snapshot.every_event",
          proxyArgs: [],
          proxyEnv: {},
          userFunctionEnv: { TCK_MODEL_SNAPSHOT_EVERY: "1" },
          cases: ["Proxy/EventSourced/*", "Proxy/Passivation/*"],
          excludeCases: [],
          checkIntercepted: false,
        },
      ],
    });
  });

  it("fills in defaults: cwd = the config's directory, no port (a free one), 30 s, no runtime configurations", () => {
    const config = parseTckConfig(`mode: proxy\n${UF}\nproxy: { command: [cloudstate-proxy] }`, FILE);
    expect(config.proxy).toEqual({ kind: "command", command: ["cloudstate-proxy"], cwd: "/work/project/tck", env: {}, startupTimeoutMs: 30000 });
    expect(config.interceptor).toBeUndefined();
    expect(config.runtimeConfigurations).toEqual([]);
  });

  it("reads a proxy image, publishing on 127.0.0.1 by default", () => {
    expect(parseTckConfig(`mode: proxy\n${UF}\nproxy: { image: "example/proxy:1", env: { BIND_HOST: 0.0.0.0 } }`, FILE).proxy).toEqual({
      kind: "image",
      image: "example/proxy:1",
      env: { BIND_HOST: "0.0.0.0" },
      host: "127.0.0.1",
      startupTimeoutMs: 30000,
    });
    expect(parseTckConfig(`mode: proxy\n${UF}\nproxy: { image: p, host: 0.0.0.0, port: 9000 }`, FILE).proxy).toMatchObject({ host: "0.0.0.0", port: 9000 });
  });

  it("reads an already-running proxy with the interceptor address it was configured with", () => {
    const config = parseTckConfig(`mode: proxy\n${UF}\nproxy: { address: "proxy.local:9000", startupTimeoutMs: 100 }\ninterceptor: { port: 8080 }`, FILE);
    expect(config.proxy).toEqual({ kind: "address", address: "proxy.local:9000", startupTimeoutMs: 100 });
    expect(config.interceptor).toEqual({ port: 8080 });
    const withHttp = parseTckConfig(`mode: proxy\n${UF}\nproxy: { address: "proxy.local:9000", httpAddress: "proxy.local:9001" }\ninterceptor: { port: 8080 }`, FILE);
    expect(withHttp.proxy).toMatchObject({ kind: "address", httpAddress: "proxy.local:9001" });
  });

  const proxy = (section: string, extra = "") => `mode: proxy\n${UF}\n${section}${extra === "" ? "" : `\n${extra}`}`;
  const invalid: [string, string, string[]][] = [
    ["no proxy section", `mode: proxy\n${UF}`, ["proxy: missing; mode: proxy needs the proxy under test: exactly one of command, image or address"]],
    ["a proxy that is not a mapping", proxy("proxy: node cli.js"), ['proxy: must be a mapping, got "node cli.js"']],
    ["none of command, image, address", proxy("proxy: { port: 1 }"), ["proxy: must give exactly one of command, image or address; it gives none"]],
    ["two of them", proxy("proxy: { command: x, image: y }"), ["proxy: must give exactly one of command, image or address; it gives command and image"]],
    [
      "an unknown proxy key",
      proxy("proxy: { command: x, args: [] }"),
      ["proxy.args: unknown key (known keys: command, image, address, httpAddress, cwd, env, host, port, startupTimeoutMs)"],
    ],
    ["an empty proxy command", proxy("proxy: { command: '' }"), ["proxy.command: is empty"]],
    ["a proxy command with a non-string", proxy("proxy: { command: [node, 1] }"), ["proxy.command[1]: must be a string, got 1"]],
    ["a proxy port out of range", proxy("proxy: { command: x, port: 0 }"), ["proxy.port: must be an integer from 1 to 65535, got 0"]],
    ["a bad proxy startup timeout", proxy("proxy: { command: x, startupTimeoutMs: 1.5 }"), ["proxy.startupTimeoutMs: must be a positive integer (milliseconds), got 1.5"]],
    ["a bad proxy env value", proxy("proxy: { command: x, env: { A: [1] } }"), ["proxy.env.A: must be a string, number or boolean, got an array"]],
    ["host with a proxy command", proxy("proxy: { command: x, host: 0.0.0.0 }"), ["proxy.host: does not apply with command (the proxy serves on 127.0.0.1)"]],
    ["cwd with a proxy image", proxy("proxy: { image: x, cwd: y }"), ["proxy.cwd: does not apply with image"]],
    ["an empty proxy image", proxy("proxy: { image: ' ' }"), ["proxy.image: is empty"]],
    [
      "process settings with a proxy address",
      proxy("proxy: { address: 'h:1', env: {}, port: 2 }", "interceptor: { port: 3 }"),
      [
        "proxy.env: does not apply with address (the TCK does not start that proxy)",
        "proxy.port: does not apply with address (the TCK does not start that proxy)",
      ],
    ],
    ["a bad proxy address", proxy("proxy: { address: h }", "interceptor: { port: 3 }"), ['proxy.address: must be host:port with a port from 1 to 65535, got "h"']],
    ["a bad proxy HTTP address", proxy("proxy: { address: 'h:1', httpAddress: h }", "interceptor: { port: 3 }"), ['proxy.httpAddress: must be host:port with a port from 1 to 65535, got "h"']],
    ["an HTTP address with a proxy command", proxy("proxy: { command: x, httpAddress: 'h:1' }"), ["proxy.httpAddress: only applies with address (a proxy the TCK starts gets HTTP_JSON_PORT)"]],
    [
      "a proxy address without the interceptor",
      proxy("proxy: { address: 'h:1' }"),
      ["interceptor: missing; with proxy.address give interceptor: { host, port }, where that proxy was configured to find its user function"],
    ],
    ["an interceptor that is not a mapping", proxy("proxy: { command: x }", "interceptor: 8080"), ["interceptor: must be a mapping, got 8080"]],
    [
      "an interceptor without a port",
      proxy("proxy: { command: x }", "interceptor: { host: h }"),
      ["interceptor.port: missing; give the port the proxy under test connects to as its user function"],
    ],
    ["an interceptor port out of range", proxy("proxy: { command: x }", "interceptor: { port: 65536 }"), ["interceptor.port: must be an integer from 1 to 65535, got 65536"]],
    ["an empty interceptor host", proxy("proxy: { command: x }", "interceptor: { host: '', port: 1 }"), ["interceptor.host: is empty"]],
    ["an unknown interceptor key", proxy("proxy: { command: x }", "interceptor: { port: 1, tls: true }"), ["interceptor.tls: unknown key (known keys: host, port)"]],
    [
      "proxy sections in SDK mode",
      `${UF}\nproxy: { command: x }\ninterceptor: { port: 1 }\nruntimeConfigurations: []`,
      ["proxy: only applies with mode: proxy", "interceptor: only applies with mode: proxy", "runtimeConfigurations: only applies with mode: proxy"],
    ],
  ];
  it.each(invalid)("rejects %s", (_name, text, problems) => {
    expect(problemsOf(text)).toEqual(problems);
  });
});

describe("runtime configurations", () => {
  const rc = (items: string, section = "proxy: { command: x }", uf = UF) => `mode: proxy\n${uf}\n${section}\nruntimeConfigurations: ${items}`;
  const invalid: [string, string, string[]][] = [
    [
      "a mapping instead of a list",
      rc("{ name: a }"),
      ["runtimeConfigurations: must be a list of configurations ({ name, proxyArgs, proxyEnv, userFunctionEnv, cases }), got a mapping"],
    ],
    ["an item that is not a mapping", rc("[a]"), ['runtimeConfigurations[0]: must be a mapping, got "a"']],
    ["no name", rc("[{ proxyArgs: [] }]"), ["runtimeConfigurations[0].name: missing; its cases are reported as <name>:<case name>"]],
    ["an empty name", rc("[{ name: '', proxyArgs: [] }]"), ["runtimeConfigurations[0].name: is empty"]],
    [
      "a name with a colon",
      rc("[{ name: 'a:b', proxyArgs: [] }]"),
      ['runtimeConfigurations[0].name: must be letters, digits, ".", "_" or "-" (starting with a letter or digit), got "a:b"'],
    ],
    ["a duplicate name", rc("[{ name: a, proxyArgs: [] }, { name: a, proxyEnv: {} }]"), ['runtimeConfigurations[1].name: "a" is also the name of runtimeConfigurations[0]']],
    [
      "an unknown key",
      rc("[{ name: a, proxyArgs: [], args: [] }]"),
      ["runtimeConfigurations[0].args: unknown key (known keys: name, proxyArgs, proxyEnv, userFunctionEnv, cases, excludeCases, checkIntercepted)"],
    ],
    ["proxyArgs as a string", rc("[{ name: a, proxyArgs: '--x 1' }]"), ['runtimeConfigurations[0].proxyArgs: must be a list of strings, got "--x 1"']],
    ["checkIntercepted as a string", rc("[{ name: a, proxyArgs: [], checkIntercepted: 'yes' }]"), ['runtimeConfigurations[0].checkIntercepted: must be true or false, got "yes"']],
    ["a non-string proxy argument", rc("[{ name: a, proxyArgs: [--x, 1] }]"), ["runtimeConfigurations[0].proxyArgs[1]: must be a string, got 1"]],
    ["a bad proxyEnv", rc("[{ name: a, proxyEnv: [A] }]"), ["runtimeConfigurations[0].proxyEnv: must be a mapping, got an array"]],
    ["a bad userFunctionEnv value", rc("[{ name: a, userFunctionEnv: { A: null } }]"), ["runtimeConfigurations[0].userFunctionEnv.A: must be a string, number or boolean, got null"]],
    ["a configuration that changes nothing", rc("[{ name: a, cases: 'Proxy/*' }]"), ["runtimeConfigurations[0]: changes nothing; give proxyArgs, proxyEnv or userFunctionEnv"]],
    ["an empty cases pattern", rc("[{ name: a, proxyArgs: [], cases: '' }]"), ["runtimeConfigurations[0].cases: is empty"]],
    ["an empty pattern in a list", rc("[{ name: a, proxyArgs: [], cases: [x, ''] }]"), ["runtimeConfigurations[0].cases[1]: is empty"]],
    ["cases of the wrong type", rc("[{ name: a, proxyArgs: [], excludeCases: { a: 1 } }]"), ["runtimeConfigurations[0].excludeCases: must be a list of strings, got a mapping"]],
    [
      "proxy settings with an already-running proxy",
      rc("[{ name: a, proxyArgs: [], proxyEnv: {}, userFunctionEnv: {} }]", "proxy: { address: 'h:1' }\ninterceptor: { port: 2 }"),
      [
        "runtimeConfigurations[0].proxyArgs: does not apply with proxy.address (the TCK does not start that proxy)",
        "runtimeConfigurations[0].proxyEnv: does not apply with proxy.address (the TCK does not start that proxy)",
      ],
    ],
    [
      "user function settings with an already-running user function",
      rc("[{ name: a, userFunctionEnv: { A: b } }]", "proxy: { command: x }", "userFunction: { address: 'h:1' }"),
      ["runtimeConfigurations[0].userFunctionEnv: does not apply with userFunction.address (the TCK does not start that user function)"],
    ],
  ];
  it.each(invalid)("rejects %s", (_name, text, problems) => {
    expect(problemsOf(text)).toEqual(problems);
  });

  it("accepts user function settings alone with an already-running proxy", () => {
    const config = parseTckConfig(rc("[{ name: a, userFunctionEnv: { A: b } }]", "proxy: { address: 'h:1' }\ninterceptor: { port: 2 }"), FILE);
    expect(config.runtimeConfigurations).toEqual([{ name: "a", proxyArgs: [], proxyEnv: {}, userFunctionEnv: { A: "b" }, cases: [], excludeCases: [], checkIntercepted: false }]);
  });
});
