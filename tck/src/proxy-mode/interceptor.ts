import { action, crdt, eventsourced, valueentity } from "@cloudstate/protocol";
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
import { ExchangeLog, exchangeId, type Side } from "./exchange-log.js";

/** A fault armed on an exchange (see cases.proto InjectFault). */
export interface FaultSpec {
  readonly exchange: string;
  readonly direction: Side;
  /** 1-based position among that direction's messages on the stream. */
  readonly at: number;
  readonly fault: "drop" | "kill" | "stall" | "delay" | "replace" | "complete";
  readonly delayMs: number;
  /**
   * For "replace": builds the message passed on instead of the triggering one
   * (given its bytes, encoded as the protocol type of its direction); see
   * replacement-builder.ts.
   */
  readonly replace?: (trigger: Uint8Array) => Uint8Array;
}

/** How the key of an exchange is read from its first proxy-to-user-function message. */
type KeyReader = (bytes: Uint8Array) => string;

const entityKey =
  <T>(decode: (b: Uint8Array) => T, id: (m: T) => string | undefined): KeyReader =>
  (bytes) => {
    try {
      return id(decode(bytes)) ?? "";
    } catch {
      return "";
    }
  };

const actionKey: KeyReader = (bytes) => {
  try {
    const command = action.ActionCommand.decode(bytes);
    return `${command.serviceName}/${command.name}`;
  } catch {
    return "";
  }
};

interface Protocol {
  readonly method: string;
  readonly shape: "unary" | "client" | "server" | "bidi";
  readonly key: KeyReader;
}

/** Every method of the protocol the proxy calls on a user function. */
const PROTOCOL: readonly Protocol[] = [
  { method: "cloudstate.EntityDiscovery/discover", shape: "unary", key: () => "" },
  { method: "cloudstate.EntityDiscovery/reportError", shape: "unary", key: () => "" },
  {
    method: "cloudstate.eventsourced.EventSourced/handle",
    shape: "bidi",
    key: entityKey((b) => eventsourced.EventSourcedStreamIn.decode(b), (m) => (m.message?.$case === "init" ? m.message.value.entityId : undefined)),
  },
  {
    method: "cloudstate.valueentity.ValueEntity/handle",
    shape: "bidi",
    key: entityKey((b) => valueentity.ValueEntityStreamIn.decode(b), (m) => (m.message?.$case === "init" ? m.message.value.entityId : undefined)),
  },
  { method: "cloudstate.crdt.Crdt/handle", shape: "bidi", key: entityKey((b) => crdt.CrdtStreamIn.decode(b), (m) => (m.message?.$case === "init" ? m.message.value.entityId : undefined)) },
  { method: "cloudstate.action.ActionProtocol/handleUnary", shape: "unary", key: actionKey },
  { method: "cloudstate.action.ActionProtocol/handleStreamedIn", shape: "client", key: actionKey },
  { method: "cloudstate.action.ActionProtocol/handleStreamedOut", shape: "server", key: actionKey },
  { method: "cloudstate.action.ActionProtocol/handleStreamed", shape: "bidi", key: actionKey },
];

const passthrough = (b: Buffer) => b;
/** How long stop() lets open calls end before cutting them. */
const STOP_GRACE_MS = 1000;
/**
 * grpc-js ends the request stream of a call its client cancelled as it does for a half-close, and
 * reports the cancellation a few milliseconds later: a half-close is passed on only when no
 * cancellation followed within this time, so that a proxy's cancel does not reach the user
 * function as a half-close first.
 */
const HALF_CLOSE_SETTLE_MS = 50;

/**
 * A transparent relay between a proxy under test and a user function: the
 * proxy takes it for the user function. It records every message and call
 * end of every exchange, and injects armed faults at chosen messages.
 */
export class Interceptor {
  readonly log = new ExchangeLog();
  private readonly faults: FaultSpec[] = [];
  private readonly live = new Map<string, Relay>();
  private server: Server | undefined;
  private upstream: Client;

