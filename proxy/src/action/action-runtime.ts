import { type Any, action as proto, type cloudstate, EntityType } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import type { MethodSpec, ServiceSpec } from "../discovery/user-spec.js";
import { clientActionProblem, sideEffectsProblem } from "../effects/answer-validation.js";
import type { EntityContext } from "../entity/entity-context.js";
import { type CallError, fail, type ResponseStream, type UnaryResult, violation } from "../routing/call-result.js";
import { RoutingError } from "../routing/dispatcher.js";
import { type Answer, NOTHING_AFTER, type RoutedCall, type ServiceHandler } from "../routing/service-handler.js";

const path = (name: string) => `/cloudstate.action.ActionProtocol/${name}`;
const encode = (command: proto.ActionCommand) => Buffer.from(proto.ActionCommand.encode(command).finish());

/**
 * Actions (spec/action.md): each client call becomes one call of the matching
 * shape on the user function's ActionProtocol; every response is checked, its
 * side effects performed (whatever its kind, EFF-37) and its reply, forward or
 * failure passed on.
 */
export class ActionRuntime implements ServiceHandler {
  constructor(
    private readonly ctx: EntityContext,
    private readonly service: ServiceSpec,
  ) {}

  unary(call: RoutedCall): Promise<Answer> {
    const started = performance.now();
    return new Promise((resolve) => {
      // A user function that never answers must not hold the caller forever (FO-3, ACT-43).
      const deadline = Date.now() + this.ctx.commandTimeoutMs;
      this.ctx.userFunction.unary(
        path("handleUnary"),
        encode(this.command(call.method, call.payload, call.metadata)),
        (error, bytes) => {
          const done = (answer: Answer) => {
            this.record(started, answer.result);
            resolve(answer);
          };
          if (error || !bytes) done({ result: this.callError(error), afterReply: NOTHING_AFTER });
          else void this.respond(call.method, bytes, call.depth).then(done);
        },
        { deadline },
      );
    });
  }

  serverStream(call: RoutedCall, out: ResponseStream): void {
    const stream = this.ctx.userFunction.serverStream(path("handleStreamedOut"), encode(this.command(call.method, call.payload, call.metadata)));
    this.pipeResponses(call.method, call.depth, stream, out, () => stream.cancel());
  }

