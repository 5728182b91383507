import { type ConfigValidator, DEFAULT_STARTUP_TIMEOUT_MS, type Fields, show } from "./config-validator.js";

/**
 * The proxy under test, started by the TCK as a child process. Its command may
 * hold `${INTERCEPTOR_HOST}`, `${INTERCEPTOR_PORT}`, `${PROXY_PORT}` and
 * `${HTTP_JSON_PORT}`, which are replaced; its environment also gets
 * USER_FUNCTION_HOST/PORT (the interceptor), HTTP_PORT (where it must serve
 * clients over gRPC) and HTTP_JSON_PORT (over HTTP/JSON and gRPC-web).
 */
export interface CommandProxy {
  readonly kind: "command";
  /** An argv array run directly, or a string run by the shell. */
  readonly command: readonly string[] | string;
  /** Absolute working directory. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Where it must serve clients; unset: a free port chosen by the TCK. */
  readonly port?: number;
  readonly startupTimeoutMs: number;
}

/**
 * The proxy under test as a container image, run with `docker compose`. It
 * reaches the interceptor on the host through `host.docker.internal`.
 */
export interface ImageProxy {
  readonly kind: "image";
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  /** Host interface its port is published on. */
  readonly host: string;
  /** Its port, the same inside the container and on the host; unset: a free port chosen by the TCK. */
  readonly port?: number;
  readonly startupTimeoutMs: number;
}

/** A proxy that is already running, configured to find its user function at `interceptor`. */
export interface AddressProxy {
  readonly kind: "address";
  /** `host:port` where it serves clients. */
  readonly address: string;
  /** `host:port` where it serves HTTP/JSON and gRPC-web; unset: the HTTP cases cannot run. */
  readonly httpAddress?: string;
  readonly startupTimeoutMs: number;
}

export type ProxyConfig = CommandProxy | ImageProxy | AddressProxy;

/** Where the interceptor listens: for an already-running proxy, where that proxy looks for its user function. */
export interface InterceptorConfig {
  /** Unset: 127.0.0.1, or 0.0.0.0 for a proxy image (the container reaches it through the docker bridge). */
  readonly host?: string;
  readonly port: number;
}

/**
 * An extra run of the proxy-mode cases against a fresh proxy (and user
 * function) with other settings; its cases are reported as `<name>:<case name>`.
 */
export interface RuntimeConfiguration {
  readonly name: string;
  /** Appended to the proxy's command (or given as the container's command for an image). */
  readonly proxyArgs: readonly string[];
  readonly proxyEnv: Readonly<Record<string, string>>;
  readonly userFunctionEnv: Readonly<Record<string, string>>;
  /** Case-name patterns as for `--run`; a case runs when it matches one. Empty: every proxy-mode case. */
  readonly cases: readonly string[];
  /** Case-name patterns of cases not to run, even if `cases` matches them. */
  readonly excludeCases: readonly string[];
  /**
   * Whether the cases' checks of intercepted messages apply. Default false:
   * the settings change what crosses the interceptor (more streams, more
   * snapshots) while the cases script it for the default settings, so only
   * what the client gets is checked, and cases that inject faults are left
   * out. True for cases written for these settings.
   */
  readonly checkIntercepted: boolean;
}

/** The proxy-mode sections of a config. */
export interface ProxySections {
  readonly proxy: ProxyConfig;
  readonly interceptor?: InterceptorConfig;
  readonly runtimeConfigurations: readonly RuntimeConfiguration[];
}

/** The top-level keys only proxy mode reads. */
export const PROXY_TOP_KEYS = ["proxy", "interceptor", "runtimeConfigurations"] as const;
const PROXY_KEYS = ["command", "image", "address", "httpAddress", "cwd", "env", "host", "port", "startupTimeoutMs"] as const;
const INTERCEPTOR_KEYS = ["host", "port"] as const;
const RUNTIME_KEYS = ["name", "proxyArgs", "proxyEnv", "userFunctionEnv", "cases", "excludeCases", "checkIntercepted"] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Validates the `proxy`, `interceptor` and `runtimeConfigurations` sections
 * of a `mode: proxy` config. `userFunctionIsAddress`: the reference user
 * function is already running, so its environment cannot be changed.
 */
export function validateProxySections(v: ConfigValidator, top: Fields, userFunctionIsAddress: boolean): ProxySections | undefined {
  const proxy = validateProxy(v, top["proxy"]);
  const interceptor = validateInterceptor(v, top["interceptor"], proxy);
  const runtimeConfigurations = validateRuntimeConfigurations(v, top["runtimeConfigurations"], proxy, userFunctionIsAddress);
  if (proxy === undefined) return undefined;
  return { proxy, ...(interceptor === undefined ? {} : { interceptor }), runtimeConfigurations };
}

/** In SDK mode the proxy sections mean nothing: say so rather than ignore them. */
export function rejectProxySections(v: ConfigValidator, top: Fields): void {
  for (const key of PROXY_TOP_KEYS) {
    if (top[key] !== undefined) v.fail(`${key}: only applies with mode: proxy`);
  }
}

