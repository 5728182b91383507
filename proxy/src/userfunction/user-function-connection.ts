// Where the proxy stands with its user function, as one state machine (spec/failover.md §5):
// every sign that the user function may have gone away is reported here as a loss, and every
// caller that must not reach the user function before it was discovered again (entity streams,
// action calls) asks here. The discovery loop (discovery/discovery-loop.ts) moves it back to
// serving, or to refused when the spec it finds cannot be served.

/** The proxy's relation to the user function. */
export type ConnectionState =
  /** Before the first spec was accepted (spec/discovery.md DISC-1, DISC-2). */
  | "starting"
  /** A spec is accepted and the user function is believed reachable. */
  | "serving"
  /** The user function was lost; discovery runs again before any new stream or action call (FO-21). */
  | "recovering"
  /** The spec found at (re-)discovery cannot be served: calls fail UNAVAILABLE, discovery is retried (FO-22, FO-23). */
  | "refused"
  /** The proxy is shutting down. */
  | "closed";

/** Time as the connection needs it; tests pass a fake one. */
export interface ConnectionClock {
  now(): number;
  /** Calls `callback` after `ms`; the returned function cancels it. */
  after(ms: number, callback: () => void): () => void;
}

/** The real clock; its timers do not keep the process alive. */
export const SYSTEM_CLOCK: ConnectionClock = {
  now: () => Date.now(),
  after(ms, callback) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** Called on every change of state, with what caused it. */
export type StateListener = (state: ConnectionState, reason: string) => void;

/**
 * The user function connection state. Losses are counted, so that a discovery can tell whether
 * the user function it spoke to may have gone (and come back) while it ran: an answer from before
 * the latest loss is not trusted to describe the process that serves now.
 */
export class UserFunctionConnection {
  private current: ConnectionState = "starting";
  private lossCount = 0;
  private readonly listeners = new Set<StateListener>();
  /** Woken on every change of state and on every loss. */
  private readonly wakers = new Set<() => void>();

  constructor(private readonly clock: ConnectionClock = SYSTEM_CLOCK) {}

  get state(): ConnectionState {
    return this.current;
  }

  /** How many losses were reported so far: pass it to {@link serve} after a discovery. */
  get losses(): number {
    return this.lossCount;
  }

  /**
   * The user function may have gone: its connection dropped, or a stream to it broke with
   * UNAVAILABLE. A serving proxy starts recovering; in any other state the loss only counts.
   */
  lost(reason: string): void {
    if (this.current === "closed") return;
    this.lossCount++;
    if (this.current === "serving") this.set("recovering", reason);
    else this.wake();
  }

  /**
   * A discovery that began when {@link losses} was `since` found a spec to serve. Returns false,
   * leaving the state as it was (or recovering, when it was serving), when a loss happened since:
   * that discovery may have spoken to a process that is gone, so it must be repeated.
   */
  serve(since: number): boolean {
    if (this.current === "closed" || since !== this.lossCount) return false;
    if (this.current !== "serving") this.set("serving", "a servable spec was discovered");
    return true;
  }

  /** The spec found cannot be served (FO-22); `reason` says why. */
  refuse(reason: string): void {
    if (this.current === "closed") return;
    if (this.current === "refused") return;
    this.set("refused", reason);
  }

  /** Shutdown: every wait ends, and nothing changes the state any more. */
  close(): void {
    if (this.current !== "closed") this.set("closed", "the proxy is shutting down");
  }

  onChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves true once the state is serving; false at `deadline` (epoch ms), or as soon as the
   * spec is refused or the proxy closes. While starting or recovering it waits (bounded by the
   * deadline, FO-4).
   */
  whenServing(deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const now = this.settled(deadline);
      if (now !== undefined) {
        resolve(now);
        return;
      }
      let cancelTimer: () => void = () => undefined;
      const finish = (result: boolean): void => {
        this.wakers.delete(check);
        cancelTimer();
        resolve(result);
      };
      const check = (): void => {
        const settled = this.settled(deadline);
        if (settled !== undefined) finish(settled);
      };
      this.wakers.add(check);
      // The timer's firing is the deadline, whatever the clock reads then: Node's timers count
      // from the event loop's cached time, so one may fire while Date.now() is still short of
      // `deadline`, and nothing else may come to end the wait (no loss, no change of state while
      // the user function stays down): the caller would wait past its queue timeout (FO-4).
      cancelTimer = this.clock.after(Math.max(0, deadline - this.clock.now()), () => finish(this.settled(deadline) ?? false));
    });
  }

  /** Resolves after `ms`, or earlier at the next loss or change of state (the discovery loop's pause). */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.wakers.delete(done);
        cancelTimer();
        resolve();
      };
      this.wakers.add(done);
      const cancelTimer = this.clock.after(ms, done);
    });
  }

  private settled(deadline: number): boolean | undefined {
    switch (this.current) {
      case "serving":
        return true;
      case "refused":
      case "closed":
        return false;
      case "starting":
      case "recovering":
        return this.clock.now() >= deadline ? false : undefined;
    }
  }

  private set(state: ConnectionState, reason: string): void {
    this.current = state;
    for (const listener of [...this.listeners]) listener(state, reason);
    this.wake();
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }
}
