import { type ClientDuplexStream, credentials, makeGenericClientConstructor, type ServiceError } from "@grpc/grpc-js";

/** A message received on a probed stream, or its end. */
export type Received<T> = { kind: "message"; message: T } | { kind: "end"; error: ServiceError | undefined };

/**
 * The proxy's side of one bidirectional protocol stream, for tests: write
 * messages (or raw bytes), and await what comes back in order.
 */
export class StreamProbe<In, Out> {
  private readonly received: Received<Out>[] = [];
  private waiter: (() => void) | undefined;

  constructor(
    private readonly call: ClientDuplexStream<Buffer, Buffer>,
    private readonly encode: (message: In) => Uint8Array,
    decode: (bytes: Uint8Array) => Out,
  ) {
    call.on("data", (bytes: Buffer) => this.push({ kind: "message", message: decode(bytes) }));
    call.on("error", (error: ServiceError) => this.push({ kind: "end", error }));
    call.on("end", () => this.push({ kind: "end", error: undefined }));
  }

  send(message: In): this {
    this.call.write(Buffer.from(this.encode(message)));
    return this;
  }

  sendRaw(bytes: Uint8Array): this {
    this.call.write(Buffer.from(bytes));
    return this;
  }

  halfClose(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel();
  }

  /** The next message; fails if the stream ends first or nothing comes within the timeout. */
  async next(timeoutMs = 2000): Promise<Out> {
    const item = await this.take(timeoutMs);
    if (item.kind === "end") throw new Error(`stream ended (${item.error?.message ?? "OK"}) while a message was expected`);
    return item.message;
  }

  /** Waits for the stream's end; returns the error status, if any. */
  async end(timeoutMs = 2000): Promise<ServiceError | undefined> {
    for (;;) {
      const item = await this.take(timeoutMs);
      if (item.kind === "end") return item.error;
    }
  }

  private async take(timeoutMs: number): Promise<Received<Out>> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length === 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`nothing received within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const item = this.received.shift();
    if (item === undefined) throw new Error("unreachable");
    return item;
  }

  private push(item: Received<Out>): void {
    // A stream ends once; grpc-js may report both 'error' and 'end'.
    if (item.kind === "end" && this.received.some((r) => r.kind === "end")) return;
    this.received.push(item);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

const passthrough = (b: Buffer) => b;

/** Opens a raw bidirectional stream on `path` (e.g. /cloudstate.eventsourced.EventSourced/handle). */
export function openStream<In, Out>(
  address: string,
  path: string,
  encode: (message: In) => Uint8Array,
  decode: (bytes: Uint8Array) => Out,
): { probe: StreamProbe<In, Out>; close: () => void } {
  const Client = makeGenericClientConstructor(
    { handle: { path, requestStream: true, responseStream: true, requestSerialize: passthrough, requestDeserialize: passthrough, responseSerialize: passthrough, responseDeserialize: passthrough } },
    "Probe",
  );
  const client = new Client(address, credentials.createInsecure());
  const call = (client as unknown as { handle(): ClientDuplexStream<Buffer, Buffer> }).handle();
  return { probe: new StreamProbe(call, encode, decode), close: () => client.close() };
}
