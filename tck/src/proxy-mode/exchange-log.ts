import type { status } from "@grpc/grpc-js";

/** Who sent an intercepted message, or who ended a call. */
export type Side = "to-user-function" | "to-proxy";

/** One intercepted event of an exchange. */
export type Intercepted =
  | {
      readonly kind: "message";
      readonly direction: Side;
      readonly method: string;
      readonly bytes: Uint8Array;
      readonly at: number;
      /** When the call this message belongs to reached the interceptor. */
      readonly callStartedAt?: number;
      /** Set when the TCK sent this message in place of the one it intercepted (FAULT_REPLACE). */
      readonly injected?: "replace";
    }
  | {
      readonly kind: "end";
      readonly direction: Side;
      readonly method: string;
      readonly code: status;
      readonly details: string;
      readonly at: number;
      /** When the call that ended reached the interceptor. */
      readonly callStartedAt?: number;
    };

/** An exchange's identity: protocol method and key (entity id, user method, or ""). */
export function exchangeId(method: string, key: string): string {
  return `${method}|${key}`;
}

/**
 * Everything the interceptor saw, per exchange, in arrival order, with a read
 * cursor per exchange so that cases consume events one by one.
 */
export class ExchangeLog {
  private readonly events = new Map<string, Intercepted[]>();
  private readonly cursors = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  record(exchange: string, event: Intercepted): void {
    let list = this.events.get(exchange);
    if (list === undefined) {
      list = [];
      this.events.set(exchange, list);
    }
    list.push(event);
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * The next unread event of an exchange, waiting up to `timeoutMs`. Events
   * `skip` accepts are read and passed over.
   */
  async next(exchange: string, timeoutMs: number, skip: (event: Intercepted) => boolean = () => false): Promise<Intercepted | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cursor = this.cursors.get(exchange) ?? 0;
      const event = this.events.get(exchange)?.[cursor];
      if (event !== undefined) {
        this.cursors.set(exchange, cursor + 1);
        if (skip(event)) continue;
        return event;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      await this.waitForRecord(remaining);
    }
  }

  /** Unread messages (not call ends) of the given exchanges, after waiting `ms`. */
  async unread(exchanges: readonly string[], ms: number): Promise<{ exchange: string; event: Intercepted }[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const out: { exchange: string; event: Intercepted }[] = [];
    for (const exchange of exchanges) {
      const list = this.events.get(exchange) ?? [];
      for (const event of list.slice(this.cursors.get(exchange) ?? 0)) if (event.kind === "message") out.push({ exchange, event });
    }
    return out;
  }

  /** Every event of an exchange so far (for traces and differential comparison). */
  all(exchange: string): readonly Intercepted[] {
    return this.events.get(exchange) ?? [];
  }

  exchanges(): string[] {
    return [...this.events.keys()];
  }

  private waitForRecord(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
