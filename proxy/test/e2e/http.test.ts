// The proxy's HTTP port (spec/http.md) through real processes: the shopping-cart example and the
// node-support TCK model as user functions, called with HTTP/JSON the way curl calls them, with
// streamed responses as server-sent events and NDJSON, and with gRPC-web, binary and text.

import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { tckModelAction, tckModelEventSourced } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { grpcWebCall, httpCall, HttpStream } from "../support/http-calls.js";
import { killAllProcesses } from "../support/managed-process.js";
import { type ProxyProcess, startProxy } from "../support/proxy-process.js";
import { SHOPPING_CART_MAIN, startUserFunction, type UserFunctionProcess } from "../support/user-function-process.js";

jest.setTimeout(20_000);

const json = { "content-type": "application/json" };

describe("the shopping-cart example over HTTP/JSON", () => {
  let uf: UserFunctionProcess;
  let proxy: ProxyProcess;
  let port: number;

  beforeAll(async () => {
    uf = await startUserFunction({ main: SHOPPING_CART_MAIN });
    proxy = await startProxy({ userFunctionPort: uf.port });
    port = proxy.httpJsonPort;
  }, 30_000);

  afterAll(async () => {
    await proxy.stop();
    await uf.process.stop();
  }, 30_000);

  it("adds items with POST and a body, and reads the cart with GET and a path variable", async () => {
    const add = (body: object) => httpCall(port, "POST", "/cart/alice/items/add", { body: JSON.stringify(body), headers: json });
    expect(await add({ productId: "apple", name: "Apple", quantity: 2 })).toMatchObject({ status: 200, json: {} });
    expect(await add({ product_id: "apple", name: "Apple", quantity: 3 })).toMatchObject({ status: 200, json: {} });
    expect(await add({ productId: "kiwi", name: "Kiwi", quantity: 1 })).toMatchObject({ status: 200 });
    const cart = await httpCall(port, "GET", "/carts/alice");
    expect(cart.status).toBe(200);
    expect(cart.headers.get("content-type")).toBe("application/json");
    expect(cart.json).toEqual({ items: [{ productId: "apple", name: "Apple", quantity: 5 }, { productId: "kiwi", name: "Kiwi", quantity: 1 }] });
  });

  it("serves the additional binding, whose body is the response's items field", async () => {
    await httpCall(port, "POST", "/cart/bob/items/add", { body: '{"productId":"pear","name":"Pear","quantity":1}' });
    expect((await httpCall(port, "GET", "/carts/bob/items")).json).toEqual([{ productId: "pear", name: "Pear", quantity: 1 }]);
    // An empty cart's items: the field's default, an empty list.
    expect((await httpCall(port, "GET", "/carts/nobody/items")).json).toEqual([]);
    expect((await httpCall(port, "GET", "/carts/nobody")).json).toEqual({});
  });

  it("removes an item with a POST that binds two path variables and has no body", async () => {
    await httpCall(port, "POST", "/cart/carol/items/add", { body: '{"productId":"fig","name":"Fig","quantity":4}' });
    expect(await httpCall(port, "POST", "/cart/carol/items/fig/remove")).toMatchObject({ status: 200, json: {} });
    expect((await httpCall(port, "GET", "/carts/carol")).json).toEqual({});
  });

  it("answers a command failure with 500 and the failure's description (UNKNOWN)", async () => {
    expect(await httpCall(port, "POST", "/cart/dave/items/kiwi/remove")).toMatchObject({ status: 500, json: { code: status.UNKNOWN, message: "Cannot remove item kiwi: it is not in the cart." } });
    expect(await httpCall(port, "POST", "/cart/dave/items/add", { body: '{"productId":"x","quantity":0}' })).toMatchObject({ status: 500, json: { code: status.UNKNOWN } });
  });

  it.each<[string, string, string, string | undefined, number, number, string]>([
    ["malformed JSON", "POST", "/cart/erin/items/add", '{"productId":', 400, status.INVALID_ARGUMENT, "the body is not valid JSON"],
    ["an unknown field", "POST", "/cart/erin/items/add", '{"color":"red"}', 400, status.INVALID_ARGUMENT, 'key "color" is unknown'],
    ["a wrongly typed field", "POST", "/cart/erin/items/add", '{"quantity":"many"}', 400, status.INVALID_ARGUMENT, "quantity"],
    ["an unknown query parameter", "GET", "/carts/erin?color=red", undefined, 400, status.INVALID_ARGUMENT, "has no field color"],
    ["a body on a rule without one", "POST", "/cart/erin/items/fig/remove", '{"productId":"x"}', 400, status.INVALID_ARGUMENT, "takes no body"],
    ["a malformed path variable", "GET", "/carts/%E0%A4%A", undefined, 404, status.NOT_FOUND, "no HTTP route"],
    ["an unknown path", "GET", "/nothing/here", undefined, 404, status.NOT_FOUND, "no HTTP route matches GET /nothing/here"],
    ["another HTTP method", "DELETE", "/carts/erin", undefined, 405, status.UNIMPLEMENTED, "allowed: GET"],
  ])("answers %s with %i", async (_name, method, path, body, httpStatus, code, message) => {
    const answer = await httpCall(port, method, path, body === undefined ? {} : { body });
    expect(answer.status).toBe(httpStatus);
    expect(answer.json).toMatchObject({ code });
    expect((answer.json as { message: string }).message).toContain(message);
  });

  it("serves gRPC-web, binary and text, on the same port", async () => {
    await httpCall(port, "POST", "/cart/gina/items/add", { body: '{"productId":"plum","name":"Plum","quantity":7}' });
    const request = Buffer.from("0a0467696e61", "hex"); // GetShoppingCart { user_id: "gina" }
    for (const text of [false, true]) {
      const answer = await grpcWebCall(port, "/com.example.shoppingcart.ShoppingCart/GetCart", [request], { text });
      expect(answer).toMatchObject({ httpStatus: 200, grpcStatus: status.OK });
      expect(answer.headers.get("content-type")).toBe(text ? "application/grpc-web-text+proto" : "application/grpc-web+proto");
      // Cart { items: [LineItem { product_id: "plum", name: "Plum", quantity: 7 }] }
      expect(answer.messages.map((m) => Buffer.from(m).toString("hex"))).toEqual(["0a0e0a04706c756d1204506c756d1807"]);
    }
  });
});

