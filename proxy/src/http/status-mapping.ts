import { status } from "@grpc/grpc-js";

/**
 * HTTP status of each gRPC status code, as google.rpc.Code documents it (spec/http.md HTTP-15).
 * CANCELLED has no standard HTTP code; 499 is the one Google's own frontends use.
 */
const HTTP_STATUS: ReadonlyMap<number, number> = new Map([
  [status.OK, 200],
  [status.CANCELLED, 499],
  [status.UNKNOWN, 500],
  [status.INVALID_ARGUMENT, 400],
  [status.DEADLINE_EXCEEDED, 504],
  [status.NOT_FOUND, 404],
  [status.ALREADY_EXISTS, 409],
  [status.PERMISSION_DENIED, 403],
  [status.RESOURCE_EXHAUSTED, 429],
  [status.FAILED_PRECONDITION, 400],
  [status.ABORTED, 409],
  [status.OUT_OF_RANGE, 400],
  [status.UNIMPLEMENTED, 501],
  [status.INTERNAL, 500],
  [status.UNAVAILABLE, 503],
  [status.DATA_LOSS, 500],
  [status.UNAUTHENTICATED, 401],
]);

/** The HTTP status for a gRPC status code; 500 for a code outside the standard set. */
export function httpStatusOf(code: number): number {
  return HTTP_STATUS.get(code) ?? 500;
}

/** The JSON body of an HTTP/JSON error: the gRPC code and message, as google.rpc.Status maps to JSON (HTTP-16). */
export function errorBody(code: status, message: string): { code: number; message: string } {
  return { code, message };
}
