import { type DescField, type DescMessage, type DescMethod, getOption, hasOption, isMessage, toBinary } from "@bufbuild/protobuf";
import { contractsRegistry, googleApi } from "@cloudstate/protocol";
import type { MethodSpec, ServiceSpec } from "../discovery/user-spec.js";
import { parseTemplate, type PathTemplate, TemplateError, templateShape } from "./path-template.js";

/** What the HTTP body of a request fills (spec/http.md §2). */
export type BodyBinding = { readonly kind: "none" } | { readonly kind: "all" } | { readonly kind: "field"; readonly field: DescField };

/** One way of reaching a method over HTTP/JSON: a verb and a path template, and how the bodies map. */
export interface HttpRoute {
  readonly method: MethodSpec;
  /** The HTTP method, upper case for the standard verbs (`GET`), as written for custom ones. */
  readonly httpMethod: string;
  readonly template: PathTemplate;
  /** For each path variable (by its dotted field path), the fields from the request message down. */
  readonly pathFields: ReadonlyMap<string, readonly DescField[]>;
  readonly body: BodyBinding;
  /** The response field sent as the body; undefined for the whole response. */
  readonly responseBody: DescField | undefined;
  /** True for the `POST /<service>/<method>` route of a method without a rule (HTTP-3). */
  readonly isDefault: boolean;
  /** `POST /cart/{user_id}/items/add`, for messages. */
  readonly description: string;
}

/** The routes of a spec, or the problems that make its rules unservable. */
export interface CompiledRoutes {
  readonly routes: readonly HttpRoute[];
  /** One sentence per problem, each naming its method (HTTP-4). */
  readonly problems: readonly string[];
}

/** The `google.api.http` option of a method, if it has one. */
export function httpRuleOf(method: DescMethod): googleApi.HttpRule | undefined {
  const extension = contractsRegistry().getExtension("google.api.http");
  if (extension?.fieldKind !== "message" || !hasOption(method, extension)) return undefined;
  const value = getOption(method, extension);
  // The option is decoded by reflection; the generated type reads more plainly.
  return isMessage(value) ? googleApi.HttpRule.decode(toBinary(extension.message, value)) : undefined;
}

/**
 * Compiles the HTTP routes of every method of the services: its `google.api.http` rule and
 * additional bindings, or the default route when it has none (spec/http.md HTTP-2, HTTP-3).
 * Collects every problem (HTTP-4) instead of failing at the first.
 */
export function compileHttpRoutes(services: Iterable<ServiceSpec>): CompiledRoutes {
  const routes: HttpRoute[] = [];
  const problems: string[] = [];
  for (const service of services) {
    for (const method of service.methods.values()) {
      const where = `${service.name}.${method.name}`;
      const rule = httpRuleOf(method.service.descriptor.methods.find((m) => m.name === method.name) ?? missing(where));
      if (rule === undefined) {
        routes.push(defaultRoute(method));
        continue;
      }
      const compile = (r: googleApi.HttpRule, nested: boolean) => {
        const route = compileRule(method, r, where, problems);
        if (route !== undefined) routes.push(route);
        if (nested && r.additionalBindings.length > 0) {
          problems.push(`${where}: an additional binding of its google.api.http rule has additional bindings of its own; they cannot nest (HTTP-4)`);
        }
      };
      compile(rule, false);
      for (const extra of rule.additionalBindings) compile(extra, true);
    }
  }
  problems.push(...conflicts(routes));
  return { routes, problems };
}

function missing(where: string): never {
  throw new Error(`${where} is not in its service descriptor`);
}

function defaultRoute(method: MethodSpec): HttpRoute {
  return {
    method,
    httpMethod: "POST",
    template: parseTemplate(method.path),
    pathFields: new Map(),
    body: { kind: "all" },
    responseBody: undefined,
    isDefault: true,
    description: `POST ${method.path}`,
  };
}

