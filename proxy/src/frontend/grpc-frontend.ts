import {
  type Metadata,
  type MethodDefinition,
  type sendUnaryData,
  type Server,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { cloudstate } from "@cloudstate/protocol";
import type { MethodSpec, UserSpec } from "../discovery/user-spec.js";
import type { CallError, ResponseStream } from "../routing/call-result.js";
import type { Dispatcher } from "../routing/dispatcher.js";
import { toGrpcMetadata, toProtocolMetadata } from "./metadata-mapping.js";

const passthrough = (b: Buffer) => b;

/**
 * A reply payload as the Buffer grpc-js wants, without copying it: grpc-js copies it into its
 * frame anyway, and nothing writes to a decoded payload.
 */
const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** Reports reply metadata that could not be sent as headers (META-12). */
export type DroppedMetadataReporter = (method: MethodSpec, keys: readonly string[]) => void;

/**
 * Serves the user's gRPC services, built from the discovered descriptors: every
 * method is registered with raw-bytes serializers and handed to the dispatcher.
 * Methods not in the spec are left to grpc-js, which answers UNIMPLEMENTED
 * naming the path (ERR-41).
 */
export function addUserServices(server: Server, spec: UserSpec, dispatcher: Dispatcher, reportDropped: DroppedMetadataReporter): void {
  for (const service of spec.services.values()) {
    const definition: Record<string, MethodDefinition<Buffer, Buffer>> = {};
    const implementation: UntypedServiceImplementation = {};
    for (const method of service.methods.values()) {
      definition[method.name] = {
        path: method.path,
        requestStream: method.shape === "client_streaming" || method.shape === "bidi_streaming",
        responseStream: method.shape === "server_streaming" || method.shape === "bidi_streaming",
        requestSerialize: passthrough,
        requestDeserialize: passthrough,
        responseSerialize: passthrough,
        responseDeserialize: passthrough,
      };
      implementation[method.name] = handlerFor(method, dispatcher, reportDropped);
    }
    server.addService(definition, implementation);
  }
}

function handlerFor(method: MethodSpec, dispatcher: Dispatcher, reportDropped: DroppedMetadataReporter) {
  const headers = (metadata: cloudstate.Metadata | undefined): Metadata => {
    const { metadata: grpcMetadata, dropped } = toGrpcMetadata(metadata);
    if (dropped.length > 0) reportDropped(method, dropped);
    return grpcMetadata;
  };
  switch (method.shape) {
    case "unary":
      return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        void dispatcher.unary(method, call.request, toProtocolMetadata(call.metadata)).then((answer) => {
          const r = answer.result;
          if (r.ok) {
            if (r.metadata !== undefined) call.sendMetadata(headers(r.metadata));
            callback(null, asBuffer(r.payload));
          } else callback({ code: r.error.code, details: r.error.message });
          answer.afterReply();
        });
      };
    case "server_streaming":
      return (call: ServerWritableStream<Buffer, Buffer>) => {
        dispatcher.serverStream(method, call.request, toProtocolMetadata(call.metadata), responseStream(call, headers));
      };
    case "client_streaming":
      return (call: ServerReadableStream<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        void dispatcher.clientStream(method, requestsOf(call), toProtocolMetadata(call.metadata)).then((answer) => {
          const r = answer.result;
          if (r.ok) {
            if (r.metadata !== undefined) call.sendMetadata(headers(r.metadata));
            callback(null, asBuffer(r.payload));
          } else callback({ code: r.error.code, details: r.error.message });
          answer.afterReply();
        });
      };
    case "bidi_streaming":
      return (call: ServerDuplexStream<Buffer, Buffer>) => {
        dispatcher.bidi(method, requestsOf(call), toProtocolMetadata(call.metadata), responseStream(call, headers));
      };
  }
}

/**
 * The messages of a client stream, as they arrive, read as the consumer asks for them (so the
 * client is held back by HTTP/2 flow control while the proxy is busy).
 *
 * The stream is never destroyed from here. A Readable's own async iterator destroys it when the
 * messages end (unless told not to) and, whatever it is told, when the stream emits `error`; but
 * an `error` is how the response side ends a streamed call with a status (grpc-js sends it from
 * the writable side's `_final`), and a destroyed stream never gets there: the status is lost and
 * the client's call hangs (ACT-16, ACT-41). A call that ends (`error`, or `close` on
 * cancellation) before the client half-closed fails the iteration, so that the consumer gives up
 * its own call to the user function (ACT-38).
 */
async function* requestsOf(call: ServerReadableStream<Buffer, Buffer> | ServerDuplexStream<Buffer, Buffer>): AsyncIterable<Uint8Array> {
  // An object, so that its changes by the listeners are not narrowed away.
  const state: { ended: "no" | "half-closed" | "call-ended"; wake: () => void } = { ended: "no", wake: () => undefined };
  const onReadable = () => state.wake();
  const onHalfClose = () => {
    if (state.ended === "no") state.ended = "half-closed";
    state.wake();
  };
  const onCallEnd = () => {
    if (state.ended === "no") state.ended = "call-ended";
    state.wake();
  };
  call.on("readable", onReadable);
  call.on("end", onHalfClose);
  call.on("error", onCallEnd);
  call.on("close", onCallEnd);
  try {
    for (;;) {
      if (!call.destroyed) {
        // grpc-js types read() as a message, but like any Readable it gives null when none is buffered.
        const chunk = call.read() as Buffer | null;
        if (chunk !== null) {
          yield chunk;
          continue;
        }
      }
      if (state.ended === "half-closed" || call.readableEnded) return;
      if (state.ended === "call-ended" || call.destroyed) throw new Error("the call ended before the client half-closed it");
      await new Promise<void>((resolve) => (state.wake = resolve));
    }
  } finally {
    call.off("readable", onReadable);
    call.off("end", onHalfClose);
    call.off("error", onCallEnd);
    call.off("close", onCallEnd);
  }
}

function responseStream(call: ServerWritableStream<Buffer, Buffer> | ServerDuplexStream<Buffer, Buffer>, headers: (m: cloudstate.Metadata | undefined) => Metadata): ResponseStream {
  const controller = new AbortController();
  let first = true;
  let ended = false;
  call.on("cancelled", () => controller.abort());
  return {
    cancelled: controller.signal,
    send(payload, metadata) {
      if (ended) return;
      // Only the first message's metadata can become response headers (META-5).
      if (first && metadata !== undefined) call.sendMetadata(headers(metadata));
      first = false;
      call.write(asBuffer(payload));
    },
    end(error?: CallError) {
      if (ended) return;
      ended = true;
      if (error === undefined) call.end();
      else call.emit("error", { code: error.code, details: error.message });
    },
  };
}