  constructor(
    private readonly userFunctionAddress: string,
    /** Kills the user function process (FAULT_KILL_USER_FUNCTION). */
    private readonly kill: () => void = () => undefined,
  ) {
    this.upstream = new Client(userFunctionAddress, credentials.createInsecure());
  }

  /**
   * Arms a fault: on the exchange's open stream, counting its messages from
   * now on, or when none is open, on its next stream.
   */
  arm(fault: FaultSpec): void {
    const live = this.live.get(fault.exchange);
    if (live !== undefined) live.addFault(fault);
    else this.faults.push(fault);
  }

  /** @internal */
  registerLive(exchange: string, relay: Relay): void {
    this.live.set(exchange, relay);
  }

  /** @internal */
  unregisterLive(exchange: string, relay: Relay): void {
    if (this.live.get(exchange) === relay) this.live.delete(exchange);
  }

  async start(host: string, port: number): Promise<number> {
    const server = new Server();
    for (const protocol of PROTOCOL) {
      const [service, name] = protocol.method.split("/") as [string, string];
      const definition: Record<string, MethodDefinition<Buffer, Buffer>> = {
        [name]: {
          path: `/${service}/${name}`,
          requestStream: protocol.shape === "client" || protocol.shape === "bidi",
          responseStream: protocol.shape === "server" || protocol.shape === "bidi",
          requestSerialize: passthrough,
          requestDeserialize: passthrough,
          responseSerialize: passthrough,
          responseDeserialize: passthrough,
        },
      };
      server.addService(definition, { [name]: this.handler(protocol) });
    }
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    this.server = server;
    return bound;
  }

  /** A fresh channel to the user function (after it was killed and restarted). */
  reconnect(): void {
    this.upstream.close();
    this.upstream = new Client(this.userFunctionAddress, credentials.createInsecure());
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.upstream.close();
    // A proxy the TCK did not start still holds its streams open: after a short grace, cut them.
    if (server) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, STOP_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private handler(protocol: Protocol) {
    const path = `/${protocol.method}`;
    switch (protocol.shape) {
      case "unary":
        return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
          const relay = new Relay(this, protocol, (error) => callback(error));
          relay.fromProxy(call.request, (bytes) => {
            this.upstream.makeUnaryRequest(path, passthrough, passthrough, Buffer.from(bytes), new Metadata(), (error, response) => {
              if (error || !response) relay.ended("to-proxy", error ?? { code: status.INTERNAL, details: "no response" }, () => callback(error));
              else relay.fromUserFunction(response, (b) => callback(null, Buffer.from(b)), () => relay.ended("to-proxy", null, () => undefined));
            });
          });
        };
      case "server":
        return (call: ServerWritableStream<Buffer, Buffer>) => {
          const relay = new Relay(this, protocol, (error) => call.emit("error", error), () => call.end());
          relay.fromProxy(call.request, (bytes) => {
            const up = this.upstream.makeServerStreamRequest(path, passthrough, passthrough, Buffer.from(bytes), new Metadata());
            relay.attach(up);
            call.on("cancelled", () => relay.proxyCancelled(() => up.cancel()));
            up.on("data", (b: Buffer) => relay.fromUserFunction(b, (x) => call.write(Buffer.from(x))));
            up.on("error", () => undefined);
            up.on("status", (s: StatusObject) => relay.ended("to-proxy", s, () => (s.code === status.OK ? call.end() : call.emit("error", s))));
          });
        };
      case "client":
        return (call: ServerReadableStream<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
          const relay = new Relay(this, protocol, (error) => callback(error));
          const up = this.upstream.makeClientStreamRequest(path, passthrough, passthrough, new Metadata(), (error, response) => {
            if (error || !response) relay.ended("to-proxy", error ?? { code: status.INTERNAL, details: "no response" }, () => callback(error));
            else relay.fromUserFunction(response, (b) => callback(null, Buffer.from(b)), () => relay.ended("to-proxy", null, () => undefined));
          });
          relay.attach(up);
          call.on("data", (b: Buffer) => relay.fromProxy(b, (x) => up.write(Buffer.from(x))));
          call.on("end", () => relay.proxyHalfClosed(() => up.end()));
          call.on("cancelled", () => relay.proxyCancelled(() => up.cancel()));
        };
      case "bidi":
        return (call: ServerDuplexStream<Buffer, Buffer>) => {
          const up = this.upstream.makeBidiStreamRequest(path, passthrough, passthrough, new Metadata());
          const relay = new Relay(this, protocol, (error) => call.emit("error", error), () => call.end());
          relay.attach(up);
          call.on("data", (b: Buffer) => relay.fromProxy(b, (x) => up.write(Buffer.from(x))));
          call.on("end", () => relay.proxyHalfClosed(() => up.end()));
          call.on("cancelled", () => relay.proxyCancelled(() => up.cancel()));
          up.on("data", (b: Buffer) => relay.fromUserFunction(b, (x) => call.write(Buffer.from(x))));
          up.on("error", () => undefined);
          up.on("status", (s: StatusObject) => relay.ended("to-proxy", s, () => (s.code === status.OK ? call.end() : call.emit("error", s))));
        };
    }
  }

