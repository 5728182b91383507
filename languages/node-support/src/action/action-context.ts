import type { AnySupport } from "../any/any-support.js";
import { EffectContext } from "../effects/effect-context.js";
import type { Metadata } from "../effects/metadata.js";
import type { Outcome } from "../effects/outcome.js";

/** What an action handler can see and do (spec/action.md). */
export class ActionContext<Res> extends EffectContext<Res> {
  constructor(
    anySupport: AnySupport,
    metadata: Metadata,
    readonly serviceName: string,
    readonly commandName: string,
  ) {
    super(anySupport, metadata);
  }
}

/** An action context that can send several results on a response stream. */
export class ActionStreamContext<Res> extends ActionContext<Res> {
  private cancelListeners: (() => void)[] = [];
  private isCancelled = false;

  constructor(
    anySupport: AnySupport,
    metadata: Metadata,
    serviceName: string,
    commandName: string,
    private readonly sink: (result: Res | Outcome<Res>, ctx: ActionStreamContext<Res>) => void,
  ) {
    super(anySupport, metadata, serviceName, commandName);
  }

  /** Sends one result (a message, forward, failure or no reply) with the side effects added since the last send. */
  send(result: Res | Outcome<Res>): void {
    if (!this.isCancelled) this.sink(result, this);
  }

  /** True once the caller went away; further sends are dropped. */
  get cancelled(): boolean {
    return this.isCancelled;
  }

  onCancel(listener: () => void): void {
    this.cancelListeners.push(listener);
  }

  /** @internal */
  cancel(): void {
    if (this.isCancelled) return;
    this.isCancelled = true;
    const listeners = this.cancelListeners;
    this.cancelListeners = [];
    for (const listener of listeners) listener();
  }
}
