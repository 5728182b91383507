import type { AnySupport } from "../any/any-support.js";
import { EffectContext } from "../effects/effect-context.js";
import type { Metadata } from "../effects/metadata.js";
import { isOutcome, type Outcome } from "../effects/outcome.js";

/** What an action handler can see and do (spec/action.md). */
export class ActionContext<Res> extends EffectContext<Res> {
  constructor(
    anySupport: AnySupport,
    metadata: Metadata,
    /** Fully qualified name of the service called, taken from the call's first command (spec/action.md ACT-8). */
    readonly serviceName: string,
    /** Protobuf name of the method called, e.g. `AddItem`. */
    readonly commandName: string,
  ) {
    super(anySupport, metadata);
  }
}

/** An action context that can send several results on a response stream. */
export class ActionStreamContext<Res> extends ActionContext<Res> {
  private cancelListeners: (() => void)[] = [];
  private isCancelled = false;
  private isClosed = false;

  constructor(
    anySupport: AnySupport,
    metadata: Metadata,
    serviceName: string,
    commandName: string,
    private readonly sink: (result: Res | Outcome<Res>, ctx: ActionStreamContext<Res>) => void,
  ) {
    super(anySupport, metadata, serviceName, commandName);
  }

  /**
   * Sends one result (a message, forward, failure or no reply) with the side
   * effects added since the last send. A failure is the call's last response
   * (ACT-24): it ends the call, and later sends are dropped, as are sends after
   * the caller went away.
   */
  send(result: Res | Outcome<Res>): void {
    if (this.isClosed) return;
    this.sink(result, this);
    if (isOutcome(result) && result.kind === "failure") this.close();
  }

  /** True once the caller went away. */
  get cancelled(): boolean {
    return this.isCancelled;
  }

  /** True once nothing more can be sent: the caller went away, or a failure was sent. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Called once when the call ends before the handler does (cancelled, or ended by a failure), so it can stop (ACT-40). */
  onCancel(listener: () => void): void {
    if (this.isClosed) listener();
    else this.cancelListeners.push(listener);
  }

  /** @internal The caller went away. */
  cancel(): void {
    this.isCancelled = true;
    this.close();
  }

  /** @internal The call is over: drop later sends and tell the handler. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const listeners = this.cancelListeners;
    this.cancelListeners = [];
    for (const listener of listeners) listener();
  }
}
