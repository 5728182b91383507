import type { AnySupport } from "../any/any-support.js";
import { EffectContext } from "../effects/effect-context.js";
import type { Metadata } from "../effects/metadata.js";

/** A pending change to the stored value. */
export type StateChange<S> = { readonly kind: "update"; readonly value: S } | { readonly kind: "delete" };

/** What a value entity command handler can see and do (spec/value-entity.md). */
export class ValueEntityCommandContext<S, Res> extends EffectContext<Res> {
  private change: StateChange<S> | undefined;

  constructor(
    anySupport: AnySupport,
    metadata: Metadata,
    /** The entity's key, from the stream's `init`. */
    readonly entityId: string,
    /** The command's id on the entity stream, which its answer carries (spec/commands.md CMD-6). */
    readonly commandId: bigint,
    /** Protobuf name of the method called, e.g. `AddItem`. */
    readonly commandName: string,
    private readonly stored: S,
    private readonly initial: () => S,
  ) {
    super(anySupport, metadata);
  }

  /** The state as this command left it so far. */
  get state(): S {
    if (this.change === undefined) return this.stored;
    return this.change.kind === "update" ? this.change.value : this.initial();
  }

  /** Replaces the stored value when the command succeeds. */
  updateState(value: S): void {
    this.change = { kind: "update", value };
  }

  /** Deletes the stored value when the command succeeds; the state reads as initial again. */
  deleteState(): void {
    this.change = { kind: "delete" };
  }

  /** @internal */
  get stateChange(): StateChange<S> | undefined {
    return this.change;
  }
}
