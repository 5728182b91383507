import { describe, expect, it } from "@jest/globals";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { THINGS, type ThingMethod, thingsSpec } from "../../test/support/http-test-spec.js";
import { compileHttpRoutes } from "./http-rules.js";
import { JsonMapping, JsonMappingError } from "./json-mapping.js";
import { HttpRequestError, requestJson } from "./request-transcoder.js";
import { isRouteMatch, RouteTable } from "./route-table.js";

const METHODS: ThingMethod[] = [
  { name: "Get", http: { get: "/things/{id}" } },
  { name: "Nested", http: { get: "/things/{id}/deep/{inner.deep.leaf}" } },
  { name: "Put", http: { put: "/things/{id}", body: "*" } },
  { name: "SetInner", http: { post: "/things/{id}/inner", body: "inner" } },
  { name: "SetTags", http: { post: "/things/{id}/tags", body: "tags" } },
  { name: "Shelf", http: { get: "/v1/{id=shelves/*}" } },
  { name: "Files", http: { get: "/files/{display_name=**}" } },
  { name: "ByFlag", http: { get: "/flags/{flag}/{kind}/{count}" } },
  { name: "Plain" },
];
const spec = thingsSpec(METHODS);
const table = new RouteTable(compileHttpRoutes(spec.services.values()).routes);
const mapping = new JsonMapping(spec.registry);
const thing = spec.registry.getMessage("test.http.Thing");

/** The request message, canonical JSON, that an HTTP request becomes. */
function transcode(httpMethod: string, target: string, body = ""): JsonValue {
  const url = new URL(target, "http://proxy");
  const found = table.find(httpMethod, url.pathname);
  if (!isRouteMatch(found)) throw new Error(`no route: ${found.status}`);
  const bytes = mapping.fromJson(found.route.method.input, requestJson(found.route, found.bindings, url.searchParams, body));
  if (thing === undefined) throw new Error("no Thing");
  return mapping.toJson(thing, bytes);
}

function failure(httpMethod: string, target: string, body = ""): string {
  try {
    transcode(httpMethod, target, body);
  } catch (error) {
    if (error instanceof HttpRequestError || error instanceof JsonMappingError) return error.message;
    throw error;
  }
  return "(no failure)";
}

describe("requestJson", () => {
  it.each<[string, string, string, string, JsonObject]>([
    ["path variable", "GET", "/things/t1", "", { id: "t1" }],
    ["percent-encoded path variable", "GET", "/things/a%20b%2Fc", "", { id: "a b/c" }],
    ["nested path variable", "GET", "/things/t1/deep/down", "", { id: "t1", inner: { deep: { leaf: "down" } } }],
    ["segment pattern", "GET", "/v1/shelves/9", "", { id: "shelves/9" }],
    ["** pattern", "GET", "/files/a/b.txt", "", { displayName: "a/b.txt" }],
    ["typed path variables", "GET", "/flags/true/KIND_BIG/-12", "", { flag: true, kind: "KIND_BIG", count: "-12" }],
    ["enum path variable by number", "GET", "/flags/false/1/0", "", { kind: "KIND_BIG" }],
    ["query parameters by proto and JSON name", "GET", "/things/t1?display_name=Tee&count=5&inner.name=n&inner.deep.leaf=l", "", { id: "t1", displayName: "Tee", count: "5", inner: { name: "n", deep: { leaf: "l" } } }],
    ["JSON name in the query", "GET", "/things/t1?displayName=Tee", "", { id: "t1", displayName: "Tee" }],
    ["repeated query parameters", "GET", "/things/t1?tags=a&tags=b&kinds=KIND_BIG&kinds=0&inner.values=1&inner.values=2", "", { id: "t1", tags: ["a", "b"], kinds: ["KIND_BIG", "KIND_UNSPECIFIED"], inner: { values: [1, 2] } }],
    ["well-known types in the query", "GET", "/things/t1?at=2024-01-02T03:04:05Z&size=7&flag=true&ratio=0.5&data=AQI%3D", "", { id: "t1", at: "2024-01-02T03:04:05Z", size: 7, flag: true, ratio: 0.5, data: "AQI=" }],
    ["body * with path variable winning", "PUT", "/things/t1", '{"id":"other","displayName":"D","count":"9","labels":{"k":"v"}}', { id: "t1", displayName: "D", count: "9", labels: { k: "v" } }],
    ["body * by proto name, path variable under the other spelling", "PUT", "/things/t1", '{"display_name":"D"}', { id: "t1", displayName: "D" }],
    ["empty body *", "PUT", "/things/t1", "", { id: "t1" }],
    ["body field", "POST", "/things/t1/inner", '{"name":"n","values":[3]}', { id: "t1", inner: { name: "n", values: [3] } }],
    ["body field with query", "POST", "/things/t1/inner?display_name=x", '{"name":"n"}', { id: "t1", displayName: "x", inner: { name: "n" } }],
    ["repeated body field", "POST", "/things/t1/tags", '["a","b"]', { id: "t1", tags: ["a", "b"] }],
    ["default route", "POST", `/${THINGS}/Plain`, '{"id":"p","tags":["x"]}', { id: "p", tags: ["x"] }],
  ])("%s", (_name, method, target, body, expected) => {
    expect(transcode(method, target, body)).toEqual(expected);
  });

  it.each<[string, string, string, string, string]>([
    ["malformed JSON body", "PUT", "/things/t1", "{nope", "the body is not valid JSON"],
    ["body * not an object", "PUT", "/things/t1", "[1]", "the body must be a JSON object (test.http.Thing)"],
    ["unknown JSON field", "PUT", "/things/t1", '{"nope":1}', 'key "nope" is unknown'],
    ["wrong JSON type", "PUT", "/things/t1", '{"count":"many"}', "test.http.Thing.count"],
    ["body on a rule without body", "GET", "/things/t1", '{"id":"x"}', 'GET /things/{id} takes no body'],
    ["query with body *", "PUT", "/things/t1?count=1", "{}", "query parameters (count) cannot be used"],
    ["unknown query parameter", "GET", "/things/t1?nope=1", "", "query parameter nope: test.http.Thing has no field nope"],
    ["query parameter through a scalar", "GET", "/things/t1?count.x=1", "", "query parameter count.x: count is not a message field"],
    ["message query parameter", "GET", "/things/t1?inner=x", "", "query parameter inner: a message field cannot be given as a query parameter"],
    ["map query parameter", "GET", "/things/t1?labels=x", "", "a map field cannot be given as a query parameter"],
    ["query parameter bound by the path", "GET", "/things/t1?id=t2", "", "query parameter id: the field is bound by the path"],
    ["query parameter in the body field", "POST", "/things/t1/inner?inner.name=x", "{}", "query parameter inner.name: the field is filled by the body"],
    ["singular query parameter twice", "GET", "/things/t1?count=1&count=2", "", "query parameter count is given 2 times"],
    ["bad bool path variable", "GET", "/flags/yes/KIND_BIG/1", "", 'path variable {flag}: "yes" is not true or false'],
    ["bad number path variable", "GET", "/flags/true/KIND_BIG/x", "", "test.http.Thing.count"],
    ["bad enum path variable", "GET", "/flags/true/KIND_HUGE/1", "", "KIND_HUGE"],
    ["bad query timestamp", "GET", "/things/t1?at=yesterday", "", "google.protobuf.Timestamp"],
  ])("refuses %s", (_name, method, target, body, problem) => {
    expect(failure(method, target, body)).toContain(problem);
  });
});
