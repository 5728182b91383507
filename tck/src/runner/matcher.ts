import type { JsonValue } from "@bufbuild/protobuf";

export interface MatchOptions {
  /**
   * Paths (`a.b`, `a.list[].c`) whose values are not compared. A list segment may select the
   * elements whose field has a value, `a.list[key=ce-time]` (those elements are left out on both
   * sides) or `a.list[key=ce-time].value` (that field of those elements is not compared).
   */
  readonly ignore?: readonly string[];
  /** Paths of lists compared as multisets. */
  readonly unordered?: readonly string[];
}

export interface Difference {
  readonly path: string;
  readonly expected: JsonValue | undefined;
  readonly actual: JsonValue | undefined;
}

/** Differences between an expected and an actual message, both in canonical proto3 JSON. */
export function compareJson(expected: JsonValue, actual: JsonValue, options: MatchOptions = {}): Difference[] {
  const selecting = (options.ignore ?? []).filter((p) => SELECTOR.test(p));
  const ignore = new Set((options.ignore ?? []).filter((p) => !SELECTOR.test(p)));
  const unordered = new Set(options.unordered ?? []);
  const out: Difference[] = [];
  let e: JsonValue = expected;
  let a: JsonValue = actual;
  for (const path of selecting) {
    e = without(e, path.split(".")) ?? null;
    a = without(a, path.split(".")) ?? null;
  }
  walk(e, a, "", ignore, unordered, out);
  return out;
}

/** A list segment selecting elements by a field's value: `name[field=value]`. */
const SELECTOR = /\[[^\]=]+=[^\]]*\]/;
const SEGMENT = /^(.*?)(?:\[(?:([^\]=]+)=([^\]]*))?\])?$/;

/** Whether a list element is selected by `[field=value]` (any element when `field` is undefined). */
function selected(element: JsonValue | undefined, field: string | undefined, value: string | undefined): boolean {
  if (field === undefined) return true;
  if (!isObject(element)) return false;
  const v = element[field];
  return v !== undefined && v !== null && typeof v !== "object" && String(v) === value;
}

/** `value` without what `segments` reaches (a field, or the selected elements of a list); undefined: remove it all. */
function without(value: JsonValue | undefined, segments: readonly string[]): JsonValue | undefined {
  const [segment, ...rest] = segments;
  if (segment === undefined || !isObject(value)) return value;
  const [, name = "", field, fieldValue] = SEGMENT.exec(segment) ?? [];
  const isList = segment.endsWith("]");
  if (!(name in value)) return value;
  const child = value[name];
  if (!isList && rest.length === 0) return Object.fromEntries(Object.entries(value).filter(([key]) => key !== name));
  const copy: { [key: string]: JsonValue } = { ...value };
  if (!isList) {
    copy[name] = without(child, rest) ?? null;
    return copy;
  }
  if (!Array.isArray(child)) return value;
  copy[name] =
    rest.length === 0
      ? child.filter((el) => !selected(el, field, fieldValue))
      : child.map((el) => (selected(el, field, fieldValue) ? (without(el, rest) ?? null) : el));
  return copy;
}

function walk(expected: JsonValue | undefined, actual: JsonValue | undefined, path: string, ignore: Set<string>, unordered: Set<string>, out: Difference[]): void {
  if (ignore.has(path)) return;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const elementPath = `${path}[]`;
    if (unordered.has(path)) {
      compareUnordered(expected, actual, path, elementPath, ignore, unordered, out);
      return;
    }
    // Ignoring `list[]` ignores the elements' values, not how many there are.
    if (ignore.has(elementPath) && expected.length !== actual.length) {
      out.push({ path: `${path}.length`, expected: expected.length, actual: actual.length });
      return;
    }
    const length = Math.max(expected.length, actual.length);
    for (let i = 0; i < length; i++) {
      const before = out.length;
      walk(expected[i], actual[i], elementPath, ignore, unordered, out);
      for (let j = before; j < out.length; j++) {
        const d = out[j];
        if (d) out[j] = { ...d, path: d.path.replace(elementPath, `${path}[${i}]`) };
      }
    }
    return;
  }
  if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      walk(expected[key], actual[key], path === "" ? key : `${path}.${key}`, ignore, unordered, out);
    }
    return;
  }
  if (!equalJson(expected, actual)) out.push({ path: path === "" ? "(message)" : path, expected, actual });
}

