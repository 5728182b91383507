// Single Process calls from the orchestrator itself: start-up probes and replay timing, where one
// call's latency is the measurement.

import { Client, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { PROCESS_PATH } from "./workload.js";

const passthrough = (b: Buffer): Buffer => b;

/** A client of the Process method on one target. */
export class ProcessClient {
  private readonly client: Client;

  constructor(port: number) {
    this.client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
      // Start-up probing: reconnect fast instead of grpc-js's 1 s initial backoff.
      "grpc.initial_reconnect_backoff_ms": 5,
      "grpc.max_reconnect_backoff_ms": 50,
    });
  }

  /** Calls Process; resolves with the response bytes. */
  call(request: Buffer, timeoutMs = 60_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        PROCESS_PATH,
        passthrough,
        passthrough,
        request,
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (error: ServiceError | null, response?: Buffer) => (error || response === undefined ? reject(error ?? new Error("no response")) : resolve(response)),
      );
    });
  }

  /** Calls Process and measures the call, in ms. */
  async timed(request: Buffer, timeoutMs?: number): Promise<{ ms: number; response: Buffer }> {
    const started = performance.now();
    const response = await this.call(request, timeoutMs);
    return { ms: performance.now() - started, response };
  }

  close(): void {
    this.client.close();
  }
}
