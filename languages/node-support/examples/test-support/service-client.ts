import type { RequestOf, ResponseOf, ServiceDefinition } from "@cloudstate/node-support";
import { Client, type ClientReadableStream, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";

type MethodKey<S extends ServiceDefinition> = keyof S["methods"] & string;
type Req<S extends ServiceDefinition, K extends MethodKey<S>> = RequestOf<S["methods"][K]>;
type Res<S extends ServiceDefinition, K extends MethodKey<S>> = ResponseOf<S["methods"][K]>;

/**
 * A gRPC client for a ts-proto generic service definition: what an application
 * calling the proxy would use. The examples generate no grpc-js clients
 * (`outputServices=generic-definitions` only), so calls go through a plain
 * grpc-js `Client` with the definition's encoders.
 */
export class ServiceClient<S extends ServiceDefinition> {
  private readonly client: Client;

  constructor(
    private readonly service: S,
    address: string,
  ) {
    this.client = new Client(address, credentials.createInsecure());
  }

  /** Calls a unary method; rejects with the call's `ServiceError`. */
  unary<K extends MethodKey<S>>(method: K, request: Req<S, K>, metadata = new Metadata()): Promise<Res<S, K>> {
    const m = this.method(method);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest<Req<S, K>, Res<S, K>>(m.path, m.serialize, m.deserialize, request, metadata, (error: ServiceError | null, response?: Res<S, K>) => {
        if (error) reject(error);
        else if (response === undefined) reject(new Error(`${m.path} answered nothing`));
        else resolve(response);
      });
    });
  }

  /** Calls a server-streaming method. */
  serverStream<K extends MethodKey<S>>(method: K, request: Req<S, K>, metadata = new Metadata()): ClientReadableStream<Res<S, K>> {
    const m = this.method(method);
    return this.client.makeServerStreamRequest<Req<S, K>, Res<S, K>>(m.path, m.serialize, m.deserialize, request, metadata);
  }

  close(): void {
    this.client.close();
  }

  private method<K extends MethodKey<S>>(key: K) {
    const definition = this.service.methods[key];
    if (definition === undefined) throw new Error(`${this.service.fullName} has no method ${key}`);
    return {
      path: `/${this.service.fullName}/${definition.name}`,
      serialize: (value: Req<S, K>) => Buffer.from(definition.requestType.encode(value).finish()),
      deserialize: (bytes: Buffer) => definition.responseType.decode(bytes) as Res<S, K>,
    };
  }
}

/** The messages of a server stream, awaited one at a time. */
export class StreamReader<T> {
  private readonly received: ({ kind: "message"; message: T } | { kind: "end"; error: ServiceError | undefined })[] = [];
  private waiter: (() => void) | undefined;

  constructor(readonly call: ClientReadableStream<T>) {
    call.on("data", (message: T) => this.push({ kind: "message", message }));
    call.on("error", (error: ServiceError) => this.push({ kind: "end", error }));
    call.on("end", () => this.push({ kind: "end", error: undefined }));
  }

  /** The next message; fails if the stream ends first or nothing comes within the timeout. */
  async next(timeoutMs = 5000): Promise<T> {
    const item = await this.take(timeoutMs);
    if (item.kind === "end") throw new Error(`stream ended (${item.error?.message ?? "OK"}) while a message was expected`);
    return item.message;
  }

  /** The stream's end: its error status, if any. */
  async end(timeoutMs = 5000): Promise<ServiceError | undefined> {
    for (;;) {
      const item = await this.take(timeoutMs);
      if (item.kind === "end") return item.error;
    }
  }

  private async take(timeoutMs: number) {
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

  private push(item: { kind: "message"; message: T } | { kind: "end"; error: ServiceError | undefined }): void {
    // grpc-js may report both 'error' and 'end' for one stream end.
    if (item.kind === "end" && this.received.some((r) => r.kind === "end")) return;
    this.received.push(item);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
