import type { MethodDefinition } from "@grpc/grpc-js";

/**
 * A gRPC method whose messages are passed as raw bytes. The support library
 * decodes protocol messages itself, so that a message it cannot decode becomes
 * a protocol failure on that stream (spec/protocol-errors.md) instead of an
 * error inside grpc-js.
 */
export function rawMethod(path: string, requestStream: boolean, responseStream: boolean): MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (value: Buffer) => value,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (value: Buffer) => value,
  };
}

export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
