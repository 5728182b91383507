// The floor's stand-in for the user function: one bidirectional stream method that writes every
// message back as it arrives, raw bytes, no decoding. Prints `LISTENING <port>` once bound.
//
//   node bench/dist/echo-server.js [--port 0]

import { type MethodDefinition, Server, ServerCredentials, type ServerDuplexStream } from "@grpc/grpc-js";
import { Flags } from "./args.js";
import { ECHO_PATH } from "./workload.js";

const passthrough = (b: Buffer): Buffer => b;

const definition: Record<string, MethodDefinition<Buffer, Buffer>> = {
  Stream: {
    path: ECHO_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: passthrough,
    requestDeserialize: passthrough,
    responseSerialize: passthrough,
    responseDeserialize: passthrough,
  },
};

function echo(call: ServerDuplexStream<Buffer, Buffer>): void {
  call.on("data", (message: Buffer) => call.write(message));
  call.on("end", () => call.end());
  call.on("error", () => undefined);
}

const flags = new Flags(process.argv.slice(2));
const server = new Server();
server.addService(definition, { Stream: echo });
server.bindAsync(`127.0.0.1:${flags.number("port", 0)}`, ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`echo server: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`LISTENING ${port}\n`);
});
process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
