import type { cloudstate } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";

/** A gRPC status other than OK, as the proxy ends a call with it. */
export interface CallError {
  readonly code: status;
  readonly message: string;
}

/** The outcome of a unary call: the response message's bytes and headers, or an error. */
export type UnaryResult =
  | { readonly ok: true; readonly payload: Uint8Array; readonly metadata: cloudstate.Metadata | undefined }
  | { readonly ok: false; readonly error: CallError };

/** Where the messages of a streamed response go. */
export interface ResponseStream {
  /** Sends one message; the metadata of the first message becomes the response headers (META-5). */
  send(payload: Uint8Array, metadata: cloudstate.Metadata | undefined): void;
  /** Ends the call: OK without error. Calls after the first are ignored. */
  end(error?: CallError): void;
  /** Aborted when the caller goes away. */
  readonly cancelled: AbortSignal;
}

export const ok = (payload: Uint8Array, metadata?: cloudstate.Metadata): UnaryResult => ({ ok: true, payload, metadata });
export const fail = (code: status, message: string): UnaryResult => ({ ok: false, error: { code, message } });

/** Status UNKNOWN with the failure's description unchanged (CMD-41, EFF-16). */
export const userFailure = (description: string): UnaryResult => fail(status.UNKNOWN, description);
/** Status INTERNAL for a protocol violation of the user function (CMD-42). */
export const violation = (message: string): UnaryResult => fail(status.INTERNAL, `user function protocol violation: ${message}`);
/** Status UNAVAILABLE: user function unreachable, stream broken or store failed (CMD-43). */
export const unavailable = (message: string): UnaryResult => fail(status.UNAVAILABLE, message);
