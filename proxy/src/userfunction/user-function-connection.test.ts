import { describe, expect, it } from "@jest/globals";
import { type ConnectionClock, type ConnectionState, UserFunctionConnection } from "./user-function-connection.js";

/** A clock whose time moves only when the test says so. */
class FakeClock implements ConnectionClock {
  private time = 1_000;
  private readonly timers = new Set<{ at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  after(ms: number, callback: () => void): () => void {
    const timer = { at: this.time + ms, callback };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Moves time on by `ms`, firing the timers due. */
  advance(ms: number): void {
    this.time += ms;
    for (const timer of [...this.timers].sort((a, b) => a.at - b.at)) {
      if (timer.at > this.time) continue;
      this.timers.delete(timer);
      timer.callback();
    }
  }

  /**
   * Fires the timers due within `ms` while the time moves on by less, as Node's timers do: they
   * count from the event loop's cached time, so one may fire while Date.now() is a little short of
   * the time it was set for.
   */
  fireEarly(ms: number, short: number): void {
    const due = this.time + ms;
    this.time = due - short;
    for (const timer of [...this.timers].sort((a, b) => a.at - b.at)) {
      if (timer.at > due) continue;
      this.timers.delete(timer);
      timer.callback();
    }
  }

  get pending(): number {
    return this.timers.size;
  }
}

/** How a promise stands after the microtasks queued so far ran. */
async function settledValue<T>(promise: Promise<T>): Promise<T | "pending"> {
  return Promise.race([promise, new Promise<"pending">((resolve) => setImmediate(() => resolve("pending")))]);
}

function serving(clock = new FakeClock()): { connection: UserFunctionConnection; clock: FakeClock; changes: [ConnectionState, string][] } {
  const connection = new UserFunctionConnection(clock);
  const changes: [ConnectionState, string][] = [];
  connection.onChange((state, reason) => changes.push([state, reason]));
  expect(connection.serve(connection.losses)).toBe(true);
  return { connection, clock, changes };
}

describe("UserFunctionConnection", () => {
  it("starts not serving, and serves once a discovery succeeds", async () => {
    const clock = new FakeClock();
    const connection = new UserFunctionConnection(clock);
    expect(connection.state).toBe("starting");
    const waiting = connection.whenServing(clock.now() + 500);
    expect(await settledValue(waiting)).toBe("pending");
    expect(connection.serve(connection.losses)).toBe(true);
    expect(connection.state).toBe("serving");
    expect(await waiting).toBe(true);
  });

  it("moves from serving to recovering at a loss, and counts every loss", () => {
    const { connection, changes } = serving();
    connection.lost("connection dropped");
    connection.lost("stream ended UNAVAILABLE");
    expect(connection.state).toBe("recovering");
    expect(connection.losses).toBe(2);
    // One change: the second loss found it recovering already.
    expect(changes).toEqual([
      ["serving", "a servable spec was discovered"],
      ["recovering", "connection dropped"],
    ]);
  });

  it("does not trust a discovery that began before the latest loss", () => {
    const { connection } = serving();
    connection.lost("first");
    const since = connection.losses;
    connection.lost("lost again while discovering");
    expect(connection.serve(since)).toBe(false);
    expect(connection.state).toBe("recovering");
    expect(connection.serve(connection.losses)).toBe(true);
    expect(connection.state).toBe("serving");
  });

  it("keeps callers waiting while recovering, until the user function is served again", async () => {
    const { connection, clock } = serving();
    connection.lost("gone");
    const waiting = connection.whenServing(clock.now() + 1_000);
    clock.advance(999);
    expect(await settledValue(waiting)).toBe("pending");
    connection.serve(connection.losses);
    expect(await waiting).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it("gives up a wait at its deadline (FO-4)", async () => {
    const { connection, clock } = serving();
    connection.lost("gone");
    const waiting = connection.whenServing(clock.now() + 1_000);
    clock.advance(1_000);
    expect(await waiting).toBe(false);
    expect(connection.state).toBe("recovering");
  });

  it("gives up a wait when its timer fires, even a little before the clock reads the deadline (FO-4)", async () => {
    const { connection, clock } = serving();
    connection.lost("gone");
    const waiting = connection.whenServing(clock.now() + 1_000);
    // Nothing else comes to end the wait: the user function stays down.
    clock.fireEarly(1_000, 2);
    expect(await settledValue(waiting)).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it.each([
    ["refused", (c: UserFunctionConnection) => c.refuse("invalid spec")],
    ["closed", (c: UserFunctionConnection) => c.close()],
  ] as const)("ends every wait at once when %s, and answers later waits at once", async (state, act) => {
    const { connection, clock } = serving();
    connection.lost("gone");
    const waiting = connection.whenServing(clock.now() + 10_000);
    act(connection);
    expect(connection.state).toBe(state);
    expect(await waiting).toBe(false);
    expect(await connection.whenServing(clock.now() + 10_000)).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it("stays refused at a loss, and serves again once a servable spec is back", () => {
    const { connection, changes } = serving();
    connection.lost("gone");
    connection.refuse("different spec");
    connection.refuse("different spec, again");
    connection.lost("restarted again");
    expect(connection.state).toBe("refused");
    expect(connection.serve(connection.losses)).toBe(true);
    expect(changes.map(([state]) => state)).toEqual(["serving", "recovering", "refused", "serving"]);
  });

  it("ignores everything once closed", () => {
    const { connection } = serving();
    connection.close();
    connection.lost("late loss");
    connection.refuse("late refusal");
    expect(connection.serve(connection.losses)).toBe(false);
    expect(connection.state).toBe("closed");
  });

  it("ends a pause early at a loss or a change of state, else after its time", async () => {
    const { connection, clock } = serving();
    const byLoss = connection.pause(5_000);
    connection.lost("gone");
    expect(await settledValue(byLoss)).toBeUndefined();
    const byChange = connection.pause(5_000);
    connection.refuse("invalid");
    expect(await settledValue(byChange)).toBeUndefined();
    const byTime = connection.pause(5_000);
    clock.advance(4_999);
    expect(await settledValue(byTime)).toBe("pending");
    clock.advance(1);
    expect(await settledValue(byTime)).toBeUndefined();
    expect(clock.pending).toBe(0);
  });
});