function compileRule(method: MethodSpec, rule: googleApi.HttpRule, where: string, problems: string[]): HttpRoute | undefined {
  const pattern = rule.pattern;
  if (pattern === undefined) {
    problems.push(`${where}: a google.api.http rule has no verb and path (get, put, post, delete, patch or custom) (HTTP-4)`);
    return undefined;
  }
  const httpMethod = pattern.$case === "custom" ? pattern.value.kind : pattern.$case.toUpperCase();
  const text = pattern.$case === "custom" ? pattern.value.path : pattern.value;
  const description = `${httpMethod} ${text}`;
  const problem = (p: string) => problems.push(`${where}: google.api.http rule ${JSON.stringify(description)}: ${p} (HTTP-4)`);
  if (!/^[A-Za-z]+$/.test(httpMethod)) {
    problem(`${JSON.stringify(httpMethod)} is not an HTTP method`);
    return undefined;
  }
  let template: PathTemplate;
  try {
    template = parseTemplate(text);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    problem(error.message);
    return undefined;
  }
  const before = problems.length;
  const pathFields = new Map<string, readonly DescField[]>();
  for (const variable of template.variables) {
    const path = variable.fieldPath.join(".");
    const fields = resolveFieldPath(method.input, variable.fieldPath);
    if (typeof fields === "string") problem(`path variable {${path}}: ${fields}`);
    else pathFields.set(path, fields);
  }
  let body: BodyBinding = { kind: "none" };
  if (rule.body === "*") body = { kind: "all" };
  else if (rule.body !== "") {
    const field = method.input.fields.find((f) => f.name === rule.body);
    if (field === undefined) problem(`body field ${rule.body} is not a field of ${method.input.typeName}`);
    else if (pathFields.has(field.name)) problem(`body field ${rule.body} is also bound by the path`);
    else body = { kind: "field", field };
  }
  if (httpMethod === "GET" && rule.body !== "") problem("a GET rule cannot take a body");
  let responseBody: DescField | undefined;
  if (rule.responseBody !== "") {
    responseBody = method.output.fields.find((f) => f.name === rule.responseBody);
    if (responseBody === undefined) problem(`response_body field ${rule.responseBody} is not a field of ${method.output.typeName}`);
  }
  const streamedIn = method.shape === "client_streaming" || method.shape === "bidi_streaming";
  if (streamedIn && (template.variables.length > 0 || rule.body !== "*")) {
    problem('a method with a request stream takes its messages from the body: it needs body "*" and no path variables');
  }
  if (problems.length > before) return undefined;
  return { method, httpMethod, template, pathFields, body, responseBody, isDefault: false, description };
}

/**
 * The fields a dotted path names, from the request message down: each step but the last a
 * singular message field, the last a singular scalar or enum field. A string says what is wrong.
 */
export function resolveFieldPath(message: DescMessage, path: readonly string[]): DescField[] | string {
  const fields: DescField[] = [];
  let current: DescMessage = message;
  for (let i = 0; i < path.length; i++) {
    const name = path[i] ?? "";
    const field: DescField | undefined = current.fields.find((f) => f.name === name);
    if (field === undefined) return `${name} is not a field of ${current.typeName}`;
    fields.push(field);
    const isLast = i === path.length - 1;
    if (isLast) {
      if (field.fieldKind !== "scalar" && field.fieldKind !== "enum") return `${name} is not a scalar or enum field`;
    } else {
      if (field.fieldKind !== "message") return `${name} is not a message field, so it has no field ${path[i + 1] ?? ""}`;
      current = field.message;
    }
  }
  return fields;
}

/** Two routes with the same HTTP method whose templates match the same paths cannot both be served. */
function conflicts(routes: readonly HttpRoute[]): string[] {
  const seen = new Map<string, HttpRoute>();
  const problems: string[] = [];
  for (const route of routes) {
    const key = `${route.httpMethod} ${templateShape(route.template)}`;
    const other = seen.get(key);
    if (other === undefined) {
      seen.set(key, route);
      continue;
    }
    const name = (r: HttpRoute) => `${r.method.service.name}.${r.method.name}${r.isDefault ? " (default route)" : ""}`;
    problems.push(`${name(route)}: HTTP route ${JSON.stringify(route.description)} conflicts with ${JSON.stringify(other.description)} of ${name(other)}: both match the same requests (HTTP-4)`);
  }
  return problems;
}
