import { EntityType, valueentity } from "@cloudstate/protocol";
import { COMMAND_FIELD } from "../entity/command-message.js";
import { encodeToBuffer } from "../entity/protocol-encoding.js";
import { SequentialEntity, type StartMessages, Violation } from "../entity/sequential-entity.js";

type In = valueentity.ValueEntityStreamIn;
type Out = valueentity.ValueEntityStreamOut;

/**
 * A value entity (spec/value-entity.md): initialised with the stored value,
 * it stores each reply's update or deletion before anything else happens for
 * that reply.
 */
export class ValueEntity extends SequentialEntity<In, Out> {
  protected readonly path = "/cloudstate.valueentity.ValueEntity/handle";
  protected readonly entityType = EntityType.ValueEntity;
  protected readonly commandField = COMMAND_FIELD.valueEntity;

  private get persistenceId(): string {
    return this.ctx.spec.services.get(this.serviceName)?.persistenceId ?? this.serviceName;
  }

  protected encode(message: In): Buffer {
    return encodeToBuffer(valueentity.ValueEntityStreamIn, message);
  }

  protected decode(bytes: Uint8Array): Out {
    return valueentity.ValueEntityStreamOut.decode(bytes);
  }

  protected async initMessages(): Promise<StartMessages> {
    const value = await this.ctx.store.loadValue(this.persistenceId, this.key);
    return { replayed: 0, encoded: [this.encode({ message: { $case: "init", value: { serviceName: this.serviceName, entityId: this.key, state: { value } } } })] };
  }

  protected async onMessage(message: Out): Promise<void> {
    const m = message.message;
    switch (m?.$case) {
      case "reply":
        return this.onReply(m.value);
      case "failure":
        return this.entityFailed(m.value);
      case undefined:
        throw new Violation("ERR-10: a message with no known case");
    }
  }

  private async onReply(reply: valueentity.ValueEntityReply): Promise<void> {
    const inFlight = this.answered(reply.commandId);
    const action = reply.clientAction?.action;
    if (action === undefined) throw new Violation("ERR-11: a reply without client action");
    const change = reply.stateAction;
    if (action.$case === "failure" && change !== undefined) throw new Violation("ERR-17: a failure reply carries a state action");
    if (change !== undefined && change.action === undefined) throw new Violation("ERR-18: a state action with neither update nor delete");
    if (change?.action?.$case === "update" && !change.action.value.value?.typeUrl) throw new Violation("ERR-18: an update without a typed value");
    this.checkEffects(inFlight.pending.call.method, reply.clientAction, reply.sideEffects);
    if (action.$case === "failure") {
      this.commandFailed(action.value, reply.sideEffects);
      return;
    }
    if (change?.action !== undefined) {
      // Stored before the caller hears of it (VE); a failed write is not acknowledged.
      await this.ctx.store.saveValue(this.persistenceId, this.key, change.action.$case === "update" ? change.action.value.value : undefined);
    }
    this.stored(reply.clientAction, reply.sideEffects);
  }
}
