// The floor of the proxy's architecture: a plain grpc-js relay that serves the same unary method
// as the proxy and forwards each call over one bidirectional stream per entity key to the echo
// server. Raw bytes throughout; the key is read from the request's first field without decoding
// it. Replies on a stream come back in order, so each stream keeps a FIFO of waiting callers.
// Prints `LISTENING <port>` once bound.
//
//   node bench/dist/relay.js --echo 127.0.0.1:<port> [--port 0]

import {
  Client,
  type ClientDuplexStream,
  credentials,
  Metadata,
  type MethodDefinition,
  type sendUnaryData,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  status,
} from "@grpc/grpc-js";
import { Flags } from "./args.js";
import { ECHO_PATH, PROCESS_PATH, peekKey } from "./workload.js";

const passthrough = (b: Buffer): Buffer => b;

interface KeyStream {
  readonly stream: ClientDuplexStream<Buffer, Buffer>;
  readonly waiting: sendUnaryData<Buffer>[];
}

const flags = new Flags(process.argv.slice(2));
const echo = new Client(flags.string("echo"), credentials.createInsecure());
const streams = new Map<string, KeyStream>();

function streamFor(key: string): KeyStream {
  let entry = streams.get(key);
  if (entry !== undefined) return entry;
  const stream = echo.makeBidiStreamRequest(ECHO_PATH, passthrough, passthrough, new Metadata());
  const created: KeyStream = { stream, waiting: [] };
  stream.on("data", (reply: Buffer) => created.waiting.shift()?.(null, reply));
  stream.on("error", () => undefined);
  stream.on("status", () => {
    streams.delete(key);
    for (const callback of created.waiting.splice(0)) callback({ code: status.UNAVAILABLE, details: "echo stream ended" });
  });
  streams.set(key, created);
  entry = created;
  return entry;
}

const definition: Record<string, MethodDefinition<Buffer, Buffer>> = {
  Process: {
    path: PROCESS_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: passthrough,
    requestDeserialize: passthrough,
    responseSerialize: passthrough,
    responseDeserialize: passthrough,
  },
};

function relay(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void {
  const key = peekKey(call.request);
  if (key === undefined) {
    callback({ code: status.INVALID_ARGUMENT, details: "no entity key in field 1" });
    return;
  }
  const entry = streamFor(key);
  entry.waiting.push(callback);
  entry.stream.write(call.request);
}

const server = new Server();
server.addService(definition, { Process: relay });
server.bindAsync(`127.0.0.1:${flags.number("port", 0)}`, ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`relay: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`LISTENING ${port}\n`);
});
process.on("SIGTERM", () => {
  for (const { stream } of streams.values()) stream.end();
  server.tryShutdown(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
