import { readFileSync } from "node:fs";
import { parse } from "yaml";

/**
 * A spec statement the TCK cannot check from the wire (for example, that the
 * user function releases memory), with why and, where it applies, what checks
 * it instead. Listed in tck/coverage-exclusions.yaml.
 */
export interface CoverageExclusion {
  readonly id: string;
  readonly reason: string;
}

/** A malformed exclusions file. */
export class ExclusionsFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "ExclusionsFileError";
  }
}

/** Reads an exclusions file; see parseExclusions. */
export function readExclusions(file: string): CoverageExclusion[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ExclusionsFileError(file, `cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseExclusions(text, file);
}

const FIELDS = ["id", "reason"];

/**
 * Parses `exclusions: [{ id, reason }, ...]`. Every entry needs a non-empty id
 * and reason and nothing else; an id may be listed once. Whether the ids exist
 * is checked against the spec later (staleExclusions).
 */
export function parseExclusions(text: string, file: string): CoverageExclusion[] {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new ExclusionsFileError(file, `not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (document === null || document === undefined) return [];
  if (!isRecord(document) || Object.keys(document).some((k) => k !== "exclusions")) {
    throw new ExclusionsFileError(file, "expected a mapping with one key, exclusions: a list of { id, reason }");
  }
  const list = document["exclusions"];
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw new ExclusionsFileError(file, "exclusions must be a list of { id, reason }");
  const seen = new Set<string>();
  return list.map((entry: unknown, index) => {
    const where = `exclusion ${index + 1}`;
    if (!isRecord(entry)) throw new ExclusionsFileError(file, `${where}: expected { id, reason }`);
    const unknown = Object.keys(entry).filter((k) => !FIELDS.includes(k));
    if (unknown.length > 0) throw new ExclusionsFileError(file, `${where}: unknown field ${unknown.join(", ")} (fields: ${FIELDS.join(", ")})`);
    const { id, reason } = entry;
    if (typeof id !== "string" || id.trim() === "") throw new ExclusionsFileError(file, `${where}: id must be a non-empty string`);
    if (typeof reason !== "string" || reason.trim() === "") throw new ExclusionsFileError(file, `${where} (${id}): reason must be a non-empty string: say why the TCK cannot check it`);
    const trimmed = id.trim();
    if (seen.has(trimmed)) throw new ExclusionsFileError(file, `${where}: ${trimmed} is excluded twice`);
    seen.add(trimmed);
    return { id: trimmed, reason: reason.replace(/\s+/g, " ").trim() };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