function compareUnordered(
  expected: JsonValue[],
  actual: JsonValue[],
  path: string,
  elementPath: string,
  ignore: Set<string>,
  unordered: Set<string>,
  out: Difference[],
): void {
  const remaining = [...actual];
  const missing: JsonValue[] = [];
  for (const e of expected) {
    const index = remaining.findIndex((a) => {
      const probe: Difference[] = [];
      walk(e, a, elementPath, ignore, unordered, probe);
      return probe.length === 0;
    });
    if (index === -1) missing.push(e);
    else remaining.splice(index, 1);
  }
  if (missing.length > 0 || remaining.length > 0) {
    out.push({ path: `${path} (any order)`, expected: missing.length > 0 ? missing : undefined, actual: remaining.length > 0 ? remaining : undefined });
  }
}

/**
 * Checks of an actual message that do not compare exact values: text at a
 * path must contain the given text, or a path must hold a non-default value.
 * Paths are dot-separated JSON names; `[]` stands for every list element,
 * `[field=value]` for the elements whose field has that value.
 */
export function looseDifferences(actual: JsonValue, contains: Readonly<Record<string, string>>, present: readonly string[]): Difference[] {
  const out: Difference[] = [];
  for (const [path, text] of Object.entries(contains)) {
    for (const value of valuesAt(actual, path)) {
      if (typeof value !== "string" || !value.includes(text)) out.push({ path, expected: `(text containing "${text}")`, actual: value });
    }
  }
  for (const path of present) {
    const values = valuesAt(actual, path);
    if (values.length === 0 || values.some((v) => v === undefined || isEmptyValue(v))) out.push({ path, expected: "(a non-default value)", actual: values[0] });
  }
  return out;
}

function isEmptyValue(value: JsonValue): boolean {
  return value === "" || value === 0 || value === "0" || value === false || value === null || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
}

/** Every value at a path; an absent value counts as one `undefined`. */
function valuesAt(value: JsonValue | undefined, path: string): (JsonValue | undefined)[] {
  let current: (JsonValue | undefined)[] = [value];
  for (const segment of path.split(".")) {
    const list = segment.endsWith("]");
    const [, key = "", field, fieldValue] = SEGMENT.exec(segment) ?? [];
    current = current.flatMap((v) => {
      const next = isObject(v) ? v[key] : undefined;
      return list ? (Array.isArray(next) ? next.filter((el) => selected(el, field, fieldValue)) : []) : [next];
    });
  }
  return current;
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function equalJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equalJson(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!equalJson(a[key], b[key])) return false;
    return true;
  }
  return false;
}

/** How renderDiff names the two sides. */
export interface DiffLabels {
  /** The `---` side (`-` lines). */
  readonly expected: string;
  /** The `+++` side (`+` lines). */
  readonly actual: string;
}

const EXPECTED_ACTUAL: DiffLabels = { expected: "expected", actual: "actual" };

/**
 * A readable account of a mismatch: the differing paths, then a line diff of
 * the two messages pretty-printed (`-` expected only, `+` actual only). With
 * `labels`, the two sides are named otherwise (e.g. two proxies compared).
 */
export function renderDiff(expected: JsonValue, actual: JsonValue, differences: readonly Difference[], labels: DiffLabels = EXPECTED_ACTUAL): string {
  const lines: string[] = [];
  for (const d of differences) {
    lines.push(
      labels === EXPECTED_ACTUAL
        ? `at ${d.path}: expected ${show(d.expected)}, got ${show(d.actual)}`
        : `at ${d.path}: ${labels.expected} has ${show(d.expected)}, ${labels.actual} has ${show(d.actual)}`,
    );
  }
  lines.push(`--- ${labels.expected}`, `+++ ${labels.actual}`);
  lines.push(...lineDiff(JSON.stringify(expected, null, 2).split("\n"), JSON.stringify(actual, null, 2).split("\n")));
  return lines.join("\n");
}

function show(value: JsonValue | undefined): string {
  return value === undefined ? "(absent)" : JSON.stringify(value);
}

/** Longest-common-subsequence line diff; messages are small, so quadratic is fine. */
export function lineDiff(a: readonly string[], b: readonly string[]): string[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] = a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i] ?? ""}`);
      i++;
      j++;
    } else if (i < n && (j === m || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      out.push(`- ${a[i] ?? ""}`);
      i++;
    } else {
      out.push(`+ ${b[j] ?? ""}`);
      j++;
    }
  }
  return out;
}
