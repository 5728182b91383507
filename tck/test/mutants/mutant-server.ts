// The mutant harness: a gRPC server that serves the Cloudstate protocol
// (EntityDiscovery, EventSourced, ValueEntity, Crdt, ActionProtocol) by
// relaying every call to the real TCK model process, message by message, and
// letting one Mutation rewrite the traffic. Together with the model process
// it is "the model with one rule broken": the TCK, pointed at its address,
// certifies the mutant exactly as it would certify any user function.
//
// Messages are relayed as raw bytes (passthrough serializers), so whatever a
// mutation leaves alone reaches the other side unchanged. Every method is
// served and called as a bidirectional stream: on the wire a unary or
// one-sided streaming call is the same HTTP/2 exchange, so both ends see the
// call shape they expect while the relay needs one code path.
import {
  Client,
  credentials,
  type Metadata,
  type MethodDefinition,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServiceDefinition,
  status,
  type StatusObject,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { type CallMutator, type Mutation, PATHS, type Relay } from "./mutation.js";

/** A running harness. */
export interface MutantServer {
  /** host:port the TCK should test. */
  readonly address: string;
  stop(): Promise<void>;
}

const passthrough = (bytes: Buffer): Buffer => bytes;

/**
 * Starts a harness on 127.0.0.1 (free port) in front of the model at
 * `modelAddress`. Without a mutation it is a transparent relay: the control
 * that shows the harness itself breaks nothing.
 */
export async function startMutantServer(modelAddress: string, mutation?: Mutation): Promise<MutantServer> {
  const model = new Client(modelAddress, credentials.createInsecure());
  const server = new Server();
  const paths = Object.values(PATHS);
  const definition: ServiceDefinition = Object.fromEntries(paths.map((path) => [path, bidiDefinition(path)]));
  const implementation: UntypedServiceImplementation = Object.fromEntries(
    paths.map((path) => [
      path,
      (call: ServerDuplexStream<Buffer, Buffer>) => {
        relayCall(model, path, call, mutation?.mutate(path));
      },
    ]),
  );
  server.addService(definition, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
  return {
    address: `127.0.0.1:${port}`,
    stop: () => {
      server.forceShutdown();
      model.close();
      return Promise.resolve();
    },
  };
}

function bidiDefinition(path: string): MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream: true,
    responseStream: true,
    requestSerialize: passthrough,
    requestDeserialize: passthrough,
    responseSerialize: passthrough,
    responseDeserialize: passthrough,
  };
}

/** Relays one call from the TCK (`call`) to the model and back, through the mutator's hooks. */
function relayCall(model: Client, path: string, call: ServerDuplexStream<Buffer, Buffer>, mutator: CallMutator | undefined): void {
  const upstream = model.makeBidiStreamRequest(path, passthrough, passthrough, call.metadata);
  let ended = false;
  const relay: Relay = {
    method: path,
    toModel: (message) => {
      upstream.write(Buffer.from(message));
    },
    toTck: (message) => {
      if (!ended) call.write(Buffer.from(message));
    },
    end: (end) => {
      if (ended) return;
      ended = true;
      if (end.code === status.OK) call.end(end.metadata);
      // ServerDuplexStream turns an emitted error into the call's status, after the pending writes.
      else call.emit("error", { code: end.code, details: end.details, metadata: end.metadata });
    },
  };

  call.on("data", (message: Buffer) => {
    if (mutator?.fromTck) mutator.fromTck(message, relay);
    else relay.toModel(message);
  });
  call.on("end", () => upstream.end());
  call.on("cancelled", () => {
    ended = true;
    upstream.cancel();
  });

  upstream.on("metadata", (metadata: Metadata) => {
    if (!ended) call.sendMetadata(metadata);
  });
  upstream.on("data", (message: Buffer) => {
    if (mutator?.fromModel) mutator.fromModel(message, relay);
    else relay.toTck(message);
  });
  // The status arrives before the last messages have been read; the end is relayed once both are in.
  let readDone = false;
  let finalStatus: StatusObject | undefined;
  const maybeEnd = () => {
    if (!readDone || finalStatus === undefined) return;
    if (mutator?.modelEnded) mutator.modelEnded(finalStatus, relay);
    else relay.end(finalStatus);
  };
  upstream.on("end", () => {
    readDone = true;
    maybeEnd();
  });
  upstream.on("status", (received: StatusObject) => {
    finalStatus = received;
    maybeEnd();
  });
  // An error status is relayed through "status"; this listener only keeps the stream from throwing.
  upstream.on("error", () => undefined);
}