function validateProxy(v: ConfigValidator, raw: unknown): ProxyConfig | undefined {
  if (raw === undefined) {
    v.fail("proxy: missing; mode: proxy needs the proxy under test: exactly one of command, image or address");
    return undefined;
  }
  const p = v.object(raw, "proxy", PROXY_KEYS);
  if (p === undefined) return undefined;
  const kind = v.oneOf(p, "proxy", ["command", "image", "address"] as const);
  if (kind === undefined) return undefined;
  const startupTimeoutMs = v.positiveInteger(p["startupTimeoutMs"], "proxy.startupTimeoutMs") ?? DEFAULT_STARTUP_TIMEOUT_MS;
  if (kind === "address") {
    for (const key of ["cwd", "env", "host", "port"] as const) {
      if (p[key] !== undefined) v.fail(`proxy.${key}: does not apply with address (the TCK does not start that proxy)`);
    }
    const address = v.address(p["address"], "proxy.address");
    const httpAddress = p["httpAddress"] === undefined ? undefined : v.address(p["httpAddress"], "proxy.httpAddress");
    return address === undefined ? undefined : { kind: "address", address, ...(httpAddress === undefined ? {} : { httpAddress }), startupTimeoutMs };
  }
  if (p["httpAddress"] !== undefined) v.fail("proxy.httpAddress: only applies with address (a proxy the TCK starts gets HTTP_JSON_PORT)");
  const env = v.env(p["env"], "proxy.env");
  const port = v.port(p["port"], "proxy.port");
  const withPort = port === undefined ? {} : { port };
  if (kind === "image") {
    if (p["cwd"] !== undefined) v.fail("proxy.cwd: does not apply with image");
    const host = v.host(p["host"], "proxy.host");
    const image = v.nonEmptyString(p["image"], "proxy.image");
    return image === undefined ? undefined : { kind: "image", image, env, host, ...withPort, startupTimeoutMs };
  }
  // A proxy started by command listens where HTTP_PORT says, on the TCK's own host.
  if (p["host"] !== undefined) v.fail("proxy.host: does not apply with command (the proxy serves on 127.0.0.1)");
  const command = v.command(p["command"], "proxy.command");
  const cwd = v.optionalPath(p["cwd"], "proxy.cwd") ?? v.base;
  return command === undefined ? undefined : { kind: "command", command, cwd, env, ...withPort, startupTimeoutMs };
}

function validateInterceptor(v: ConfigValidator, raw: unknown, proxy: ProxyConfig | undefined): InterceptorConfig | undefined {
  if (raw === undefined) {
    if (proxy?.kind === "address") {
      v.fail("interceptor: missing; with proxy.address give interceptor: { host, port }, where that proxy was configured to find its user function");
    }
    return undefined;
  }
  const i = v.object(raw, "interceptor", INTERCEPTOR_KEYS);
  if (i === undefined) return undefined;
  if (i["port"] === undefined) {
    v.fail("interceptor.port: missing; give the port the proxy under test connects to as its user function");
    return undefined;
  }
  const port = v.port(i["port"], "interceptor.port");
  const host = i["host"] === undefined ? undefined : v.nonEmptyString(i["host"], "interceptor.host");
  if (port === undefined) return undefined;
  return { ...(host === undefined ? {} : { host }), port };
}

function validateRuntimeConfigurations(
  v: ConfigValidator,
  raw: unknown,
  proxy: ProxyConfig | undefined,
  userFunctionIsAddress: boolean,
): RuntimeConfiguration[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    v.fail(`runtimeConfigurations: must be a list of configurations ({ name, proxyArgs, proxyEnv, userFunctionEnv, cases }), got ${raw === null ? "null" : typeof raw === "object" ? "a mapping" : typeof raw}`);
    return [];
  }
  const out: RuntimeConfiguration[] = [];
  const names = new Map<string, number>();
  raw.forEach((item: unknown, index) => {
    const field = `runtimeConfigurations[${index}]`;
    const rc = v.object(item, field, RUNTIME_KEYS);
    if (rc === undefined) return;
    const name = rc["name"] === undefined ? undefined : v.nonEmptyString(rc["name"], `${field}.name`);
    if (rc["name"] === undefined) v.fail(`${field}.name: missing; its cases are reported as <name>:<case name>`);
    else if (name !== undefined && !NAME.test(name)) {
      v.fail(`${field}.name: must be letters, digits, ".", "_" or "-" (starting with a letter or digit), got ${JSON.stringify(name)}`);
    } else if (name !== undefined) {
      const other = names.get(name);
      if (other !== undefined) v.fail(`${field}.name: ${JSON.stringify(name)} is also the name of runtimeConfigurations[${other}]`);
      names.set(name, index);
    }
    const proxyArgs = rc["proxyArgs"] === undefined ? [] : (v.stringList(rc["proxyArgs"], `${field}.proxyArgs`) ?? []);
    const proxyEnv = v.env(rc["proxyEnv"], `${field}.proxyEnv`);
    const userFunctionEnv = v.env(rc["userFunctionEnv"], `${field}.userFunctionEnv`);
    if (proxy?.kind === "address") {
      for (const key of ["proxyArgs", "proxyEnv"] as const) {
        if (rc[key] !== undefined) v.fail(`${field}.${key}: does not apply with proxy.address (the TCK does not start that proxy)`);
      }
    }
    if (userFunctionIsAddress && rc["userFunctionEnv"] !== undefined) {
      v.fail(`${field}.userFunctionEnv: does not apply with userFunction.address (the TCK does not start that user function)`);
    }
    if (rc["proxyArgs"] === undefined && rc["proxyEnv"] === undefined && rc["userFunctionEnv"] === undefined) {
      v.fail(`${field}: changes nothing; give proxyArgs, proxyEnv or userFunctionEnv`);
    }
    const cases = v.patterns(rc["cases"], `${field}.cases`);
    const excludeCases = v.patterns(rc["excludeCases"], `${field}.excludeCases`);
    const checkIntercepted = rc["checkIntercepted"] ?? false;
    if (typeof checkIntercepted !== "boolean") v.fail(`${field}.checkIntercepted: must be true or false, got ${show(checkIntercepted)}`);
    if (name !== undefined) out.push({ name, proxyArgs, proxyEnv, userFunctionEnv, cases, excludeCases, checkIntercepted: checkIntercepted === true });
  });
  return out;
}
