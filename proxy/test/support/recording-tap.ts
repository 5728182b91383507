// A relay between the proxy and the user function, in the test process, for the eventing tests:
// the proxy takes it for the user function. It passes every protocol call on unchanged, records
// the action commands the proxy sends (with how each call ended), and can fail chosen action
// calls with UNAVAILABLE instead of passing them on, as an unreachable user function would.

import { action } from "@cloudstate/protocol";
import {
  Client,
  credentials,
  Metadata,
  type MethodDefinition,
  type sendUnaryData,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  status,
  type StatusObject,
} from "@grpc/grpc-js";

/** An action call the proxy made, as the tap saw it. */
export interface TappedCall {
  readonly path: string;
  readonly command: action.ActionCommand;
  /** How the call ended (undefined while open); failed calls carry the tap's UNAVAILABLE. */
  code: status | undefined;
  /** Whether the tap failed it instead of passing it on. */
  readonly failedByTap: boolean;
}

type Shape = "unary" | "client" | "server" | "bidi";

const METHODS: readonly [string, Shape][] = [
  ["/cloudstate.EntityDiscovery/discover", "unary"],
  ["/cloudstate.EntityDiscovery/reportError", "unary"],
  ["/cloudstate.eventsourced.EventSourced/handle", "bidi"],
  ["/cloudstate.valueentity.ValueEntity/handle", "bidi"],
  ["/cloudstate.crdt.Crdt/handle", "bidi"],
  ["/cloudstate.action.ActionProtocol/handleUnary", "unary"],
  ["/cloudstate.action.ActionProtocol/handleStreamedIn", "client"],
  ["/cloudstate.action.ActionProtocol/handleStreamedOut", "server"],
  ["/cloudstate.action.ActionProtocol/handleStreamed", "bidi"],
];

const raw = (b: Buffer): Buffer => b;
const TAP_FAILURE = { code: status.UNAVAILABLE, details: "failed by the test's tap" };

/** The running relay. */
export class RecordingTap {
  readonly calls: TappedCall[] = [];
  /** Action commands for which this returns true are failed instead of passed on. */
  failWhen: (command: action.ActionCommand) => boolean = () => false;
  private readonly upstream: Client;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    upstreamAddress: string,
  ) {
    this.upstream = new Client(upstreamAddress, credentials.createInsecure());
  }

  /** Starts the relay on a free port, in front of the user function at `127.0.0.1:userFunctionPort`. */
  static async start(userFunctionPort: number): Promise<RecordingTap> {
    const server = new Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    const tap = new RecordingTap(server, port, `127.0.0.1:${userFunctionPort}`);
    for (const [path, shape] of METHODS) {
      const definition: MethodDefinition<Buffer, Buffer> = {
        path,
        requestStream: shape === "client" || shape === "bidi",
        responseStream: shape === "server" || shape === "bidi",
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      };
      server.addService({ [path]: definition }, { [path]: tap.handler(path, shape) });
    }
    return tap;
  }

  /** The commands of the calls of `method` (`Service/Method`, short service name) that the tap passed on and that ended OK. */
  delivered(method: string): action.ActionCommand[] {
    return this.calls.filter((c) => `${c.command.serviceName.split(".").at(-1) ?? ""}/${c.command.name}` === method && !c.failedByTap && c.code === status.OK).map((c) => c.command);
  }

  stop(): Promise<void> {
    this.upstream.close();
    this.server.forceShutdown();
    return Promise.resolve();
  }

  /** Records an action command; undefined when the call is no action call. */
  private record(path: string, bytes: Buffer): TappedCall | undefined {
    if (!path.startsWith("/cloudstate.action.")) return undefined;
    const command = action.ActionCommand.decode(bytes);
    const call: TappedCall = { path, command, code: undefined, failedByTap: this.failWhen(command) };
    this.calls.push(call);
    return call;
  }

  private handler(path: string, shape: Shape) {
    switch (shape) {
      case "unary":
        return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
          const tapped = this.record(path, call.request);
          if (tapped?.failedByTap) {
            tapped.code = TAP_FAILURE.code;
            callback(TAP_FAILURE);
            return;
          }
          this.upstream.makeUnaryRequest(path, raw, raw, call.request, new Metadata(), (error, response) => {
            if (tapped) tapped.code = error?.code ?? status.OK;
            callback(error, response);
          });
        };
      case "server":
        return (call: ServerWritableStream<Buffer, Buffer>) => {
          const tapped = this.record(path, call.request);
          if (tapped?.failedByTap) {
            tapped.code = TAP_FAILURE.code;
            call.emit("error", TAP_FAILURE);
            return;
          }
          const up = this.upstream.makeServerStreamRequest(path, raw, raw, call.request, new Metadata());
          call.on("cancelled", () => up.cancel());
          up.on("data", (b: Buffer) => call.write(b));
          up.on("error", () => undefined);
          up.on("status", (s: StatusObject) => {
            if (tapped) tapped.code = s.code;
            if (s.code === status.OK) call.end();
            else call.emit("error", s);
          });
        };
      case "client":
        return (call: ServerReadableStream<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
          let tapped: TappedCall | undefined;
          const up = this.upstream.makeClientStreamRequest(path, raw, raw, new Metadata(), (error, response) => {
            if (tapped) tapped.code = error?.code ?? status.OK;
            callback(error, response);
          });
          call.on("data", (b: Buffer) => {
            tapped ??= this.record(path, b);
            up.write(b);
          });
          call.on("end", () => up.end());
          call.on("cancelled", () => up.cancel());
        };
      case "bidi":
        return (call: ServerDuplexStream<Buffer, Buffer>) => {
          const up = this.upstream.makeBidiStreamRequest(path, raw, raw, new Metadata());
          call.on("data", (b: Buffer) => up.write(b));
          call.on("end", () => up.end());
          call.on("cancelled", () => up.cancel());
          up.on("data", (b: Buffer) => call.write(b));
          up.on("error", () => undefined);
          up.on("status", (s: StatusObject) => (s.code === status.OK ? call.end() : call.emit("error", s)));
        };
    }
  }
}
