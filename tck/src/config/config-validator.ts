import { resolve } from "node:path";

/** Default wait for a started process (user function or proxy) to become ready. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
/** Default host a started process listens on. */
export const DEFAULT_HOST = "127.0.0.1";

/** A mapping read from the config, before validation. */
export type Fields = Record<string, unknown>;

/**
 * Checks config values field by field, collecting every problem rather than
 * stopping at the first, so that one edit fixes a file. Each check returns the
 * value when it is valid and undefined (having recorded why) when it is not.
 */
export class ConfigValidator {
  readonly problems: string[] = [];

  /** `base`: the directory relative paths are resolved against. */
  constructor(readonly base: string) {}

  fail(problem: string): void {
    this.problems.push(problem);
  }

  /** A mapping; with `known`, every other key is reported as unknown. */
  object(raw: unknown, field: string, known?: readonly string[]): Fields | undefined {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      this.fail(`${field}: must be a mapping, got ${show(raw)}`);
      return undefined;
    }
    const fields = raw as Fields;
    if (known !== undefined) {
      for (const key of Object.keys(fields)) {
        if (!known.includes(key)) {
          const where = field === "(top level)" ? key : `${field}.${key}`;
          this.fail(`${where}: unknown key (known keys: ${known.join(", ")})`);
        }
      }
    }
    return fields;
  }

  /** Exactly one of `keys` must be given; returns it. */
  oneOf<K extends string>(fields: Fields, field: string, keys: readonly K[]): K | undefined {
    const given = keys.filter((k) => fields[k] !== undefined);
    if (given.length === 1) return given[0];
    const list = `${keys.slice(0, -1).join(", ")} or ${keys[keys.length - 1] ?? ""}`;
    this.fail(`${field}: must give exactly one of ${list}; it gives ${given.length === 0 ? "none" : given.join(" and ")}`);
    return undefined;
  }

  nonEmptyString(raw: unknown, field: string): string | undefined {
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

  optionalPath(raw: unknown, field: string): string | undefined {
    if (raw === undefined) return undefined;
    const path = this.nonEmptyString(raw, field);
    return path === undefined ? undefined : resolve(this.base, path);
  }

  positiveInteger(raw: unknown, field: string): number | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw !== "number" || !Number.isInteger(raw) || raw <= 0) {
      this.fail(`${field}: must be a positive integer (milliseconds), got ${show(raw)}`);
      return undefined;
    }
    return raw;
  }

  port(raw: unknown, field: string): number | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 1 || raw > 65535) {
      this.fail(`${field}: must be an integer from 1 to 65535, got ${show(raw)}`);
      return undefined;
    }
    return raw;
  }

  host(raw: unknown, field: string, fallback: string = DEFAULT_HOST): string {
    if (raw === undefined) return fallback;
    return this.nonEmptyString(raw, field) ?? fallback;
  }

  env(raw: unknown, field: string): Record<string, string> {
    if (raw === undefined) return {};
    const env = this.object(raw, field);
    if (env === undefined) return {};
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(env)) {
      // Numbers and booleans are accepted because YAML makes `PORT: 80` a number.
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = String(value);
      else this.fail(`${field}.${key}: must be a string, number or boolean, got ${show(value)}`);
    }
    return out;
  }

  /** An argv array run directly, or a non-empty string run by the shell. */
  command(raw: unknown, field: string): readonly string[] | string | undefined {
    if (typeof raw === "string") {
      if (raw.trim() !== "") return raw;
      this.fail(`${field}: is empty`);
      return undefined;
    }
    if (Array.isArray(raw)) {
      if (raw.length === 0) {
        this.fail(`${field}: is an empty array; give the program and its arguments`);
        return undefined;
      }
      const argv = this.stringList(raw, field);
      if (argv === undefined) return undefined;
      if (argv[0] === "") {
        this.fail(`${field}[0]: the program name is empty`);
        return undefined;
      }
      return argv;
    }
    this.fail(`${field}: must be an array of strings (argv) or a string run by the shell, got ${show(raw)}`);
    return undefined;
  }

  /** A list of strings (possibly empty). */
  stringList(raw: unknown, field: string): string[] | undefined {
    if (!Array.isArray(raw)) {
      this.fail(`${field}: must be a list of strings, got ${show(raw)}`);
      return undefined;
    }
    const bad = raw.findIndex((a) => typeof a !== "string");
    if (bad >= 0) {
      this.fail(`${field}[${bad}]: must be a string, got ${show(raw[bad])}`);
      return undefined;
    }
    return raw as string[];
  }

  /** One case-name pattern or a list of them; none given is an empty list. */
  patterns(raw: unknown, field: string): string[] {
    if (raw === undefined) return [];
    const list = typeof raw === "string" ? [raw] : this.stringList(raw, field);
    if (list === undefined) return [];
    const empty = list.findIndex((p) => p.trim() === "");
    if (empty >= 0) {
      this.fail(typeof raw === "string" ? `${field}: is empty` : `${field}[${empty}]: is empty`);
      return [];
    }
    return list;
  }

  address(raw: unknown, field: string): string | undefined {
    const address = this.nonEmptyString(raw, field);
    if (address === undefined) return undefined;
    const problem = addressProblem(address);
    if (problem === undefined) return address;
    this.fail(`${field}: ${problem}`);
    return undefined;
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

/** A config value as an error message shows it. */
export function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" ? String(value) : typeof value;
}
