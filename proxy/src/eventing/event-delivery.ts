import type { cloudstate } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import type { MethodSpec } from "../discovery/user-spec.js";
import type { CallError, ResponseStream } from "../routing/call-result.js";
import type { Dispatcher } from "../routing/dispatcher.js";
import type { RoutedCall } from "../routing/service-handler.js";

/** How one delivery ended: success, or the status of the failed call (spec/eventing.md §2.5). */
export type DeliveryOutcome = { readonly ok: true } | { readonly ok: false; readonly error: CallError };

const DELIVERED: DeliveryOutcome = { ok: true };

/** What a consumer needs to deliver events (implemented by {@link EventDelivery}). */
export interface Deliverer {
  route(method: MethodSpec, request: Uint8Array, metadata: cloudstate.Metadata): RoutedCall;
  /** Makes the call of `routed`, whose request is `request`, and waits until it is over. */
  deliver(routed: RoutedCall, request: Uint8Array): Promise<DeliveryOutcome>;
}

/**
 * Delivers one event as one call of the receiving method, through the dispatcher, exactly as a
 * client call of the method's shape (EVT-15, EVT-16). Replies are discarded (EVT-31: no `out` in
 * this proxy); forwards and side effects are carried out by the runtimes as for any call (EVT-32,
 * EVT-33). Success is the call ending OK.
 */
export class EventDelivery implements Deliverer {
  constructor(
    private readonly dispatcher: Dispatcher,
    /** Streamed calls have no deadline of their own: one that is not over within this time fails. */
    private readonly streamTimeoutMs: number,
  ) {}

  route(method: MethodSpec, request: Uint8Array, metadata: cloudstate.Metadata): RoutedCall {
    return this.dispatcher.route(method, request, metadata, 0);
  }

  async deliver(routed: RoutedCall, request: Uint8Array): Promise<DeliveryOutcome> {
    const { method, metadata } = routed;
    switch (method.shape) {
      case "unary": {
        const answer = await this.dispatcher.unaryRouted(routed);
        // Asynchronous side effects start once the call is answered, whatever its outcome (EVT-33).
        answer.afterReply();
        return answer.result.ok ? DELIVERED : { ok: false, error: answer.result.error };
      }
      case "server_streaming": {
        const out = new DiscardedResponses(this.streamTimeoutMs, method.path);
        this.dispatcher.serverStreamRouted(routed, out);
        return out.outcome;
      }
      case "client_streaming": {
        // The announcing command, one command with the event, then the half-close (EVT-16).
        const answer = await this.dispatcher.clientStream(method, once(request), metadata);
        answer.afterReply();
        return answer.result.ok ? DELIVERED : { ok: false, error: answer.result.error };
      }
      case "bidi_streaming": {
        const out = new DiscardedResponses(this.streamTimeoutMs, method.path);
        this.dispatcher.bidi(method, once(request), metadata, out);
        return out.outcome;
      }
    }
  }
}

async function* once(request: Uint8Array): AsyncIterable<Uint8Array> {
  yield await Promise.resolve(request);
}

/** The response stream of a streamed delivery: its messages are dropped (EVT-31), its end is the outcome. */
class DiscardedResponses implements ResponseStream {
  readonly outcome: Promise<DeliveryOutcome>;
  private readonly controller = new AbortController();
  readonly cancelled = this.controller.signal;
  private settle: (outcome: DeliveryOutcome) => void = () => undefined;
  private settled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number, path: string) {
    this.outcome = new Promise((resolve) => (this.settle = resolve));
    this.timer = setTimeout(() => {
      this.end({ code: status.DEADLINE_EXCEEDED, message: `the streamed call of ${path} did not end within ${timeoutMs} ms` });
      this.controller.abort();
    }, timeoutMs);
  }

  send(): void {
    // No `out` destination: the replies of a delivered event are discarded (EVT-31).
  }

  end(error?: CallError): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.settle(error === undefined ? DELIVERED : { ok: false, error });
  }
}
