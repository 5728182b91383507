import { describe, expect, it } from "@jest/globals";
import { status } from "@grpc/grpc-js";
import { errorBody, httpStatusOf } from "./status-mapping.js";

describe("gRPC status to HTTP status (HTTP-15)", () => {
  it.each<[keyof typeof status, number]>([
    ["OK", 200],
    ["CANCELLED", 499],
    ["UNKNOWN", 500],
    ["INVALID_ARGUMENT", 400],
    ["DEADLINE_EXCEEDED", 504],
    ["NOT_FOUND", 404],
    ["ALREADY_EXISTS", 409],
    ["PERMISSION_DENIED", 403],
    ["RESOURCE_EXHAUSTED", 429],
    ["FAILED_PRECONDITION", 400],
    ["ABORTED", 409],
    ["OUT_OF_RANGE", 400],
    ["UNIMPLEMENTED", 501],
    ["INTERNAL", 500],
    ["UNAVAILABLE", 503],
    ["DATA_LOSS", 500],
    ["UNAUTHENTICATED", 401],
  ])("%s is %i", (name, http) => {
    expect(httpStatusOf(status[name])).toBe(http);
  });

  it("maps a code outside the standard set to 500", () => {
    expect(httpStatusOf(99)).toBe(500);
  });

  it("writes the error body as google.rpc.Status in JSON: the gRPC code and the message", () => {
    expect(JSON.stringify(errorBody(status.NOT_FOUND, "gone"))).toBe('{"code":5,"message":"gone"}');
  });
});
