import { action as proto, type cloudstate } from "@cloudstate/protocol";
import {
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { AnySupport, toCodec } from "../any/any-support.js";
import { decodeMethodPayload } from "../any/method-payload.js";
import { toClientAction } from "../effects/client-action.js";
import { Metadata } from "../effects/metadata.js";
import { failureOutcome, type Outcome, toOutcome } from "../effects/outcome.js";
import { type MethodDefinition, resolveHandler } from "../effects/service-definition.js";
import type { Logger } from "../logger.js";
import { errorMessage } from "../server/entity-stream.js";
import { rawMethod, toBuffer } from "../server/raw-method.js";
import type { Action } from "./action.js";
import { ActionContext, ActionStreamContext } from "./action-context.js";
import { AsyncQueue } from "./async-queue.js";

export const actionServiceDefinition = {
  handleUnary: rawMethod("/cloudstate.action.ActionProtocol/handleUnary", false, false),
  handleStreamedIn: rawMethod("/cloudstate.action.ActionProtocol/handleStreamedIn", true, false),
  handleStreamedOut: rawMethod("/cloudstate.action.ActionProtocol/handleStreamedOut", false, true),
  handleStreamed: rawMethod("/cloudstate.action.ActionProtocol/handleStreamed", true, true),
};

type Handler = (input: unknown, ctx: ActionContext<unknown>) => unknown;

interface Resolved {
  readonly action: Action;
  readonly anySupport: AnySupport;
  readonly method: MethodDefinition;
  readonly handler: Handler;
  readonly command: proto.ActionCommand;
}

/** A command the action cannot handle: answered with a failure response, not a call error (CMD-40). */
class CommandError extends Error {}

/** The caller cancelled the call: its handler's request stream ends with this. */
class CallCancelled extends Error {
  constructor() {
    super("the call was cancelled");
  }
}

class CallError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** The `cloudstate.action.ActionProtocol` gRPC service over the given actions (spec/action.md). */
export function actionService(actions: readonly Action[], logger: Logger): UntypedServiceImplementation {
  const byService = new Map(actions.map((a) => [a.serviceName, { action: a, anySupport: new AnySupport(a.options.types ?? []) }]));

  function decodeCommand(bytes: Buffer): proto.ActionCommand {
    try {
      return proto.ActionCommand.decode(bytes);
    } catch (error) {
      throw new CallError(status.INVALID_ARGUMENT, `undecodable ActionCommand: ${errorMessage(error)}`);
    }
  }

  /** The action and handler a command names; an unknown one is answered with a failure response (CMD-40). */
  function resolve(command: proto.ActionCommand): Resolved {
    const registered = byService.get(command.serviceName);
    if (registered === undefined) throw new CommandError(`unknown command ${command.name} on ${command.serviceName}: no action serves that service`);
    const found = resolveHandler(registered.action.options.service, registered.action.options.commands as Record<string, Handler | undefined>, command.name);
    if (found === undefined) throw new CommandError(`unknown command ${command.name} on ${command.serviceName}`);
    return { ...registered, ...found, command };
  }

  /** The handler's request: the payload decoded as the input type, or the Any itself for Any inputs (ANY-24). */
  function decodeRequest(r: Resolved, payload: cloudstate.Command["payload"]): unknown {
    try {
      return decodeMethodPayload(r.method.requestType, payload);
    } catch (error) {
      throw new CommandError(`cannot decode the ${r.command.name} request: ${errorMessage(error)}`);
    }
  }

  function failureResponse(description: string): Buffer {
    const message: proto.ActionResponse = { response: { $case: "failure", value: { commandId: 0n, description, restart: false } }, sideEffects: [] };
    return toBuffer(proto.ActionResponse.encode(message).finish());
  }

  function response(r: Resolved, result: unknown, ctx: ActionContext<unknown>): Buffer {
    const outcome: Outcome<unknown> = toOutcome(result);
    const clientAction = toClientAction(outcome, 0n, toCodec<unknown>(r.method.responseType), r.anySupport);
    const message: proto.ActionResponse = { response: clientAction?.action, sideEffects: ctx.takeSideEffects() };
    return toBuffer(proto.ActionResponse.encode(message).finish());
  }

  function failed(r: Resolved, error: unknown, ctx: ActionContext<unknown>): Buffer {
    logger.error("action handler failed", { service: r.command.serviceName, command: r.command.name, error: errorMessage(error) });
    return response(r, failureOutcome(`${r.command.name} failed: ${errorMessage(error)}`), ctx);
  }

  function context(r: Resolved): ActionContext<unknown> {
    return new ActionContext(r.anySupport, Metadata.fromProtocol(r.command.metadata), r.command.serviceName, r.command.name);
  }

  /** A stream context whose results are written to the call; a failure also ends it (ACT-24). */
  function streamContext(r: Resolved, out: ResponseStream): ActionStreamContext<unknown> {
    return new ActionStreamContext(r.anySupport, Metadata.fromProtocol(r.command.metadata), r.command.serviceName, r.command.name, (result, ctx) => {
      out.write(response(r, result, ctx));
      if (toOutcome(result).kind === "failure") out.end();
    });
  }

  /** Requests of a client stream: the first message names the call, the rest carry payloads (spec/action.md). */
  function requestStream(call: ServerReadableStream<Buffer, Buffer>, onFirst: (r: Resolved) => void, onError: (e: CallError | CommandError) => void) {
    const queue = new AsyncQueue<unknown>();
    let resolved: Resolved | undefined;
    let broken = false;
    const fail = (error: CallError | CommandError) => {
      if (broken) return;
      broken = true;
      queue.fail(error);
      onError(error);
    };
    call.on("data", (bytes: Buffer) => {
      // Once the call failed, later commands are not looked at (a later one must not start a handler).
      if (broken) return;
      try {
        const command = decodeCommand(bytes);
        if (resolved === undefined) {
          // The first command names the call and carries no payload (ERR-40).
          if (command.payload !== undefined) throw new CallError(status.INVALID_ARGUMENT, "the first command of a streamed call must not carry a payload");
          if (command.name === "") throw new CallError(status.INVALID_ARGUMENT, "the first command of a streamed call must name the method");
          resolved = resolve(command);
          onFirst(resolved);
          return;
        }
        if ((command.serviceName !== "" && command.serviceName !== resolved.command.serviceName) || (command.name !== "" && command.name !== resolved.command.name)) {
          throw new CallError(status.INVALID_ARGUMENT, "a later command of a streamed call names another service or method");
        }
        queue.push(decodeRequest(resolved, command.payload));
      } catch (error) {
        fail(error instanceof CallError || error instanceof CommandError ? error : new CallError(status.INVALID_ARGUMENT, errorMessage(error)));
      }
    });
    call.on("end", () => {
      if (resolved === undefined) fail(new CallError(status.INVALID_ARGUMENT, "the call ended before its first command named a method"));
      queue.end();
    });
    call.on("error", (error) => queue.fail(error));
    // A cancelled call ends the handler's iteration, so that it stops waiting for requests (ACT-40).
    // (grpc-js usually ends the request stream first; this covers the calls where it does not.)
    call.on("cancelled", () => queue.fail(new CallCancelled()));
    return queue;
  }

  return {
    async handleUnary(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
      try {
        const r = resolve(decodeCommand(call.request));
        const request = decodeRequest(r, r.command.payload);
        const ctx = context(r);
        try {
          callback(null, response(r, await r.handler(request, ctx), ctx));
        } catch (error) {
          callback(null, failed(r, error, ctx));
        }
      } catch (error) {
        if (error instanceof CommandError) callback(null, failureResponse(error.message));
        else callback(toStatus(error));
      }
    },

    handleStreamedIn(call: ServerReadableStream<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
      let answered = false;
      const answer = (error: ReturnType<typeof toStatus> | null, bytes?: Buffer) => {
        if (answered) return;
        answered = true;
        callback(error, bytes);
      };
      call.on("cancelled", () => (answered = true));
      const queue = requestStream(
        call,
        (r) => {
          const ctx = context(r);
          Promise.resolve()
            .then(() => r.handler(queue, ctx))
            .then(
              (result) => answer(null, response(r, result, ctx)),
              (error: unknown) => {
                if (answered) return;
                if (error instanceof CallError) answer(toStatus(error));
                else if (error instanceof CommandError) answer(null, failureResponse(error.message));
                else answer(null, failed(r, error, ctx));
              },
            );
        },
        (error) => (error instanceof CommandError ? answer(null, failureResponse(error.message)) : answer(toStatus(error))),
      );
    },

    handleStreamedOut(call: ServerWritableStream<Buffer, Buffer>) {
      const out = responseStream(call);
      let r: Resolved;
      let request: unknown;
      try {
        r = resolve(decodeCommand(call.request));
        request = decodeRequest(r, r.command.payload);
      } catch (error) {
        if (error instanceof CommandError) {
          out.write(failureResponse(error.message));
          out.end();
        } else out.fail(toStatus(error));
        return;
      }
      const ctx = streamContext(r, out);
      call.on("cancelled", () => ctx.cancel());
      Promise.resolve()
        .then(() => r.handler(request, ctx))
        .then(
          () => out.end(),
          (error: unknown) => {
            if (!ctx.closed) out.write(failed(r, error, ctx));
            out.end();
          },
        );
    },

    handleStreamed(call: ServerDuplexStream<Buffer, Buffer>) {
      const out = responseStream(call);
      let ctx: ActionStreamContext<unknown> | undefined;
      call.on("cancelled", () => ctx?.cancel());
      const queue = requestStream(
        call,
        (r) => {
          const streamCtx = streamContext(r, out);
          ctx = streamCtx;
          Promise.resolve()
            .then(() => r.handler(queue, streamCtx))
            .then(
              () => out.end(),
              (error: unknown) => {
                if (error instanceof CallError) out.fail(toStatus(error));
                else if (error instanceof CommandError) {
                  out.write(failureResponse(error.message));
                  out.end();
                } else if (!(error instanceof CallCancelled)) {
                  if (!streamCtx.closed) out.write(failed(r, error, streamCtx));
                  out.end();
                }
              },
            );
        },
        (error) => {
          if (error instanceof CommandError) {
            out.write(failureResponse(error.message));
            out.end();
          } else out.fail(toStatus(error));
          ctx?.close();
        },
      );
    },
  };
}

/** The response side of a streamed call, written to at most until it ends (or the caller cancels). */
interface ResponseStream {
  write(bytes: Buffer): void;
  /** Completes the call with status OK. */
  end(): void;
  /** Ends the call with an error status. */
  fail(error: ReturnType<typeof toStatus>): void;
}

function responseStream(call: ServerWritableStream<Buffer, Buffer> | ServerDuplexStream<Buffer, Buffer>): ResponseStream {
  let ended = false;
  call.on("cancelled", () => (ended = true));
  return {
    write(bytes) {
      if (!ended) call.write(bytes);
    },
    end() {
      if (ended) return;
      ended = true;
      call.end();
    },
    fail(error) {
      if (ended) return;
      ended = true;
      call.emit("error", error);
    },
  };
}

function toStatus(error: unknown) {
  if (error instanceof CallError) return { code: error.code, details: error.message };
  return { code: status.INTERNAL, details: errorMessage(error) };
}
