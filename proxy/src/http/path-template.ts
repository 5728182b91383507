// Path templates of google.api.http rules (proto/google/api/http.proto), and matching request
// paths against them (spec/http.md §2):
//
//   Template = "/" Segments [ Verb ] ;
//   Segments = Segment { "/" Segment } ;
//   Segment  = "*" | "**" | LITERAL | Variable ;
//   Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   FieldPath = IDENT { "." IDENT } ;
//   Verb     = ":" LITERAL ;

/** One segment of a template: a fixed text, one segment of any text (`*`), or any number of segments (`**`). */
export type TemplateSegment = { readonly kind: "literal"; readonly value: string } | { readonly kind: "single" } | { readonly kind: "multi" };

/** A variable: the request field it fills, and the template segments `[start, end)` it captures. */
export interface TemplateVariable {
  readonly fieldPath: readonly string[];
  readonly start: number;
  readonly end: number;
}

/** A parsed path template. */
export interface PathTemplate {
  readonly text: string;
  readonly segments: readonly TemplateSegment[];
  readonly variables: readonly TemplateVariable[];
  /** The custom verb after the last `:`, if any (`/v1/{name}:cancel` → `cancel`). */
  readonly verb: string | undefined;
}

/** A template that does not follow the grammar; the message says where. */
export class TemplateError extends Error {
  constructor(template: string, problem: string) {
    super(`path template ${JSON.stringify(template)}: ${problem}`);
    this.name = "TemplateError";
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Characters a literal segment may hold: unreserved, sub-delims, ':' '@' and percent escapes (RFC 3986 pchar).
const LITERAL = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;

/** Parses a path template; throws {@link TemplateError}. */
export function parseTemplate(text: string): PathTemplate {
  const fail = (problem: string): never => {
    throw new TemplateError(text, problem);
  };
  if (!text.startsWith("/")) fail("must start with /");
  let body = text.slice(1);
  let verb: string | undefined;
  // The verb is a ':' after the last '/' that is outside every variable.
  const lastSlash = lastIndexOutsideBraces(body, "/");
  const colon = lastIndexOutsideBraces(body, ":");
  if (colon > lastSlash) {
    verb = body.slice(colon + 1);
    body = body.slice(0, colon);
    if (!LITERAL.test(verb) || verb.includes(":")) fail(`invalid verb ${JSON.stringify(verb)}`);
  }
  const segments: TemplateSegment[] = [];
  const variables: TemplateVariable[] = [];
  let i = 0;
  const readSegments = (inVariable: boolean): void => {
    for (;;) {
      if (body[i] === "{") {
        if (inVariable) fail("variables cannot nest");
        i++;
        const close = body.indexOf("}", i);
        if (close < 0) fail("unclosed {");
        const inside = body.slice(i, close);
        const eq = inside.indexOf("=");
        const path = eq < 0 ? inside : inside.slice(0, eq);
        const fieldPath = path.split(".");
        if (!fieldPath.every((p) => IDENT.test(p))) fail(`invalid field path ${JSON.stringify(path)}`);
        if (variables.some((v) => v.fieldPath.join(".") === path)) fail(`field ${path} is bound twice`);
        const start = segments.length;
        if (eq < 0) {
          segments.push({ kind: "single" });
          i = close + 1;
        } else {
          const outer = body;
          body = inside.slice(eq + 1);
          const resume = close + 1;
          i = 0;
          if (body === "") fail(`variable ${path} has an empty pattern`);
          readSegments(true);
          body = outer;
          i = resume;
        }
        variables.push({ fieldPath, start, end: segments.length });
      } else {
        let end = body.indexOf("/", i);
        if (end < 0) end = body.length;
        const segment = body.slice(i, end);
        i = end;
        if (segment === "*") segments.push({ kind: "single" });
        else if (segment === "**") segments.push({ kind: "multi" });
        else if (segment === "") fail("empty segment");
        else if (!LITERAL.test(segment) || segment.includes("*")) fail(`invalid segment ${JSON.stringify(segment)}`);
        else segments.push({ kind: "literal", value: decodeSegment(segment) });
      }
      if (i >= body.length) return;
      if (body[i] !== "/") fail(`unexpected ${JSON.stringify(body[i])} after a variable`);
      i++;
      if (i >= body.length) fail("empty segment");
    }
  };
  if (body === "") fail("needs at least one segment");
  readSegments(false);
  const multi = segments.findIndex((s) => s.kind === "multi");
  // Matching stays linear and unambiguous when `**` can only swallow the end of the path.
  if (multi >= 0 && multi !== segments.length - 1) fail("** must be the last segment");
  return { text, segments, variables, verb };
}

function lastIndexOutsideBraces(text: string, char: string): number {
  let depth = 0;
  let found = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (c === char && depth === 0) found = i;
  }
  return found;
}

/** A request path matched against a template: the raw text of each variable, by field path. */
export interface TemplateMatch {
  readonly bindings: ReadonlyMap<string, string>;
}

/**
 * Matches a request path (as sent: percent-encoded, without query) against a template.
 * A variable of one segment gets its text fully decoded; a variable of several segments keeps
 * `%2F` encoded, so that its `/` separators stay distinguishable (HTTP-6).
 * Returns undefined when the path does not match, or is not validly encoded.
 */
export function matchTemplate(template: PathTemplate, path: string): TemplateMatch | undefined {
  if (!path.startsWith("/")) return undefined;
  let rest = path.slice(1);
  if (template.verb !== undefined) {
    const suffix = `:${template.verb}`;
    if (!rest.endsWith(suffix)) return undefined;
    rest = rest.slice(0, -suffix.length);
  }
  const parts = rest === "" ? [] : rest.split("/");
  const segs = template.segments;
  const last = segs[segs.length - 1];
  const hasMulti = last?.kind === "multi";
  const fixed = hasMulti ? segs.length - 1 : segs.length;
  if (hasMulti ? parts.length < fixed : parts.length !== fixed) return undefined;
  for (let k = 0; k < fixed; k++) {
    const seg = segs[k];
    const part = parts[k] ?? "";
    if (part === "") return undefined;
    if (seg?.kind === "literal") {
      const decoded = safeDecode(part);
      if (decoded !== seg.value) return undefined;
    }
  }
  if (hasMulti && parts.slice(fixed).some((p) => p === "")) return undefined;
  const bindings = new Map<string, string>();
  for (const v of template.variables) {
    const captured = v.end === segs.length && hasMulti ? parts.slice(v.start) : parts.slice(v.start, v.end);
    const single = v.end - v.start === 1 && segs[v.start]?.kind === "single";
    const value = single ? safeDecode(captured[0] ?? "") : decodeKeepingSlashes(captured.join("/"));
    if (value === undefined) return undefined;
    bindings.set(v.fieldPath.join("."), value);
  }
  return { bindings };
}

/**
 * How specific a template is, for choosing among several that match one path: compared
 * segment by segment, a literal beats `*`, which beats `**`; then a verb beats none.
 */
export function specificity(template: PathTemplate): number[] {
  const score = template.segments.map((s) => (s.kind === "literal" ? 3 : s.kind === "single" ? 2 : 1));
  return [...score, template.verb === undefined ? 0 : 1];
}

/** Compares two specificities: positive when `a` is more specific. */
export function compareSpecificity(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The shape of a template, equal for two templates exactly when they match the same paths:
 * variable names do not matter, only literals, wildcards and the verb.
 */
export function templateShape(template: PathTemplate): string {
  const segs = template.segments.map((s) => (s.kind === "literal" ? `=${encodeURIComponent(s.value)}` : s.kind === "single" ? "*" : "**"));
  return `/${segs.join("/")}${template.verb === undefined ? "" : `:${template.verb}`}`;
}

function decodeSegment(text: string): string {
  const decoded = safeDecode(text);
  return decoded ?? text;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function decodeKeepingSlashes(text: string): string | undefined {
  const pieces = text.split(/%2F/i).map(safeDecode);
  if (pieces.some((p) => p === undefined)) return undefined;
  return pieces.join("%2F");
}
