import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { errorMessage } from "../report/error-message.js";

/** What the TCK certifies: a user function (the TCK plays the proxy) or a proxy. */
export type TckMode = "sdk" | "proxy";

/** Default wait for the user function to answer discovery. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
/** Default host a started user function listens on. */
export const DEFAULT_HOST = "127.0.0.1";
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
  const v = new Validator(dirname(resolve(file)));
  const config = v.config(raw);
  if (v.problems.length > 0 || config === undefined) throw new TckConfigError(file, v.problems);
  return { file: resolve(file), ...config };
}

const TOP_KEYS = ["mode", "userFunction", "knownFailures", "reports"] as const;
const USER_FUNCTION_KEYS = ["command", "image", "address", "cwd", "env", "host", "port", "startupTimeoutMs"] as const;
const REPORT_KEYS = ["json", "junit"] as const;

type Fields = Record<string, unknown>;

/** Collects every problem rather than stopping at the first, so one edit fixes a file. */
class Validator {
  readonly problems: string[] = [];

  constructor(private readonly base: string) {}

  config(raw: unknown): Omit<TckConfig, "file"> | undefined {
    if (raw === null || raw === undefined) {
      this.fail("the file is empty; it must at least give userFunction");
      return undefined;
    }
    const top = this.object(raw, "(top level)", TOP_KEYS);
    if (top === undefined) return undefined;
    const mode = this.mode(top["mode"]);
    const userFunction = this.userFunction(top["userFunction"]);
    const knownFailures = this.optionalPath(top["knownFailures"], "knownFailures");
    const reportsRaw = top["reports"] === undefined ? {} : this.object(top["reports"], "reports", REPORT_KEYS);
    const json = this.optionalPath(reportsRaw?.["json"], "reports.json");
    const junit = this.optionalPath(reportsRaw?.["junit"], "reports.junit");
    if (userFunction === undefined) return undefined;
    return {
      mode,
      userFunction,
      ...(knownFailures === undefined ? {} : { knownFailures }),
      reports: { ...(json === undefined ? {} : { json }), ...(junit === undefined ? {} : { junit }) },
    };
  }

  private mode(raw: unknown): TckMode {
    if (raw === undefined) return "sdk";
    if (raw === "sdk" || raw === "proxy") return raw;
    this.problems.push(`mode: must be "sdk" or "proxy", got ${show(raw)}`);
    return "sdk";
  }

  private userFunction(raw: unknown): UserFunctionConfig | undefined {
    if (raw === undefined) {
      this.problems.push("userFunction: missing; it must give exactly one of command, image or address");
      return undefined;
    }
    const uf = this.object(raw, "userFunction", USER_FUNCTION_KEYS);
    if (uf === undefined) return undefined;
    const given = (["command", "image", "address"] as const).filter((k) => uf[k] !== undefined);
    if (given.length !== 1) {
      this.problems.push(
        given.length === 0
          ? "userFunction: must give exactly one of command, image or address; it gives none"
          : `userFunction: must give exactly one of command, image or address; it gives ${given.join(" and ")}`,
      );
      return undefined;
    }
    const startupTimeoutMs = this.positiveInteger(uf["startupTimeoutMs"], "userFunction.startupTimeoutMs") ?? DEFAULT_STARTUP_TIMEOUT_MS;
    if (uf["address"] !== undefined) {
      // Settings for starting a process mean nothing for one the TCK does not start.
      for (const key of ["cwd", "env", "host", "port"] as const) {
        if (uf[key] !== undefined) this.problems.push(`userFunction.${key}: does not apply with address (the TCK does not start that user function)`);
      }
      const address = this.address(uf["address"]);
      return address === undefined ? undefined : { kind: "address", address, startupTimeoutMs };
    }
    const env = this.env(uf["env"]);
    const host = this.host(uf["host"]);
    const port = this.port(uf["port"]);
    if (uf["image"] !== undefined) {
      if (uf["cwd"] !== undefined) this.problems.push("userFunction.cwd: does not apply with image");
      const image = this.nonEmptyString(uf["image"], "userFunction.image");
      if (image === undefined) return undefined;
      return { kind: "image", image, env, host, port: port ?? DEFAULT_IMAGE_PORT, startupTimeoutMs };
    }
    const command = this.command(uf["command"]);
    const cwd = this.optionalPath(uf["cwd"], "userFunction.cwd") ?? this.base;
    if (command === undefined) return undefined;
    return { kind: "command", command, cwd, env, host, ...(port === undefined ? {} : { port }), startupTimeoutMs };
  }

