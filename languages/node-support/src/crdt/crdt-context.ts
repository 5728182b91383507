import { crdt as proto } from "@cloudstate/protocol";
import type { AnySupport } from "../any/any-support.js";
import { EffectContext } from "../effects/effect-context.js";
import type { Metadata } from "../effects/metadata.js";
import type { Outcome } from "../effects/outcome.js";
import type { Crdt } from "./crdt.js";

/** What a state-change callback returns: a message for the caller, an outcome, or nothing this time. */
export type StateChangeResult<Res> = Res | Outcome<Res> | undefined;

/** Called after each change of the value while a streamed command is open (spec/crdt.md CRDT-88). */
export type StateChangeCallback<Res> = (state: Crdt | undefined, ctx: StateChangeContext<Res>) => StateChangeResult<Res>;

/** Called when the caller of a streamed command goes away (spec/crdt.md CRDT-82). */
export type CancelCallback = (ctx: CancelContext) => void;

/** The value of a CRDT entity as a command or callback may change it. */
export class CrdtStateHolder {
  private deleted = false;
  private created = false;

  constructor(
    private current: Crdt | undefined,
    /** @internal */ readonly writeConsistency: { value: proto.CrdtWriteConsistency },
  ) {}

  /** The value, or undefined when there is none or it was deleted. */
  get state(): Crdt | undefined {
    return this.deleted ? undefined : this.current;
  }

  /** Gives the entity a value; throws if it has one that is not deleted (spec/crdt.md CRDT-23). */
  create(value: Crdt): void {
    if (this.current !== undefined && !this.deleted) throw new Error("the entity already has a value: change it, or delete it first");
    this.current = value;
    this.created = true;
    this.deleted = false;
  }

  /** Deletes the value; throws if there is none (spec/crdt.md CRDT-23). */
  delete(): void {
    if (this.current === undefined) throw new Error("the entity has no value to delete");
    this.deleted = true;
  }

  /** @internal The state action this command's changes amount to (spec/crdt.md §4). */
  stateAction(): proto.CrdtStateAction | undefined {
    const writeConsistency = this.writeConsistency.value;
    if (this.deleted) return { action: { $case: "delete", value: {} }, writeConsistency };
    if (this.current === undefined) return undefined;
    if (this.created) {
      this.current.getAndResetDelta();
      return { action: { $case: "create", value: this.current.toState() }, writeConsistency };
    }
    const delta = this.current.getAndResetDelta();
    return delta === undefined ? undefined : { action: { $case: "update", value: delta }, writeConsistency };
  }

  /** @internal */
  get isDeleted(): boolean {
    return this.deleted;
  }

  /** @internal The value after the command (undefined once deleted). */
  get value(): Crdt | undefined {
    return this.state;
  }
}

/** What a CRDT command handler can see and do. */
export class CrdtCommandContext<Res> extends EffectContext<Res> {
  private stateChange: StateChangeCallback<Res> | undefined;
  private cancel: CancelCallback | undefined;

  constructor(
    anySupport: AnySupport,
    metadata: Metadata,
    /** The entity's key, from the stream's `init`. */
    readonly entityId: string,
    /** The command's id on the entity stream, which its answers carry (spec/commands.md CMD-6). */
    readonly commandId: bigint,
    /** Protobuf name of the method called, e.g. `Connect`. */
    readonly commandName: string,
    /** True when the caller expects a stream of responses. */
    readonly streamed: boolean,
    private readonly holder: CrdtStateHolder,
  ) {
    super(anySupport, metadata);
  }

  /** The entity's value, or undefined when it has none yet. */
  get state(): Crdt | undefined {
    return this.holder.state;
  }

  /** Creates the entity's value (only when it has none); sent as a `create` state action. */
  create<C extends Crdt>(value: C): C {
    this.holder.create(value);
    return value;
  }

  /** Deletes the entity: its value is dropped everywhere (spec/crdt.md §7). */
  delete(): void {
    this.holder.delete();
  }

  /** How many replicas must have this command's change before the caller is answered. */
  set writeConsistency(value: proto.CrdtWriteConsistency) {
    this.holder.writeConsistency.value = value;
  }

  /** The write consistency sent with this command's state action: `LOCAL` unless set (spec/crdt.md CRDT-105). */
  get writeConsistency(): proto.CrdtWriteConsistency {
    return this.holder.writeConsistency.value;
  }

  /** For a streamed command: accept the stream, and send what this returns after each change. */
  set onStateChange(callback: StateChangeCallback<Res>) {
    this.requireStreamed();
    this.stateChange = callback;
  }

  /** For a streamed command: accept the stream, and run this when the caller cancels. */
  set onCancel(callback: CancelCallback) {
    this.requireStreamed();
    this.cancel = callback;
  }

  /** @internal */
  get callbacks(): { stateChange: StateChangeCallback<Res> | undefined; cancel: CancelCallback | undefined } {
    return { stateChange: this.stateChange, cancel: this.cancel };
  }

  private requireStreamed(): void {
    if (!this.streamed) throw new Error(`${this.commandName} was not called as a stream`);
  }
}

/** Given to a state-change callback: effects, and ending the caller's stream. */
export class StateChangeContext<Res> extends EffectContext<Res> {
  private ended = false;

  constructor(
    anySupport: AnySupport,
    metadata: Metadata,
    /** The entity's key. */
    readonly entityId: string,
    /** The id of the streamed command whose caller receives what the callback returns. */
    readonly commandId: bigint,
  ) {
    super(anySupport, metadata);
  }

  /** Ends the caller's stream after this message. */
  end(): void {
    this.ended = true;
  }

  /** @internal */
  get isEnded(): boolean {
    return this.ended;
  }
}

/** Given to a cancel callback: the value (to change it), and side effects. */
export class CancelContext extends EffectContext<never> {
  constructor(
    anySupport: AnySupport,
    metadata: Metadata,
    /** The entity's key. */
    readonly entityId: string,
    /** The id of the streamed command that was cancelled (spec/crdt.md CRDT-82). */
    readonly commandId: bigint,
    private readonly holder: CrdtStateHolder,
  ) {
    super(anySupport, metadata);
  }

  /** The entity's value, or undefined when it has none. */
  get state(): Crdt | undefined {
    return this.holder.state;
  }

  /** Creates the entity's value (only when it has none). */
  create<C extends Crdt>(value: C): C {
    this.holder.create(value);
    return value;
  }

  /** Deletes the entity: its value is dropped everywhere (spec/crdt.md §7). */
  delete(): void {
    this.holder.delete();
  }

  /** How many replicas must have the cancel callback's change (spec/crdt.md CRDT-86). */
  set writeConsistency(value: proto.CrdtWriteConsistency) {
    this.holder.writeConsistency.value = value;
  }

  /** The write consistency sent with the callback's state action: `LOCAL` unless set (CRDT-105). */
  get writeConsistency(): proto.CrdtWriteConsistency {
    return this.holder.writeConsistency.value;
  }
}