describe("the TCK model over HTTP/JSON and gRPC-web", () => {
  let uf: UserFunctionProcess;
  let proxy: ProxyProcess;
  let port: number;

  beforeAll(async () => {
    uf = await startUserFunction();
    proxy = await startProxy({ userFunctionPort: uf.port, flags: { "--queue-timeout-ms": "500" } });
    port = proxy.httpJsonPort;
  }, 30_000);

  afterAll(async () => {
    await proxy.stop();
    await uf.process.stop();
    await killAllProcesses();
  }, 30_000);

  const post = (path: string, body: unknown) => httpCall(port, "POST", path, { body: JSON.stringify(body), headers: json });

  describe("every entity kind, by its rule or the default route", () => {
    it.each<[string, string, unknown, unknown]>([
      ["event-sourced (rule)", "/tck/model/eventsourced/es-http", { actions: [{ emit: { value: "a" } }, { emit: { value: "b" } }] }, { message: "ab" }],
      ["event-sourced (default route)", "/cloudstate.tck.model.EventSourcedTwo/Call", { id: "two" }, {}],
      ["value entity (rule)", "/tck/model/entity/ve-http", { actions: [{ update: { value: "v1" } }] }, { message: "v1" }],
      ["value entity (default route)", "/cloudstate.tck.model.valueentity.ValueEntityTwo/Call", { id: "two" }, {}],
      ["CRDT (rule), uint64 as a string", "/tck/model/crdt/GCounter-http", { actions: [{ update: { gcounter: { increment: "2" } } }] }, { state: { gcounter: { value: "2" } } }],
      ["CRDT (default route)", "/cloudstate.tck.model.crdt.CrdtTwo/Call", { id: "two" }, {}],
      ["action (rule)", "/tck/model/action/unary", { groups: [{ steps: [{ reply: { message: "hi" } }] }] }, { message: "hi" }],
      ["action (default route)", "/cloudstate.tck.model.action.ActionTwo/Call", { id: "two" }, {}],
    ])("%s", async (_name, path, body, expected) => {
      const answer = await post(path, body);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual(expected);
    });

    it("binds the rule's path variable over the body's field", async () => {
      expect((await post("/tck/model/eventsourced/es-http-bound", { id: "ignored", actions: [{ emit: { value: "x" } }] })).json).toEqual({ message: "x" });
      expect((await post("/tck/model/eventsourced/es-http-bound", {})).json).toEqual({ message: "x" });
    });

    it("serves a client-streamed action from NDJSON and from a JSON array", async () => {
      const ndjson = '{"groups":[{"steps":[{"reply":{"message":"a"}}]}]}\n\n{"groups":[{"steps":[{"reply":{"message":"b"}}]}]}\n';
      expect((await httpCall(port, "POST", "/cloudstate.tck.model.action.ActionTckModel/ProcessStreamedIn", { body: ndjson })).json).toEqual({ message: "b" });
      const array = JSON.stringify([{ groups: [{ steps: [{ reply: { message: "c" } }] }] }]);
      expect((await httpCall(port, "POST", "/cloudstate.tck.model.action.ActionTckModel/ProcessStreamedIn", { body: array })).json).toEqual({ message: "c" });
      const bad = await httpCall(port, "POST", "/cloudstate.tck.model.action.ActionTckModel/ProcessStreamedIn", { body: '{"groups":[]}\n{"nope":1}\n' });
      expect(bad).toMatchObject({ status: 400, json: { code: status.INVALID_ARGUMENT } });
      expect((bad.json as { message: string }).message).toContain("line 2");
    });
  });

  describe("server-streamed calls", () => {
    const groups = { groups: [{ steps: [{ reply: { message: "one" } }] }, { steps: [{ reply: { message: "two" } }] }] };
    const path = "/cloudstate.tck.model.action.ActionTckModel/ProcessStreamedOut";

    it("stream as NDJSON by default", async () => {
      const stream = await HttpStream.open(port, "POST", path, { body: JSON.stringify(groups) });
      expect(stream.status).toBe(200);
      expect(stream.headers.get("content-type")).toBe("application/x-ndjson");
      expect(await stream.rest()).toEqual([
        { kind: "data", json: { result: { message: "one" } } },
        { kind: "data", json: { result: { message: "two" } } },
      ]);
    });

    it("stream as server-sent events when accepted, ending with an end event", async () => {
      const stream = await HttpStream.open(port, "POST", path, { body: JSON.stringify(groups), accept: "text/event-stream" });
      expect(stream.headers.get("content-type")).toBe("text/event-stream");
      expect(await stream.rest()).toEqual([
        { kind: "data", json: { message: "one" } },
        { kind: "data", json: { message: "two" } },
        { kind: "event", event: "end", json: {} },
      ]);
    });

    it("end with an error item when they fail after a message", async () => {
      const failing = { groups: [{ steps: [{ reply: { message: "one" } }] }, { steps: [{ fail: { message: "stop here" } }] }] };
      const ndjson = await HttpStream.open(port, "POST", path, { body: JSON.stringify(failing) });
      expect(await ndjson.rest()).toEqual([
        { kind: "data", json: { result: { message: "one" } } },
        { kind: "data", json: { error: { code: status.UNKNOWN, message: "stop here" } } },
      ]);
      const sse = await HttpStream.open(port, "POST", path, { body: JSON.stringify(failing), accept: "text/event-stream" });
      expect(await sse.rest()).toEqual([
        { kind: "data", json: { message: "one" } },
        { kind: "event", event: "error", json: { code: status.UNKNOWN, message: "stop here" } },
      ]);
    });

    it("get an HTTP error status when they fail before any message", async () => {
      const stream = await HttpStream.open(port, "POST", path, { body: JSON.stringify({ groups: [{ steps: [{ fail: { message: "at once" } }] }] }) });
      expect(stream.status).toBe(500);
      expect(await stream.rest()).toEqual([{ kind: "data", json: { code: status.UNKNOWN, message: "at once" } }]);
    });

    it("follow a CRDT's value as server-sent events (CrdtTckModel/ProcessStreamed)", async () => {
      const stream = await HttpStream.open(port, "POST", "/cloudstate.tck.model.crdt.CrdtTckModel/ProcessStreamed", {
        body: JSON.stringify({ id: "GCounter-sse", endState: { gcounter: { value: "3" } } }),
        accept: "text/event-stream",
      });
      const increment = (n: number) => post("/tck/model/crdt/GCounter-sse", { actions: [{ update: { gcounter: { increment: String(n) } } }] });
      // The stream's head came with its first message: the current state, a counter at 0.
      expect(stream.status).toBe(200);
      expect(await stream.next()).toEqual({ kind: "data", json: { state: { gcounter: {} } } });
      expect((await increment(1)).status).toBe(200);
      await increment(2);
      expect(await stream.rest()).toEqual([
        { kind: "data", json: { state: { gcounter: { value: "1" } } } },
        { kind: "data", json: { state: { gcounter: { value: "3" } } } },
        { kind: "event", event: "end", json: {} },
      ]);
    });

    it("stream a bidirectional call's responses to NDJSON requests", async () => {
      const body = `${JSON.stringify({ groups: [{ steps: [{ reply: { message: "x" } }] }] })}\n${JSON.stringify({ groups: [{ steps: [{ reply: { message: "y" } }] }] })}\n`;
      const stream = await HttpStream.open(port, "POST", "/cloudstate.tck.model.action.ActionTckModel/ProcessStreamed", { body });
      expect(await stream.rest()).toEqual([
        { kind: "data", json: { result: { message: "x" } } },
        { kind: "data", json: { result: { message: "y" } } },
      ]);
    });
  });

  describe("gRPC-web", () => {
    const esRequest = (id: string, ...values: string[]) =>
      tckModelEventSourced.Request.encode({ id, actions: values.map((value) => ({ action: { $case: "emit" as const, value: { value } } })) }).finish();

    it.each([false, true])("answers a unary call (text: %s)", async (text) => {
      const answer = await grpcWebCall(port, "/cloudstate.tck.model.EventSourcedTckModel/Process", [esRequest(`es-web-${text}`, "w")], { text });
      expect(answer).toMatchObject({ httpStatus: 200, grpcStatus: status.OK });
      expect(answer.messages.map((m) => tckModelEventSourced.Response.decode(m))).toEqual([{ message: "w" }]);
      expect(answer.headers.get("access-control-allow-origin")).toBe("*");
      expect(answer.headers.get("access-control-expose-headers")).toContain("grpc-status");
    });

    it.each([false, true])("streams a server-streamed call (text: %s)", async (text) => {
      const request = tckModelAction.Request.encode({
        groups: ["s1", "s2", "s3"].map((message) => ({ steps: [{ step: { $case: "reply" as const, value: { message } } }] })),
      }).finish();
      const answer = await grpcWebCall(port, "/cloudstate.tck.model.action.ActionTckModel/ProcessStreamedOut", [request], { text });
      expect(answer.grpcStatus).toBe(status.OK);
      expect(answer.messages.map((m) => tckModelAction.Response.decode(m).message)).toEqual(["s1", "s2", "s3"]);
    });

    it("ends a failed call with the status in the trailer frame, HTTP status 200", async () => {
      const request = tckModelEventSourced.Request.encode({ id: "es-web-fail", actions: [{ action: { $case: "fail", value: { message: "nein: 100%" } } }] }).finish();
      const answer = await grpcWebCall(port, "/cloudstate.tck.model.EventSourcedTckModel/Process", [request]);
      expect(answer).toMatchObject({ httpStatus: 200, messages: [], grpcStatus: status.UNKNOWN, grpcMessage: "nein: 100%" });
    });

    it.each<[string, string, Uint8Array[], number]>([
      ["an unknown method", "/cloudstate.tck.model.EventSourcedTckModel/Nope", [new Uint8Array()], status.UNIMPLEMENTED],
      ["an empty entity key", "/cloudstate.tck.model.EventSourcedTckModel/Process", [new Uint8Array()], status.INVALID_ARGUMENT],
      ["two messages for a unary call", "/cloudstate.tck.model.EventSourcedTckModel/Process", [new Uint8Array(), new Uint8Array()], status.INVALID_ARGUMENT],
    ])("refuses %s", async (_name, path, requests, code) => {
      expect(await grpcWebCall(port, path, requests)).toMatchObject({ httpStatus: 200, grpcStatus: code });
    });

    it("answers a CORS preflight", async () => {
      const answer = await httpCall(port, "OPTIONS", "/cloudstate.tck.model.EventSourcedTckModel/Process", {
        headers: { origin: "http://page.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-grpc-web" },
      });
      expect(answer.status).toBe(204);
      expect(answer.headers.get("access-control-allow-origin")).toBe("*");
      expect(answer.headers.get("access-control-allow-methods")).toContain("POST");
      expect(answer.headers.get("access-control-allow-headers")).toBe("content-type,x-grpc-web");
    });
  });

  describe("status mapping", () => {
    it.each<[string, string, unknown, number, number]>([
      ["a failure: UNKNOWN", "/tck/model/eventsourced/es-http-fail", { actions: [{ fail: { message: "no" } }] }, 500, status.UNKNOWN],
      ["an empty entity key: INVALID_ARGUMENT", "/cloudstate.tck.model.EventSourcedTwo/Call", {}, 400, status.INVALID_ARGUMENT],
    ])("%s", async (_name, path, body, httpStatus, code) => {
      expect(await post(path, body)).toMatchObject({ status: httpStatus, json: { code } });
    });

    // Last: it stops the user function.
    it("an unreachable user function: UNAVAILABLE, 503", async () => {
      await uf.process.kill();
      const answer = await post("/tck/model/eventsourced/es-http-gone", {});
      expect(answer).toMatchObject({ status: 503, json: { code: status.UNAVAILABLE } });
    });
  });
});
