// The HTTP/2 connection that carries the proxy's entity streams to the user function (see
// duplex-call.ts for why they bypass grpc-js). Connected on first use and again after it is lost;
// calls on a lost connection end UNAVAILABLE, as grpc-js ends them. Whether the user function is
// reachable at all is still asked of grpc-js's channel (UserFunctionClient.ready), which the
// entities consult before they open a stream (FO-4). A lost connection, and a call that ends
// UNAVAILABLE before the user function sent anything on it, are reported through `onUnavailable`
// (see user-function-connection.ts).

import { type ClientHttp2Session, type ClientHttp2Stream, connect } from "node:http2";
import { status } from "@grpc/grpc-js";
import { type CallStatus, DuplexCall } from "./duplex-call.js";

/** Options of a {@link StreamConnection}. */
export interface StreamConnectionOptions {
  /** Largest message accepted from the user function. */
  readonly maxMessageBytes: number;
  /** Interval of the pings that check the connection is alive while calls are open. */
  readonly keepaliveMs: number;
  /** How long a keepalive ping may go unanswered before the connection is given up. */
  readonly keepaliveTimeoutMs: number;
  /**
   * Called when the connection is lost, and when a call ends UNAVAILABLE before the user function
   * sent anything on it: the call could not reach the user function, though the connection held
   * (an intermediary, such as a sidecar, keeps it while the user function behind it is gone). A
   * call the user function did answer on and that broke later is a stream break of its own
   * (spec/failover.md FO-12), not reported. Called before the calls concerned see their status.
   */
  readonly onUnavailable?: (reason: string) => void;
}

const USER_AGENT = "cloudstate-proxy-ts";

/** Opens bidirectional calls to `address` (`host:port`) over one shared HTTP/2 connection. */
export class StreamConnection {
  private session: ClientHttp2Session | undefined;
  /** The open calls of each session, which end UNAVAILABLE when it is lost. */
  private readonly calls = new Map<ClientHttp2Session, Set<DuplexCall>>();
  private closed = false;

  constructor(
    private readonly address: string,
    private readonly options: StreamConnectionOptions,
  ) {}

  /** Starts a bidirectional call of the method at `path` (e.g. /cloudstate.eventsourced.EventSourced/handle). */
  open(path: string): DuplexCall {
    if (this.closed) return DuplexCall.failed({ code: status.UNAVAILABLE, details: "the proxy's connection to the user function is closed" });
    const session = this.current();
    let stream: ClientHttp2Stream;
    try {
      stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", "user-agent": USER_AGENT });
    } catch (error) {
      // The session is closing (a GOAWAY or failure not yet reported): the next call takes a new one.
      if (this.session === session) this.session = undefined;
      return DuplexCall.failed({ code: status.UNAVAILABLE, details: `cannot start a call to the user function: ${error instanceof Error ? error.message : String(error)}` });
    }
    const call = new DuplexCall(stream, this.options.maxMessageBytes);
    // Attached first, so that the loss is known before the call's owner hears of the status.
    let answered = false;
    call.once("data", () => (answered = true));
    call.on("status", (s: CallStatus) => {
      if (s.code !== status.UNAVAILABLE || this.closed) return;
      // A call ended by its connection's end is reported before the connection's own events come.
      if (!answered || session.destroyed || session.closed) this.options.onUnavailable?.(s.details);
    });
    let open = this.calls.get(session);
    if (open === undefined) {
      open = new Set();
      this.calls.set(session, open);
    }
    open.add(call);
    call.on("close", () => open.delete(call));
    return call;
  }

  /** Ends every call (UNAVAILABLE) and the connection; later calls fail at once. */
  close(): void {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    if (session !== undefined) this.lost(session, "the proxy's connection to the user function is closed");
  }

  private current(): ClientHttp2Session {
    if (this.session !== undefined && !this.session.destroyed && !this.session.closed) return this.session;
    const session = connect(`http://${authority(this.address)}`, {
      // As grpc-js: Node's session memory limit degrades badly when reached; the streams' own flow control bounds it.
      maxSessionMemory: Number.MAX_SAFE_INTEGER,
      settings: { enablePush: false },
    });
    this.session = session;
    // Like grpc-js's connections, this one does not keep the process alive on its own.
    session.unref();
    const gone = (reason: string): void => {
      if (this.session === session) this.session = undefined;
      this.lost(session, reason);
    };
    session.on("error", (error: Error) => gone(`Connection to the user function failed: ${error.message}`));
    session.on("close", () => gone("Connection dropped"));
    // GOAWAY: calls already open finish on it, new ones go to a new connection.
    session.on("goaway", () => {
      if (this.session === session) this.session = undefined;
    });
    this.keepAlive(session);
    return session;
  }

  private lost(session: ClientHttp2Session, reason: string): void {
    if (!this.closed) this.options.onUnavailable?.(reason);
    const open = this.calls.get(session);
    this.calls.delete(session);
    if (open !== undefined) for (const call of [...open]) call.connectionLost(reason);
    if (!session.destroyed) session.destroy();
  }

  /**
   * Pings the connection every keepaliveMs while it has open calls; no answer within
   * keepaliveTimeoutMs gives it up (a user function that hangs without closing its socket).
   */
  private keepAlive(session: ClientHttp2Session): void {
    const timer = setInterval(() => {
      if (session.destroyed) {
        clearInterval(timer);
        return;
      }
      if ((this.calls.get(session)?.size ?? 0) === 0) return;
      const deadline = setTimeout(() => session.destroy(new Error("keepalive ping not answered")), this.options.keepaliveTimeoutMs);
      deadline.unref();
      const sent = session.ping((error) => {
        clearTimeout(deadline);
        if (error !== null) session.destroy(error);
      });
      if (!sent) clearTimeout(deadline);
    }, this.options.keepaliveMs);
    timer.unref();
    session.once("close", () => clearInterval(timer));
  }
}

/** `host:port` as a URL authority: an IPv6 literal needs brackets. */
function authority(address: string): string {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon);
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${address.slice(colon + 1)}` : address;
}
