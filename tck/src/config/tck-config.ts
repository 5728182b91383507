import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { errorMessage } from "../report/error-message.js";
import { ConfigValidator, DEFAULT_HOST, DEFAULT_STARTUP_TIMEOUT_MS, type Fields, show } from "./config-validator.js";
import {
  type InterceptorConfig,
  PROXY_TOP_KEYS,
  type ProxyConfig,
  rejectProxySections,
  type RuntimeConfiguration,
  validateProxySections,
} from "./proxy-section.js";

export { addressProblem, DEFAULT_HOST, DEFAULT_STARTUP_TIMEOUT_MS } from "./config-validator.js";
export type { AddressProxy, CommandProxy, ImageProxy, InterceptorConfig, ProxyConfig, RuntimeConfiguration } from "./proxy-section.js";

/** What the TCK certifies: a user function (the TCK plays the proxy) or a proxy. */
export type TckMode = "sdk" | "proxy";

/** Default port for image mode (command mode picks a free port instead). */
export const DEFAULT_IMAGE_PORT = 8080;

/** A user function the TCK starts as a child process. */
export interface CommandUserFunction {
  readonly kind: "command";
  /** An argv array run directly, or a string run by the shell. */
  readonly command: readonly string[] | string;
  /** Absolute working directory. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly host: string;
  /** Unset: the TCK picks a free port. */
  readonly port?: number;
  readonly startupTimeoutMs: number;
}

/** A user function the TCK runs as a container with `docker compose`. */
export interface ImageUserFunction {
  readonly kind: "image";
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  /** Host interface the container port is published on. */
  readonly host: string;
  readonly port: number;
  readonly startupTimeoutMs: number;
}

/** A user function that is already running; the TCK neither starts nor stops it. */
export interface AddressUserFunction {
  readonly kind: "address";
  /** `host:port` */
  readonly address: string;
  readonly startupTimeoutMs: number;
}

export type UserFunctionConfig = CommandUserFunction | ImageUserFunction | AddressUserFunction;

/** A validated TCK configuration; every path in it is absolute. */
export interface TckConfig {
  /** The file it was read from, if any. */
  readonly file?: string;
  readonly mode: TckMode;
  readonly userFunction: UserFunctionConfig;
  readonly knownFailures?: string;
  readonly reports: { readonly json?: string; readonly junit?: string };
  /** Proxy mode only (always set then): the proxy under test. In proxy mode `userFunction` is the reference user function. */
  readonly proxy?: ProxyConfig;
  /** Proxy mode only: where the interceptor listens (required for an already-running proxy). */
  readonly interceptor?: InterceptorConfig;
  /** Proxy mode only: extra runs of the cases against a proxy with other settings. */
  readonly runtimeConfigurations?: readonly RuntimeConfiguration[];
}

