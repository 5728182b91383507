import { stringify } from "yaml";
import type { AddressProxy, CommandProxy, CommandUserFunction, ImageProxy } from "../config/tck-config.js";
import type { TckLogger } from "../report/tck-logger.js";
import { startComposeService } from "../user-function/compose-service.js";
import type { RunningUserFunction, StartOptions } from "../user-function/running-user-function.js";
import { startUserFunction } from "../user-function/user-function.js";

/** A proxy image, with the arguments a runtime configuration gives it (as the container's command). */
export type ImageProxyUnderTest = ImageProxy & { readonly args?: readonly string[] };

/** The proxy under test: started by command or as a container (pointed at the interceptor), or already running. */
export type ProxyUnderTest = CommandProxy | ImageProxyUnderTest | AddressProxy;

/** The compose service name a proxy image runs as. */
export const PROXY_COMPOSE_SERVICE = "proxy";
/** How a container reaches the host, where the interceptor listens (with the host-gateway entry below). */
export const DOCKER_HOST_ALIAS = "host.docker.internal";

/** Where the started proxy must find its user function (the interceptor) and serve clients. */
export interface ProxyWiring {
  /** The interceptor's address as the proxy sees it. */
  readonly interceptorHost: string;
  readonly interceptorPort: number;
  readonly proxyPort: number;
  /** Where it must serve HTTP/JSON and gRPC-web (spec/http.md). */
  readonly httpJsonPort: number;
}

/**
 * The variables a started proxy gets in its environment, also substituted as
 * `${NAME}` in its command, arguments and configured environment:
 * USER_FUNCTION_HOST/PORT and INTERCEPTOR_HOST/PORT (the interceptor, which
 * it must take for its user function), HTTP_PORT and PROXY_PORT (where it
 * must serve clients over gRPC), HTTP_JSON_PORT (where it must serve them
 * over HTTP/JSON and gRPC-web).
 */
export function proxyVariables(wiring: ProxyWiring): Record<string, string> {
  return {
    USER_FUNCTION_HOST: wiring.interceptorHost,
    USER_FUNCTION_PORT: String(wiring.interceptorPort),
    INTERCEPTOR_HOST: wiring.interceptorHost,
    INTERCEPTOR_PORT: String(wiring.interceptorPort),
    HTTP_PORT: String(wiring.proxyPort),
    PROXY_PORT: String(wiring.proxyPort),
    HTTP_JSON_PORT: String(wiring.httpJsonPort),
  };
}

/** Replaces `${NAME}` for the known variables; other text, unknown names included, is left as it is. */
export function substituteVariables(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

function substituteAll(env: Readonly<Record<string, string>>, vars: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, substituteVariables(v, vars)]));
}

/**
 * The compose file for a proxy image: its port published on the configured
 * host interface, and `host.docker.internal` mapped to the host's gateway so
 * that the container reaches the interceptor on the host (Linux needs the
 * `host-gateway` entry; Docker Desktop has the name anyway).
 */
export function proxyComposeFile(config: ImageProxyUnderTest, wiring: ProxyWiring): string {
  const vars = proxyVariables(wiring);
  return stringify({
    services: {
      [PROXY_COMPOSE_SERVICE]: {
        image: config.image,
        environment: { ...vars, ...substituteAll(config.env, vars) },
        ...(config.args === undefined || config.args.length === 0 ? {} : { command: config.args.map((a) => substituteVariables(a, vars)) }),
        ports: [`${config.host}:${wiring.proxyPort}:${wiring.proxyPort}`, `${config.host}:${wiring.httpJsonPort}:${wiring.httpJsonPort}`],
        extra_hosts: [`${DOCKER_HOST_ALIAS}:host-gateway`],
      },
    },
  });
}

/** Where the TCK calls the proxy, once started. */
export function proxyAddress(proxy: ProxyUnderTest, proxyPort: number): string {
  switch (proxy.kind) {
    case "address":
      return proxy.address;
    case "image":
      // A wildcard publish address is reachable on loopback.
      return `${proxy.host === "0.0.0.0" ? "127.0.0.1" : proxy.host}:${proxyPort}`;
    case "command":
      return `127.0.0.1:${proxyPort}`;
  }
}

/** Where the TCK calls the proxy over HTTP/JSON and gRPC-web, once started; undefined when unknown. */
export function proxyHttpAddress(proxy: ProxyUnderTest, httpJsonPort: number): string | undefined {
  switch (proxy.kind) {
    case "address":
      return proxy.httpAddress;
    case "image":
      return `${proxy.host === "0.0.0.0" ? "127.0.0.1" : proxy.host}:${httpJsonPort}`;
    case "command":
      return `127.0.0.1:${httpJsonPort}`;
  }
}

/** Starts the proxy under test pointed at the interceptor (nothing to start for an address). */
export function startProxy(proxy: ProxyUnderTest, wiring: ProxyWiring, logger: TckLogger, options: StartOptions = {}): Promise<RunningUserFunction> {
  const role = { ...options, role: "the proxy under test" };
  switch (proxy.kind) {
    case "address":
      logger.info(`testing the proxy at ${proxy.address} (not started by the TCK); it must find its user function at the interceptor, port ${wiring.interceptorPort}`);
      return startUserFunction({ kind: "address", address: proxy.address, startupTimeoutMs: proxy.startupTimeoutMs }, silent);
    case "image":
      return startComposeService(
        {
          composeYaml: proxyComposeFile(proxy, wiring),
          address: proxyAddress(proxy, wiring.proxyPort),
          description: `image ${proxy.image}, user function at the interceptor ${wiring.interceptorHost}:${wiring.interceptorPort}`,
        },
        logger,
        role,
      );
    case "command": {
      const vars = proxyVariables(wiring);
      const command = typeof proxy.command === "string" ? substituteVariables(proxy.command, vars) : proxy.command.map((a) => substituteVariables(a, vars));
      const config: CommandUserFunction = {
        kind: "command",
        command,
        cwd: proxy.cwd,
        env: { ...vars, ...substituteAll(proxy.env, vars) },
        host: "127.0.0.1",
        port: wiring.proxyPort,
        startupTimeoutMs: proxy.startupTimeoutMs,
      };
      return startUserFunction(config, logger, role);
    }
  }
}

const silent: TckLogger = { info: () => undefined, warn: () => undefined };

/** A proxy with a runtime configuration's arguments added: after its command, or as an image's container command. */
export function withProxyArgs(proxy: ProxyUnderTest, args: readonly string[], env: Readonly<Record<string, string>>): ProxyUnderTest {
  if (args.length === 0 && Object.keys(env).length === 0) return proxy;
  switch (proxy.kind) {
    case "address":
      throw new Error("a runtime configuration cannot change the settings of a proxy the TCK does not start");
    case "image":
      return { ...proxy, env: { ...proxy.env, ...env }, args: [...(proxy.args ?? []), ...args] };
    case "command":
      return {
        ...proxy,
        env: { ...proxy.env, ...env },
        command: typeof proxy.command === "string" ? [proxy.command, ...args.map(shellQuote)].join(" ") : [...proxy.command, ...args],
      };
  }
}

/** Quotes an argument for a POSIX shell unless it is plainly safe. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