  clientStream(call: Omit<RoutedCall, "payload">, requests: AsyncIterable<Any>): Promise<Answer> {
    const started = performance.now();
    let settle: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (settle = resolve));
    return new Promise((resolve) => {
      let settled = false;
      const done = (answer: Answer) => {
        if (settled) return;
        settled = true;
        settle();
        this.record(started, answer.result);
        resolve(answer);
      };
      const upstream = this.ctx.userFunction.clientStream(path("handleStreamedIn"), (error, bytes) => {
        if (error || !bytes) done({ result: this.callError(error), afterReply: NOTHING_AFTER });
        else void this.respond(call.method, bytes, call.depth).then(done);
      });
      void this.forwardRequests(call.method, call.metadata, requests, (bytes) => upstream.write(bytes)).then(
        () => {
          upstream.end();
          // From the end of the request stream, the answer is due within the command timeout (ACT-43).
          const timer = setTimeout(() => {
            upstream.cancel();
            done({ result: fail(status.DEADLINE_EXCEEDED, `no answer from the user function within ${this.ctx.commandTimeoutMs} ms`), afterReply: NOTHING_AFTER });
          }, this.ctx.commandTimeoutMs);
          void answered.then(() => clearTimeout(timer));
        },
        (error: unknown) => {
          upstream.cancel();
          done({ result: routingFailure(error), afterReply: NOTHING_AFTER });
        },
      );
    });
  }

  bidi(call: Omit<RoutedCall, "payload">, requests: AsyncIterable<Any>, out: ResponseStream): void {
    const upstream = this.ctx.userFunction.bidi(path("handleStreamed"));
    this.pipeResponses(call.method, call.depth, upstream, out, () => upstream.cancel());
    void this.forwardRequests(call.method, call.metadata, requests, (bytes) => upstream.write(bytes)).then(
      () => upstream.end(),
      (error: unknown) => {
        upstream.cancel();
        const failure = routingFailure(error);
        if (!failure.ok) out.end(failure.error);
      },
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private command(method: MethodSpec, payload: Any | undefined, metadata: cloudstate.Metadata | undefined): proto.ActionCommand {
    return { serviceName: this.service.name, name: method.name, payload, metadata };
  }

  /** The first command names the call; each later one carries one client message (spec/action.md). */
  private async forwardRequests(method: MethodSpec, metadata: cloudstate.Metadata | undefined, requests: AsyncIterable<Any>, write: (bytes: Buffer) => void): Promise<void> {
    write(encode(this.command(method, undefined, metadata)));
    for await (const payload of requests) write(encode({ serviceName: "", name: "", payload, metadata: undefined }));
  }

  /** Decodes, checks and carries out one ActionResponse; a violation ends the call with INTERNAL (ERR-8). */
  private async respond(method: MethodSpec, bytes: Uint8Array, depth: number): Promise<Answer & { readonly empty: boolean }> {
    let response: proto.ActionResponse;
    try {
      response = proto.ActionResponse.decode(bytes);
    } catch (error) {
      return { ...this.violation(`ERR-10: undecodable ActionResponse from ${method.path} (${String(error)})`), empty: false };
    }
    const action: cloudstate.ClientAction | undefined = response.response && { action: response.response };
    const problem = clientActionProblem(this.ctx.spec, method, action) ?? sideEffectsProblem(this.ctx.spec, response.sideEffects);
    if (problem) return { ...this.violation(`${problem} (action ${method.path})`), empty: false };
    return { ...(await this.ctx.effects.complete(method, action, response.sideEffects, depth)), empty: action === undefined };
  }

  /**
   * Passes each response of a response stream on, in order, each after its own synchronous side
   * effects (EFF-33), and ends the caller's call exactly once: with the first failure (then
   * cancelling the user function's call and ignoring what follows, ACT-16, ACT-23), or with the
   * user function's status once every response before it has been carried out (ACT-35, ACT-41).
   *
   * grpc-js emits a call's `status` as soon as it has it, possibly before `data` events of
   * messages still buffered in the stream: the status is acted on only once the stream's `end`
   * (or `close`) says every message has been delivered, so that a failure sent just before the
   * user function completed its call is not overtaken by that completion.
   */
  private pipeResponses(method: MethodSpec, depth: number, upstream: Upstream, out: ResponseStream, cancel: () => void): void {
    let chain = Promise.resolve();
    const state: { finished: boolean; delivered: boolean; final: { code: status; details: string } | undefined } = { finished: false, delivered: false, final: undefined };
    // A function, so that a change made while awaiting is not narrowed away.
    const isFinished = () => state.finished;
    const finish = (error?: CallError) => {
      if (state.finished) return;
      state.finished = true;
      out.end(error);
      if (error !== undefined) cancel();
    };
    const enqueue = (step: () => Promise<void> | void) => {
      chain = chain.then(step).catch((error: unknown) => {
        // Whatever went wrong, the caller's call must still end (and the user function's with it).
        this.ctx.log.error("an action response could not be carried out", { method: method.path, error: String(error) });
        finish({ code: status.INTERNAL, message: `the proxy failed to carry out a response of ${method.path}` });
      });
    };
    const endWhenDelivered = () => {
      const s = state.final;
      if (s === undefined || !state.delivered) return;
      state.final = undefined;
      enqueue(() => {
        if (s.code === status.OK) return finish();
        const r = this.callError(s);
        finish(r.ok ? undefined : r.error);
      });
    };
    out.cancelled.addEventListener("abort", () => {
      state.finished = true;
      cancel();
    });
    upstream.on("data", (bytes: Buffer) => {
      enqueue(async () => {
        if (state.finished) return;
        const answer = await this.respond(method, bytes, depth);
        // The caller may have gone, or a failure ended the call, while the response was carried out.
        if (isFinished()) return;
        const r = answer.result;
        // An unset response sends nothing to the caller, only its side effects run (spec/action.md).
        if (!r.ok) finish(r.error);
        else if (!answer.empty) out.send(r.payload, r.metadata);
        answer.afterReply();
      });
    });
    upstream.on("error", () => undefined);
    const onDelivered = () => {
      state.delivered = true;
      endWhenDelivered();
    };
    upstream.on("end", onDelivered);
    upstream.on("close", onDelivered);
    upstream.on("status", (s: { code: status; details: string }) => {
      state.final ??= s;
      endWhenDelivered();
    });
  }

  private violation(message: string): Answer {
    this.ctx.metrics.failure(this.service.name, EntityType.Action, "protocol_violation");
    this.ctx.reportError(message);
    return { result: violation(message), afterReply: NOTHING_AFTER };
  }

  /** The user function's own status passes through; an unreachable one is UNAVAILABLE (spec/action.md). */
  private callError(error: { code: status; details: string } | null | undefined): UnaryResult {
    if (!error) return fail(status.INTERNAL, "the user function sent no response");
    if (error.code === status.UNAVAILABLE || error.code === status.CANCELLED) {
      this.ctx.metrics.failure(this.service.name, EntityType.Action, "user_function");
      return fail(status.UNAVAILABLE, `the user function is unavailable: ${error.details}`);
    }
    return fail(error.code, error.details);
  }

  private record(started: number, result: UnaryResult): void {
    this.ctx.metrics.commandCompleted(this.service.name, EntityType.Action, (performance.now() - started) / 1000, result.ok ? status.OK : result.error.code);
  }
}

/** What a response stream from the user function offers. */
export interface Upstream {
  on(event: "data", listener: (bytes: Buffer) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  /** Every message has been delivered as `data`. */
  on(event: "end" | "close", listener: () => void): unknown;
  /** The call's status; it may come before the last messages' `data` (grpc-js). */
  on(event: "status", listener: (s: { code: status; details: string }) => void): unknown;
}

function routingFailure(error: unknown): UnaryResult {
  if (error instanceof RoutingError) return fail(error.error.code, error.error.message);
  return fail(status.INTERNAL, error instanceof Error ? error.message : String(error));
}
