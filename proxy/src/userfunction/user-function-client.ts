import { cloudstate, Empty } from "@cloudstate/protocol";
import type { DuplexCall } from "./duplex-call.js";
import { StreamConnection } from "./stream-connection.js";
import { UserFunctionConnection } from "./user-function-connection.js";
import {
  type CallOptions,
  Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientWritableStream,
  connectivityState,
  credentials,
  Metadata,
  type ServiceError,
} from "@grpc/grpc-js";

const passthrough = (b: Buffer) => b;

/** Bounds of the delay between reconnection attempts to the user function. */
export const USER_FUNCTION_RECONNECT_BACKOFF_MS = { initial: 100, max: 1000 } as const;

/** Largest message the proxy accepts from the user function. */
const MAX_RECEIVE_MESSAGE_BYTES = 64 * 1024 * 1024;
const KEEPALIVE_MS = 30_000;
const KEEPALIVE_TIMEOUT_MS = 20_000;
/** The longest timer Node allows: grpc-js's channel then never goes idle on its own. */
const NEVER_IDLE_MS = 2 ** 31 - 1;

/**
 * The proxy's gRPC client to the user function: discovery, error reports, and
 * raw-bytes calls for the entity and action protocols. Messages are encoded and
 * decoded by the callers, so a malformed message is a protocol violation they
 * can report, not a client error.
 */
export class UserFunctionClient {
  /** Whether the user function may be called, and what was lost (spec/failover.md §5). */
  readonly connection: UserFunctionConnection;
  private readonly client: Client;
  private readonly streams: StreamConnection;

  constructor(
    readonly address: string,
    connection: UserFunctionConnection = new UserFunctionConnection(),
  ) {
    this.connection = connection;
    this.client = new Client(address, credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_RECEIVE_MESSAGE_BYTES,
      "grpc.keepalive_time_ms": KEEPALIVE_MS,
      // grpc-js backs off reconnecting up to 120 s; while it waits, every call fails at once.
      // The user function is a local sidecar: once it is back after a crash, entities must
      // serve again within a second (spec/failover.md §5), however long it was down.
      "grpc.initial_reconnect_backoff_ms": USER_FUNCTION_RECONNECT_BACKOFF_MS.initial,
      "grpc.max_reconnect_backoff_ms": USER_FUNCTION_RECONNECT_BACKOFF_MS.max,
      // The proxy never retries a call (a command is not idempotent). Without a retry buffer, grpc-js
      // also neither holds a call's messages until it commits nor, once a call outgrew the buffer,
      // copies the rest of it after every write (quadratic in a long action stream).
      "grpc.enable_retries": 0,
      "grpc.per_rpc_retry_buffer_size": 0,
      // An idle channel closes its connection, which would read as a loss of the user function
      // and cost a needless discovery; a kept connection drops only with its process (FO-21).
      "grpc.client_idle_timeout_ms": NEVER_IDLE_MS,
    });
    this.streams = new StreamConnection(address, {
      maxMessageBytes: MAX_RECEIVE_MESSAGE_BYTES,
      keepaliveMs: KEEPALIVE_MS,
      keepaliveTimeoutMs: KEEPALIVE_TIMEOUT_MS,
      onUnavailable: (reason) => connection.lost(`the user function could not be reached on an entity stream: ${reason}`),
    });
    this.watchChannel();
  }

  discover(info: cloudstate.ProxyInfo, deadlineMs: number): Promise<cloudstate.EntitySpec> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        "/cloudstate.EntityDiscovery/discover",
        (m: cloudstate.ProxyInfo) => Buffer.from(cloudstate.ProxyInfo.encode(m).finish()),
        (b: Buffer) => cloudstate.EntitySpec.decode(b),
        info,
        new Metadata(),
        { deadline: Date.now() + deadlineMs },
        (error: ServiceError | null, spec?: cloudstate.EntitySpec) => (error || !spec ? reject(error ?? new Error("empty answer")) : resolve(spec)),
      );
    });
  }

  /** Reports a user-function fault (spec/protocol-errors.md ERR-1). Failures of the report itself are only returned, never re-reported. */
  reportError(message: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        "/cloudstate.EntityDiscovery/reportError",
        (m: cloudstate.UserFunctionError) => Buffer.from(cloudstate.UserFunctionError.encode(m).finish()),
        (b: Buffer) => Empty.decode(b),
        { message },
        new Metadata(),
        { deadline: Date.now() + 5000 },
        (error: ServiceError | null) => (error ? reject(error) : resolve()),
      );
    });
  }

  /**
   * An entity's protocol stream (event-sourced, value, CRDT): a bidirectional call on the
   * connection kept for them, which writes many messages per socket write (see duplex-call.ts).
   */
  entityStream(path: string): DuplexCall {
    return this.streams.open(path);
  }

  bidi(path: string, options: CallOptions = {}): ClientDuplexStream<Buffer, Buffer> {
    return this.client.makeBidiStreamRequest(path, passthrough, passthrough, new Metadata(), options);
  }

  unary(path: string, request: Buffer, callback: (error: ServiceError | null, response?: Buffer) => void, options: CallOptions = {}): { cancel(): void } {
    return this.client.makeUnaryRequest(path, passthrough, passthrough, request, new Metadata(), options, callback);
  }

  clientStream(path: string, callback: (error: ServiceError | null, response?: Buffer) => void): ClientWritableStream<Buffer> {
    return this.client.makeClientStreamRequest(path, passthrough, passthrough, new Metadata(), {}, callback);
  }

  serverStream(path: string, request: Buffer): ClientReadableStream<Buffer> {
    return this.client.makeServerStreamRequest(path, passthrough, passthrough, request, new Metadata(), {});
  }

  /**
   * Resolves true once the user function may be called: the proxy serves its spec (after a loss,
   * only once it was discovered again, FO-21) and the connection is ready. False at the deadline
   * (FO-4), or at once while the proxy refuses the user function's spec (FO-22).
   */
  async ready(deadline: number): Promise<boolean> {
    for (;;) {
      if (!(await this.connection.whenServing(deadline))) return false;
      if (!(await this.reachable(deadline))) return false;
      // The connection may have come back before the discovery that must follow it.
      if (this.connection.state === "serving") return true;
    }
  }

  /** Resolves true once the connection to the user function is ready, false at the deadline. */
  reachable(deadline: number): Promise<boolean> {
    return new Promise((resolve) => this.client.waitForReady(deadline, (error) => resolve(error === undefined)));
  }

  /** Whether the connection to the user function is ready now. */
  isReachable(): boolean {
    return this.client.getChannel().getConnectivityState(false) === connectivityState.READY;
  }

  close(): void {
    this.connection.close();
    this.streams.close();
    this.client.close();
  }

  /** Reports every drop of the connection grpc-js keeps to the user function as a loss (FO-20, FO-21). */
  private watchChannel(): void {
    const channel = this.client.getChannel();
    const watch = (from: connectivityState): void => {
      if (from === connectivityState.SHUTDOWN) return;
      channel.watchConnectivityState(from, Infinity, () => {
        const now = channel.getConnectivityState(false);
        if (from === connectivityState.READY && now !== connectivityState.READY) {
          this.connection.lost(`the connection to the user function dropped (${connectivityState[now]})`);
        }
        watch(now);
      });
    };
    watch(channel.getConnectivityState(false));
  }
}
