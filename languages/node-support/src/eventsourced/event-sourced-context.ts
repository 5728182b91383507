import type { AnySupport, CodecLike } from "../any/any-support.js";
import { toCodec } from "../any/any-support.js";
import { typeNameOf } from "../any/codec.js";
import { EffectContext } from "../effects/effect-context.js";
import type { Metadata } from "../effects/metadata.js";
import type { Any } from "@cloudstate/protocol";
import type { EventHandler } from "./event-sourced-entity.js";

/** What an event-sourced command handler can see and do (spec/event-sourced.md). */
export class EventSourcedCommandContext<S, Res> extends EffectContext<Res> {
  private readonly emitted: Any[] = [];

  constructor(
    anySupport: AnySupport,
    metadata: Metadata,
    private readonly serviceName: string,
    private readonly eventHandler: (typeName: string) => EventHandler<S> | undefined,
    /** The entity's key, from the stream's `init`. */
    readonly entityId: string,
    /** The command's id on the entity stream, which its answer carries (spec/commands.md CMD-6). */
    readonly commandId: bigint,
    /** Protobuf name of the method called, e.g. `AddItem`. */
    readonly commandName: string,
    private currentState: S,
    private readonly startSequence: bigint,
  ) {
    super(anySupport, metadata);
  }

  /** The state, with every event emitted by this command already applied. */
  get state(): S {
    return this.currentState;
  }

  /** Sequence number of the last event applied (emitted ones included). */
  get sequenceNumber(): bigint {
    return this.startSequence + BigInt(this.emitted.length);
  }

  /**
   * Emits an event: it is applied to the state at once, and persisted with the
   * reply unless the command fails (then nothing of it is kept).
   */
  emit<E>(type: CodecLike<E>, event: E): void {
    const codec = toCodec(type);
    const handler = this.eventHandler(typeNameOf(codec.typeUrl));
    if (handler === undefined) {
      throw new Error(`${this.serviceName} has no event handler for ${typeNameOf(codec.typeUrl)}`);
    }
    const packed = this.anySupport.pack(codec, event);
    this.currentState = handler.apply(event, this.currentState);
    this.emitted.push(packed);
  }

  /** @internal */
  get emittedEvents(): readonly Any[] {
    return this.emitted;
  }
}