/** A config file that cannot be used; the message names the file and every bad field. */
export class TckConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      problems.length === 1
        ? `${file}: ${problems[0] ?? ""}`
        : `${file}: ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "TckConfigError";
  }
}

/** Reads and validates a YAML or JSON config file. Relative paths in it are resolved against its directory. */
export function loadTckConfig(file: string): TckConfig {
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    throw new TckConfigError(absolute, [`cannot read the file: ${errorMessage(error)}`]);
  }
  return parseTckConfig(text, absolute);
}

/**
 * Validates config text (YAML, of which JSON is a subset). `file` names the
 * source in errors, and its directory is the base for relative paths.
 */
export function parseTckConfig(text: string, file: string): TckConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new TckConfigError(file, [`not valid YAML or JSON: ${errorMessage(error)}`]);
  }
  const v = new ConfigValidator(dirname(resolve(file)));
  const config = validateConfig(v, raw);
  if (v.problems.length > 0 || config === undefined) throw new TckConfigError(file, v.problems);
  return { file: resolve(file), ...config };
}

const TOP_KEYS = ["mode", "userFunction", "knownFailures", "reports", ...PROXY_TOP_KEYS] as const;
const USER_FUNCTION_KEYS = ["command", "image", "address", "cwd", "env", "host", "port", "startupTimeoutMs"] as const;
const REPORT_KEYS = ["json", "junit"] as const;

function validateConfig(v: ConfigValidator, raw: unknown): Omit<TckConfig, "file"> | undefined {
  if (raw === null || raw === undefined) {
    v.fail("the file is empty; it must at least give userFunction");
    return undefined;
  }
  const top = v.object(raw, "(top level)", TOP_KEYS);
  if (top === undefined) return undefined;
  const mode = validateMode(v, top["mode"]);
  const userFunction = validateUserFunction(v, top["userFunction"]);
  const knownFailures = v.optionalPath(top["knownFailures"], "knownFailures");
  const reportsRaw = top["reports"] === undefined ? {} : v.object(top["reports"], "reports", REPORT_KEYS);
  const json = v.optionalPath(reportsRaw?.["json"], "reports.json");
  const junit = v.optionalPath(reportsRaw?.["junit"], "reports.junit");
  let proxySections: ReturnType<typeof validateProxySections>;
  if (mode === "proxy") proxySections = validateProxySections(v, top, userFunction?.kind === "address");
  else rejectProxySections(v, top);
  if (userFunction === undefined) return undefined;
  return {
    mode,
    userFunction,
    ...(knownFailures === undefined ? {} : { knownFailures }),
    reports: { ...(json === undefined ? {} : { json }), ...(junit === undefined ? {} : { junit }) },
    ...(proxySections ?? {}),
  };
}

function validateMode(v: ConfigValidator, raw: unknown): TckMode {
  if (raw === undefined) return "sdk";
  if (raw === "sdk" || raw === "proxy") return raw;
  v.fail(`mode: must be "sdk" or "proxy", got ${show(raw)}`);
  return "sdk";
}

function validateUserFunction(v: ConfigValidator, raw: unknown): UserFunctionConfig | undefined {
  if (raw === undefined) {
    v.fail("userFunction: missing; it must give exactly one of command, image or address");
    return undefined;
  }
  const uf: Fields | undefined = v.object(raw, "userFunction", USER_FUNCTION_KEYS);
  if (uf === undefined) return undefined;
  const kind = v.oneOf(uf, "userFunction", ["command", "image", "address"] as const);
  if (kind === undefined) return undefined;
  const startupTimeoutMs = v.positiveInteger(uf["startupTimeoutMs"], "userFunction.startupTimeoutMs") ?? DEFAULT_STARTUP_TIMEOUT_MS;
  if (kind === "address") {
    // Settings for starting a process mean nothing for one the TCK does not start.
    for (const key of ["cwd", "env", "host", "port"] as const) {
      if (uf[key] !== undefined) v.fail(`userFunction.${key}: does not apply with address (the TCK does not start that user function)`);
    }
    const address = v.address(uf["address"], "userFunction.address");
    return address === undefined ? undefined : { kind: "address", address, startupTimeoutMs };
  }
  const env = v.env(uf["env"], "userFunction.env");
  const host = v.host(uf["host"], "userFunction.host", DEFAULT_HOST);
  const port = v.port(uf["port"], "userFunction.port");
  if (kind === "image") {
    if (uf["cwd"] !== undefined) v.fail("userFunction.cwd: does not apply with image");
    const image = v.nonEmptyString(uf["image"], "userFunction.image");
    if (image === undefined) return undefined;
    return { kind: "image", image, env, host, port: port ?? DEFAULT_IMAGE_PORT, startupTimeoutMs };
  }
  const command = v.command(uf["command"], "userFunction.command");
  const cwd = v.optionalPath(uf["cwd"], "userFunction.cwd") ?? v.base;
  if (command === undefined) return undefined;
  return { kind: "command", command, cwd, env, host, ...(port === undefined ? {} : { port }), startupTimeoutMs };
}