  /** @internal Takes the fault armed for an exchange, if any, for a stream that starts now. */
  takeFaults(exchange: string): FaultSpec[] {
    const taken = this.faults.filter((f) => f.exchange === exchange);
    for (const f of taken) this.faults.splice(this.faults.indexOf(f), 1);
    return taken;
  }

  /** @internal */
  killUserFunction(): void {
    this.kill();
  }
}

/**
 * One intercepted call: records its messages once its exchange is known (from
 * the first proxy message), keeps each direction in order (a delayed message
 * holds back the ones after it), and applies this call's faults.
 */
class Relay {
  private exchange: string | undefined;
  private readonly pending: { direction: Side; bytes: Uint8Array }[] = [];
  private faults: FaultSpec[] = [];
  private readonly counts: Record<Side, number> = { "to-user-function": 0, "to-proxy": 0 };
  private readonly chains: Record<Side, Promise<void>> = { "to-user-function": Promise.resolve(), "to-proxy": Promise.resolve() };
  private stalled = false;
  private broken = false;
  private cancelledByProxy = false;
  private upstream: { cancel(): void } | undefined;
  /** When the proxy opened this call: every event of the call carries it. */
  private readonly startedAt = Date.now();

  constructor(
    private readonly interceptor: Interceptor,
    private readonly protocol: Protocol,
    private readonly failProxy: (error: { code: status; details: string }) => void,
    /** Completes the proxy's call with OK (streamed responses only: FAULT_COMPLETE_STREAM). */
    private readonly completeProxy?: () => void,
  ) {}

  attach(upstream: { cancel(): void }): void {
    this.upstream = upstream;
  }

  /** A fault armed while this call is open: its position counts from now (see Interceptor.arm). */
  addFault(fault: FaultSpec): void {
    this.faults.push({ ...fault, at: this.counts[fault.direction] + fault.at });
  }

  fromProxy(bytes: Uint8Array, forward: (bytes: Uint8Array) => void): void {
    if (this.exchange === undefined) {
      this.exchange = exchangeId(this.protocol.method, this.protocol.key(bytes));
      this.faults = this.interceptor.takeFaults(this.exchange);
      this.interceptor.registerLive(this.exchange, this);
      for (const p of this.pending) this.record(p.direction, p.bytes);
      this.pending.length = 0;
    }
    this.pass("to-user-function", bytes, forward);
  }

  fromUserFunction(bytes: Uint8Array, forward: (bytes: Uint8Array) => void, after: () => void = () => undefined): void {
    this.pass("to-proxy", bytes, (b) => {
      forward(b);
      after();
    });
  }