  private command(raw: unknown): readonly string[] | string | undefined {
    if (typeof raw === "string") {
      if (raw.trim() !== "") return raw;
      this.fail("userFunction.command: is empty");
      return undefined;
    }
    if (Array.isArray(raw)) {
      if (raw.length === 0) {
        this.fail("userFunction.command: is an empty array; give the program and its arguments");
        return undefined;
      }
      const bad = raw.findIndex((a) => typeof a !== "string");
      if (bad >= 0) {
        this.fail(`userFunction.command[${bad}]: must be a string, got ${show(raw[bad])}`);
        return undefined;
      }
      const argv = raw as string[];
      if (argv[0] === "") {
        this.fail("userFunction.command[0]: the program name is empty");
        return undefined;
      }
      return argv;
    }
    this.fail(`userFunction.command: must be an array of strings (argv) or a string run by the shell, got ${show(raw)}`);
    return undefined;
  }

  private address(raw: unknown): string | undefined {
    const address = this.nonEmptyString(raw, "userFunction.address");
    if (address === undefined) return undefined;
    const problem = addressProblem(address);
    if (problem === undefined) return address;
    this.fail(`userFunction.address: ${problem}`);
    return undefined;
  }

  private env(raw: unknown): Record<string, string> {
    if (raw === undefined) return {};
    const env = this.object(raw, "userFunction.env");
    if (env === undefined) return {};
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(env)) {
      // Numbers and booleans are accepted because YAML makes `PORT: 80` a number.
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = String(value);
      else this.problems.push(`userFunction.env.${key}: must be a string, number or boolean, got ${show(value)}`);
    }
    return out;
  }

  private host(raw: unknown): string {
    if (raw === undefined) return DEFAULT_HOST;
    return this.nonEmptyString(raw, "userFunction.host") ?? DEFAULT_HOST;
  }

  private port(raw: unknown): number | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 1 || raw > 65535) {
      this.fail(`userFunction.port: must be an integer from 1 to 65535, got ${show(raw)}`);
      return undefined;
    }
    return raw;
  }

  private positiveInteger(raw: unknown, field: string): number | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw !== "number" || !Number.isInteger(raw) || raw <= 0) {
      this.fail(`${field}: must be a positive integer (milliseconds), got ${show(raw)}`);
      return undefined;
    }
    return raw;
  }

  private optionalPath(raw: unknown, field: string): string | undefined {
    if (raw === undefined) return undefined;
    const path = this.nonEmptyString(raw, field);
    return path === undefined ? undefined : resolve(this.base, path);
  }

  private nonEmptyString(raw: unknown, field: string): string | undefined {
    if (typeof raw !== "string") {
      this.fail(`${field}: must be a string, got ${show(raw)}`);
      return undefined;
    }
    if (raw.trim() === "") {
      this.fail(`${field}: is empty`);
      return undefined;
    }
    return raw;
  }

  private object(raw: unknown, field: string, known?: readonly string[]): Fields | undefined {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      this.fail(`${field}: must be a mapping, got ${show(raw)}`);
      return undefined;
    }
    const fields = raw as Fields;
    if (known !== undefined) {
      for (const key of Object.keys(fields)) {
        if (!known.includes(key)) {
          const where = field === "(top level)" ? key : `${field}.${key}`;
          this.problems.push(`${where}: unknown key (known keys: ${known.join(", ")})`);
        }
      }
    }
    return fields;
  }

  private fail(problem: string): void {
    this.problems.push(problem);
  }
}

/** Why `address` is not a usable `host:port`, or undefined when it is. */
export function addressProblem(address: string): string | undefined {
  const match = /^(.+):(\d+)$/.exec(address);
  const port = match?.[2] === undefined ? NaN : Number(match[2]);
  return Number.isInteger(port) && port >= 1 && port <= 65535
    ? undefined
    : `must be host:port with a port from 1 to 65535, got ${JSON.stringify(address)}`;
}

function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" ? String(value) : typeof value;
}
