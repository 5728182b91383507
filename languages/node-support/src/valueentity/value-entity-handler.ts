import type { cloudstate, valueentity } from "@cloudstate/protocol";
import { type AnySupport, toCodec } from "../any/any-support.js";
import { type Codec, typeNameOf } from "../any/codec.js";
import { toClientAction } from "../effects/client-action.js";
import { Metadata } from "../effects/metadata.js";
import { failureOutcome, type Outcome, toOutcome } from "../effects/outcome.js";
import { decodeRequest, resolveHandler } from "../effects/service-definition.js";
import type { Logger } from "../logger.js";
import { errorMessage, ProtocolViolation } from "../server/entity-stream.js";
import { ValueEntityCommandContext } from "./value-entity-context.js";
import type { ValueEntity } from "./value-entity.js";

type Out = valueentity.ValueEntityStreamOut;
type CommandHandler<S> = (request: unknown, ctx: ValueEntityCommandContext<S, unknown>) => unknown;

/**
 * One value entity instance on one stream: starts from the stored value, and
 * answers each command with the reply and the change to store (spec/value-entity.md).
 */
export class ValueEntityHandler<S> {
  private state: S;
  private readonly stateCodec: Codec<S>;

  constructor(
    private readonly entity: ValueEntity<never, S>,
    private readonly anySupport: AnySupport,
    private readonly logger: Logger,
    readonly entityId: string,
    initState: valueentity.ValueEntityInitState | undefined,
  ) {
    this.stateCodec = toCodec(entity.options.stateType);
    const stored = initState?.value;
    if (stored === undefined) {
      this.state = entity.options.initialState(entityId);
    } else {
      if (typeNameOf(stored.typeUrl) !== typeNameOf(this.stateCodec.typeUrl)) {
        throw new ProtocolViolation(`stored state of type ${stored.typeUrl} is not ${this.stateCodec.typeUrl}`);
      }
      this.state = this.stateCodec.decode(stored.value);
    }
  }

  async handleCommand(command: cloudstate.Command): Promise<Out> {
    if (command.entityId !== this.entityId) {
      throw new ProtocolViolation(`command ${command.id} is for entity ${command.entityId}, stream is for ${this.entityId}`);
    }
    const resolved = resolveHandler(this.entity.options.service, this.entity.options.commands as Record<string, CommandHandler<S> | undefined>, command.name);
    if (resolved === undefined) return failureReply(command.id, `unknown command ${command.name} for ${this.entity.serviceName}`, false);
    const { method, handler } = resolved;
    let request: unknown;
    try {
      request = decodeRequest(method, command.payload);
    } catch (error) {
      return failureReply(command.id, `cannot decode ${command.name} request: ${errorMessage(error)}`, false);
    }
    const ctx = new ValueEntityCommandContext<S, unknown>(
      this.anySupport,
      Metadata.fromProtocol(command.metadata),
      this.entityId,
      command.id,
      command.name,
      this.state,
      () => this.entity.options.initialState(this.entityId),
    );
    let outcome: Outcome<unknown>;
    try {
      outcome = toOutcome(await handler(request, ctx));
    } catch (error) {
      // The handler may have mutated the state object before throwing: restart from storage.
      this.logger.error("command handler failed", { service: this.entity.serviceName, command: command.name, error: errorMessage(error) });
      return failureReply(command.id, `${command.name} failed: ${errorMessage(error)}`, true);
    }
    // A value entity reply always answers the caller (spec/value-entity.md).
    if (outcome.kind === "noReply") outcome = failureOutcome(`${command.name} gave no reply`);
    // A failed command changes nothing (spec/value-entity.md): staged changes are dropped.
    if (outcome.kind === "failure") return failureReply(command.id, outcome.description, outcome.restart);
    const change = ctx.stateChange;
    let stateAction: valueentity.ValueEntityAction | undefined;
    if (change?.kind === "update") {
      stateAction = { action: { $case: "update", value: { value: this.anySupport.pack(this.stateCodec, change.value) } } };
      this.state = change.value;
    } else if (change?.kind === "delete") {
      stateAction = { action: { $case: "delete", value: {} } };
      this.state = this.entity.options.initialState(this.entityId);
    }
    return {
      message: {
        $case: "reply",
        value: {
          commandId: command.id,
          clientAction: toClientAction(outcome, command.id, toCodec<unknown>(method.responseType), this.anySupport),
          sideEffects: ctx.takeSideEffects(),
          stateAction,
        },
      },
    };
  }
}

function failureReply(commandId: bigint, description: string, restart: boolean): Out {
  return {
    message: {
      $case: "reply",
      value: {
        commandId,
        clientAction: { action: { $case: "failure", value: { commandId, description, restart } } },
        sideEffects: [],
        stateAction: undefined,
      },
    },
  };
}
