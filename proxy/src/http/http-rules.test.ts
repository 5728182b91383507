import { describe, expect, it } from "@jest/globals";
import type { JsonObject } from "@bufbuild/protobuf";
import { contractsDescriptorSetBytes, EntityType } from "@cloudstate/protocol";
import { SpecError, validateSpec } from "../discovery/spec-validation.js";
import { THINGS, type ThingMethod, thingsSpec } from "../../test/support/http-test-spec.js";
import { compileHttpRoutes, type HttpRoute } from "./http-rules.js";
import { isRouteMatch, RouteTable } from "./route-table.js";

function routesOf(methods: readonly ThingMethod[]): readonly HttpRoute[] {
  const { routes, problems } = compileHttpRoutes(thingsSpec(methods).services.values());
  expect(problems).toEqual([]);
  return routes;
}

function problemsOf(methods: readonly ThingMethod[]): string[] {
  try {
    thingsSpec(methods);
  } catch (error) {
    if (error instanceof SpecError) return [...error.problems];
    throw error;
  }
  return [];
}

const describeRoute = (r: HttpRoute) => ({
  method: r.method.name,
  route: r.description,
  body: r.body.kind === "field" ? r.body.field.name : r.body.kind,
  responseBody: r.responseBody?.name,
  default: r.isDefault,
});

describe("compileHttpRoutes", () => {
  it.each<[string, JsonObject | undefined, ReturnType<typeof describeRoute>[]]>([
    ["no rule: the default route", undefined, [{ method: "M", route: `POST /${THINGS}/M`, body: "all", responseBody: undefined, default: true }]],
    ["get with a path variable", { get: "/things/{id}" }, [{ method: "M", route: "GET /things/{id}", body: "none", responseBody: undefined, default: false }]],
    ["put with body *", { put: "/things/{id}", body: "*" }, [{ method: "M", route: "PUT /things/{id}", body: "all", responseBody: undefined, default: false }]],
    ["post with a body field", { post: "/things/{id}/inner", body: "inner" }, [{ method: "M", route: "POST /things/{id}/inner", body: "inner", responseBody: undefined, default: false }]],
    ["delete", { delete: "/things/{id}" }, [{ method: "M", route: "DELETE /things/{id}", body: "none", responseBody: undefined, default: false }]],
    ["patch", { patch: "/things/{id}", body: "inner" }, [{ method: "M", route: "PATCH /things/{id}", body: "inner", responseBody: undefined, default: false }]],
    ["custom verb", { custom: { kind: "HEAD", path: "/things/{id}" } }, [{ method: "M", route: "HEAD /things/{id}", body: "none", responseBody: undefined, default: false }]],
    ["nested field path", { get: "/things/{id}/{inner.deep.leaf}" }, [{ method: "M", route: "GET /things/{id}/{inner.deep.leaf}", body: "none", responseBody: undefined, default: false }]],
    ["segment pattern and verb", { post: "/v1/{id=shelves/*}:archive" }, [{ method: "M", route: "POST /v1/{id=shelves/*}:archive", body: "none", responseBody: undefined, default: false }]],
    ["** pattern", { get: "/files/{display_name=**}" }, [{ method: "M", route: "GET /files/{display_name=**}", body: "none", responseBody: undefined, default: false }]],
    [
      "additional bindings with response_body",
      { get: "/things/{id}", additionalBindings: [{ get: "/things/{id}/things", responseBody: "things" }, { post: "/things:get", body: "*" }] },
      [
        { method: "M", route: "GET /things/{id}", body: "none", responseBody: undefined, default: false },
        { method: "M", route: "GET /things/{id}/things", body: "none", responseBody: "things", default: false },
        { method: "M", route: "POST /things:get", body: "all", responseBody: undefined, default: false },
      ],
    ],
  ])("%s", (_name, http, expected) => {
    expect(routesOf([{ name: "M", ...(http === undefined ? {} : { http }) }]).map(describeRoute)).toEqual(expected);
  });

  it("compiles the rules of the example and TCK contracts", () => {
    const services = ["com.example.shoppingcart.ShoppingCart", "cloudstate.tck.model.EventSourcedTckModel", "cloudstate.tck.model.crdt.CrdtTckModel", "cloudstate.tck.model.action.ActionTckModel"];
    const types = [EntityType.EventSourced, EntityType.EventSourced, EntityType.Crdt, EntityType.Action];
    const spec = validateSpec({
      proto: contractsDescriptorSetBytes(),
      entities: services.map((serviceName, i) => ({ entityType: types[i] ?? EntityType.Action, serviceName, persistenceId: serviceName, passivationStrategy: undefined })),
      serviceInfo: undefined,
    });
    const { routes, problems } = compileHttpRoutes(spec.services.values());
    expect(problems).toEqual([]);
    expect(routes.map((r) => r.description)).toEqual([
      "POST /cart/{user_id}/items/add",
      "POST /cart/{user_id}/items/{product_id}/remove",
      "GET /carts/{user_id}",
      "GET /carts/{user_id}/items",
      "POST /tck/model/eventsourced/{id}",
      "POST /tck/model/crdt/{id}",
      "POST /cloudstate.tck.model.crdt.CrdtTckModel/ProcessStreamed",
      "POST /tck/model/action/unary",
      "POST /cloudstate.tck.model.action.ActionTckModel/ProcessStreamedIn",
      "POST /cloudstate.tck.model.action.ActionTckModel/ProcessStreamedOut",
      "POST /cloudstate.tck.model.action.ActionTckModel/ProcessStreamed",
    ]);
  });
});