  proxyHalfClosed(forward: () => void): void {
    this.enqueue("to-user-function", async () => {
      await new Promise((resolve) => setTimeout(resolve, HALF_CLOSE_SETTLE_MS));
      if (this.cancelledByProxy) return;
      this.recordEnd("to-user-function", status.OK, "half-closed");
      if (!this.stalled && !this.broken) forward();
    });
  }

  proxyCancelled(forward: () => void): void {
    this.cancelledByProxy = true;
    this.recordEnd("to-user-function", status.CANCELLED, "cancelled by the proxy");
    forward();
  }

  ended(direction: Side, s: { code: status; details: string } | null, forward: () => void): void {
    this.enqueue(direction, () => {
      if (this.broken) return;
      this.recordEnd(direction, s?.code ?? status.OK, s?.details ?? "");
      if (!this.stalled) forward();
    });
  }

  private pass(direction: Side, bytes: Uint8Array, forward: (bytes: Uint8Array) => void): void {
    this.enqueue(direction, async () => {
      if (this.broken) return;
      const position = ++this.counts[direction];
      const fault = this.faults.find((f) => f.direction === direction && f.at === position);
      if (fault?.fault === "drop") {
        this.record(direction, bytes);
        this.break("connection dropped by the TCK");
        return;
      }
      if (fault?.fault === "kill") {
        this.record(direction, bytes);
        this.interceptor.killUserFunction();
        this.break("the user function was killed by the TCK");
        return;
      }
      if (fault?.fault === "complete") {
        this.complete();
        return;
      }
      if (fault?.fault === "replace" && fault.replace !== undefined) {
        let replaced: Uint8Array;
        try {
          replaced = fault.replace(bytes);
        } catch (error) {
          this.record(direction, bytes);
          this.break(`the TCK could not build the replacement message: ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
        // The log holds what the other side received, marked as the TCK's.
        this.record(direction, replaced, "replace");
        if (!this.stalled) forward(replaced);
        return;
      }
      if (fault?.fault === "stall") this.stalled = true;
      if (fault?.fault === "delay") await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      this.record(direction, bytes);
      if (!this.stalled) forward(bytes);
    });
  }

  /**
   * Ends the proxy's call with OK in the user function's place and cancels the
   * call to the user function, whose own end is then not passed on.
   */
  private complete(): void {
    if (this.completeProxy === undefined) {
      this.break("FAULT_COMPLETE_STREAM needs a call whose responses are streamed");
      return;
    }
    this.broken = true;
    this.upstream?.cancel();
    this.recordEnd("to-proxy", status.OK, "stream completed by the TCK");
    this.completeProxy();
  }

  private break(details: string): void {
    this.broken = true;
    this.upstream?.cancel();
    this.recordEnd("to-proxy", status.UNAVAILABLE, details);
    this.failProxy({ code: status.UNAVAILABLE, details });
  }

  private enqueue(direction: Side, task: () => Promise<void> | void): void {
    this.chains[direction] = this.chains[direction].then(task);
  }

  private record(direction: Side, bytes: Uint8Array, injected?: "replace"): void {
    if (this.exchange === undefined) {
      this.pending.push({ direction, bytes });
      return;
    }
    this.interceptor.log.record(this.exchange, { kind: "message", direction, method: this.protocol.method, bytes, at: Date.now(), callStartedAt: this.startedAt, ...(injected === undefined ? {} : { injected }) });
  }

  private recordEnd(direction: Side, code: status, details: string): void {
    if (this.exchange === undefined) return;
    if (direction === "to-proxy" || code !== status.OK) this.interceptor.unregisterLive(this.exchange, this);
    this.interceptor.log.record(this.exchange, { kind: "end", direction, method: this.protocol.method, code, details, at: Date.now(), callStartedAt: this.startedAt });
  }
}