describe("invalid rules are refused at discovery, naming the method (HTTP-4)", () => {
  it.each<[string, ThingMethod[], string]>([
    ["unknown path field", [{ name: "M", http: { get: "/things/{nope}" } }], "test.http.Things.M: google.api.http rule \"GET /things/{nope}\": path variable {nope}: nope is not a field of test.http.Thing"],
    ["unknown nested field", [{ name: "M", http: { get: "/things/{inner.nope}" } }], "path variable {inner.nope}: nope is not a field of test.http.Inner"],
    ["path through a scalar", [{ name: "M", http: { get: "/things/{id.x}" } }], "path variable {id.x}: id is not a message field"],
    ["path to a message", [{ name: "M", http: { get: "/things/{inner}" } }], "path variable {inner}: inner is not a scalar or enum field"],
    ["path to a repeated field", [{ name: "M", http: { get: "/things/{tags}" } }], "path variable {tags}: tags is not a scalar or enum field"],
    ["unknown body field", [{ name: "M", http: { post: "/things", body: "nope" } }], "body field nope is not a field of test.http.Thing"],
    ["body field bound by the path", [{ name: "M", http: { post: "/things/{id}", body: "id" } }], "body field id is also bound by the path"],
    ["GET with a body", [{ name: "M", http: { get: "/things", body: "*" } }], "a GET rule cannot take a body"],
    ["unknown response_body field", [{ name: "M", http: { get: "/things", responseBody: "nope" } }], "response_body field nope is not a field of test.http.Reply"],
    ["malformed template", [{ name: "M", http: { get: "things" } }], 'path template "things": must start with /'],
    ["no pattern", [{ name: "M", http: { body: "*" } }], "test.http.Things.M: a google.api.http rule has no verb and path"],
    ["bad custom verb", [{ name: "M", http: { custom: { kind: "GET POST", path: "/x" } } }], '"GET POST" is not an HTTP method'],
    [
      "nested additional bindings",
      [{ name: "M", http: { get: "/a", additionalBindings: [{ get: "/b", additionalBindings: [{ get: "/c" }] }] } }],
      "test.http.Things.M: an additional binding of its google.api.http rule has additional bindings of its own",
    ],
    [
      "conflicting routes",
      [
        { name: "A", http: { get: "/things/{id}" } },
        { name: "B", http: { get: "/things/{display_name}" } },
      ],
      'test.http.Things.B: HTTP route "GET /things/{display_name}" conflicts with "GET /things/{id}" of test.http.Things.A',
    ],
    [
      "a rule on another method's default route",
      [{ name: "A" }, { name: "B", http: { post: "/test.http.Things/A", body: "*" } }],
      'conflicts with "POST /test.http.Things/A" of test.http.Things.A (default route)',
    ],
    ["client stream with path variables", [{ name: "M", shape: "client_streaming", http: { post: "/things/{id}", body: "*" } }], "a method with a request stream takes its messages from the body"],
    ["bidi stream without body *", [{ name: "M", shape: "bidi_streaming", http: { post: "/things" } }], "a method with a request stream takes its messages from the body"],
  ])("%s", (_name, methods, problem) => {
    const problems = problemsOf(methods);
    expect(problems.some((p) => p.includes(problem))).toBe(true);
    expect(problems.every((p) => p.startsWith("test.http.Things.") && p.endsWith("(HTTP-4)"))).toBe(true);
  });

  it("lists every problem of the spec at once", () => {
    expect(problemsOf([{ name: "A", http: { get: "/a/{x}" } }, { name: "B", http: { post: "/b", body: "y" } }])).toHaveLength(2);
  });

  it("accepts the same template under different HTTP methods", () => {
    expect(problemsOf([{ name: "A", http: { get: "/things/{id}" } }, { name: "B", http: { delete: "/things/{id}" } }])).toEqual([]);
  });
});

describe("RouteTable", () => {
  const table = new RouteTable(
    routesOf([
      { name: "ById", http: { get: "/things/{id}" } },
      { name: "Mine", http: { get: "/things/mine" } },
      { name: "Files", http: { get: "/things/{display_name=**}" } },
      { name: "Del", http: { delete: "/things/{id}" } },
      { name: "Plain" },
    ]),
  );

  it.each<[string, string, string | number]>([
    ["GET", "/things/7", "ById"],
    ["GET", "/things/mine", "Mine"],
    ["GET", "/things/a/b", "Files"],
    ["DELETE", "/things/7", "Del"],
    ["POST", "/test.http.Things/Plain", "Plain"],
    ["GET", "/test.http.Things/Plain", 405],
    ["PUT", "/things/7", 405],
    ["GET", "/nothing/here", 404],
  ])("%s %s", (method, path, expected) => {
    const found = table.find(method, path);
    expect(isRouteMatch(found) ? found.route.method.name : found.status).toBe(expected);
  });

  it("names the methods a path allows in a 405", () => {
    const found = table.find("PUT", "/things/7");
    expect(isRouteMatch(found) ? [] : found.allow).toEqual(["DELETE", "GET"]);
  });
});
