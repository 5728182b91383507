// Property tests of the replicated CRDTs (spec/crdt.md §5), with fast-check:
// random writes at three replicas interleaved with merges, then the lattice laws
// of merge, convergence, and the value-level deltas sent to a user function.
import { describe, expect, it } from "@jest/globals";
import * as fc from "fast-check";
import { type Any, crdt } from "@cloudstate/protocol";
import { anyKey } from "./any-key.js";
import type { ReplicatedCrdt } from "./replicated-crdt.js";
import { replicatedFromCreate } from "./replicated-from-create.js";
import { applyDeltaToView } from "./view-apply.js";
import { NoDeltaError } from "./view-delta.js";

const REPLICAS = ["r1", "r2", "r3"] as const;
const el = (s: string): Any => ({ typeUrl: "p.cloudstate.io/string", value: Buffer.from(s) });
type Case = NonNullable<crdt.CrdtState["state"]>["$case"];
const CASES: Case[] = ["gcounter", "pncounter", "gset", "orset", "lwwregister", "flag", "ormap", "vote"];

/** One operation, read differently by each type (see `deltaFor`). */
interface Op {
  readonly n: number;
  readonly e: string;
  readonly kind: number;
  /** The kind of the operation on a nested value, when `kind` is an ORMap update. */
  readonly sub: number;
  readonly clock: crdt.CrdtClock;
  readonly time: bigint;
  readonly type: Case;
}
const opArb: fc.Arbitrary<Op> = fc.record({
  n: fc.integer({ min: -3, max: 3 }),
  e: fc.constantFrom("a", "b", "c", "d"),
  kind: fc.integer({ min: 0, max: 3 }),
  sub: fc.integer({ min: 0, max: 3 }),
  clock: fc.constantFrom(crdt.CrdtClock.DEFAULT, crdt.CrdtClock.REVERSE, crdt.CrdtClock.CUSTOM, crdt.CrdtClock.CUSTOM_AUTO_INCREMENT),
  // A small range, so that clock values tie across replicas.
  time: fc.bigInt({ min: 1n, max: 6n }),
  type: fc.constantFrom(...CASES),
});

/** A fresh value of `op.type`, as a user function would create it. */
function freshState(op: Op): crdt.CrdtState {
  const n = BigInt(op.n);
  switch (op.type) {
    case "gcounter":
      return { state: { $case: "gcounter", value: { value: n < 0n ? -n : n } } };
    case "pncounter":
      return { state: { $case: "pncounter", value: { value: n } } };
    case "gset":
      return { state: { $case: "gset", value: { items: [el(op.e)] } } };
    case "orset":
      return { state: { $case: "orset", value: { items: [el(op.e)] } } };
    case "lwwregister":
      return { state: { $case: "lwwregister", value: { value: el(op.e), clock: op.clock, customClockValue: op.time } } };
    case "flag":
      return { state: { $case: "flag", value: { value: op.n > 0 } } };
    case "ormap":
      return { state: { $case: "ormap", value: { entries: [{ key: el(op.e), value: { state: { $case: "gcounter", value: { value: 1n } } } }] } } };
    case "vote":
      return { state: { $case: "vote", value: { selfVote: op.n > 0, votesFor: 3, totalVoters: 2 } } };
  }
}

const has = (items: readonly Any[], e: string) => items.some((any) => anyKey(any) === anyKey(el(e)));

/** A valid delta for a value whose view is `view`, or undefined when `op` means nothing here. */
function deltaFor(view: crdt.CrdtState, op: Op): crdt.CrdtDelta | undefined {
  const s = view.state;
  switch (s?.$case) {
    case undefined:
      return undefined;
    case "gcounter":
      return { delta: { $case: "gcounter", value: { increment: BigInt(Math.abs(op.n)) } } };
    case "pncounter":
      return { delta: { $case: "pncounter", value: { change: BigInt(op.n) } } };
    case "gset":
      return has(s.value.items, op.e) ? undefined : { delta: { $case: "gset", value: { added: [el(op.e)] } } };
    case "orset": {
      const present = has(s.value.items, op.e);
      const orset = (cleared: boolean, removed: Any[], added: Any[]): crdt.CrdtDelta => ({ delta: { $case: "orset", value: { cleared, removed, added } } });
      if (op.kind === 0) return present ? undefined : orset(false, [], [el(op.e)]);
      if (op.kind === 1) return present ? orset(false, [el(op.e)], []) : undefined;
      if (op.kind === 2) return present ? orset(false, [el(op.e)], [el(op.e)]) : undefined;
      return orset(true, [], present ? [] : [el(op.e)]);
    }
    case "lwwregister":
      return { delta: { $case: "lwwregister", value: { value: el(op.e), clock: op.clock, customClockValue: op.time } } };
    case "flag":
      return { delta: { $case: "flag", value: { value: op.n > 0 } } };
    case "vote":
      return { delta: { $case: "vote", value: { selfVote: op.n > 0, votesFor: 9, totalVoters: 0 } } };
    case "ormap": {
      const entry = s.value.entries.find((en) => en.key !== undefined && anyKey(en.key) === anyKey(el(op.e)));
      const ormap = (d: Partial<crdt.ORMapDelta>): crdt.CrdtDelta => ({ delta: { $case: "ormap", value: { cleared: false, removed: [], updated: [], added: [], ...d } } });
      const fresh = { key: el(op.e), value: freshState(op) };
      if (op.kind === 0) return entry === undefined ? ormap({ added: [fresh] }) : ormap({ removed: [el(op.e)], added: [fresh] });
      if (op.kind === 1 && entry?.value !== undefined) {
        // The nested value reads the same operation; a nested map only holds GCounters.
        const delta = deltaFor(entry.value, { ...op, kind: op.sub, sub: 1, type: "gcounter" });
        return delta === undefined ? undefined : ormap({ updated: [{ key: el(op.e), delta }] });
      }
      if (op.kind === 2) return entry === undefined ? undefined : ormap({ removed: [el(op.e)] });
      return op.kind === 3 ? ormap({ cleared: true, added: [fresh] }) : undefined;
    }
  }
}

/** A view with sets and entries sorted by identity, for order-insensitive comparison. */
function norm(state: crdt.CrdtState | undefined): unknown {
  const s = state?.state;
  const sorted = <T>(items: readonly T[], key: (t: T) => string) => [...items].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  if (s?.$case === "gset" || s?.$case === "orset") return [s.$case, sorted(s.value.items, anyKey)];
  if (s?.$case === "ormap") return ["ormap", sorted(s.value.entries, (e) => (e.key === undefined ? "" : anyKey(e.key))).map((e) => [e.key, norm(e.value)])];
  return state;
}

/** What the user function holds of a value: as norm, without a register's clock fields, which it ignores (CRDT-54). */
function userView(state: crdt.CrdtState | undefined): unknown {
  const s = state?.state;
  if (s?.$case === "lwwregister") return ["lwwregister", s.value.value];
  if (s?.$case === "ormap") return ["ormap", [...s.value.entries].map((e) => [e.key === undefined ? "" : anyKey(e.key), userView(e.value)] as const).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))];
  return norm(state);
}

type Step = { kind: "op"; at: number; op: Op } | { kind: "merge"; from: number; to: number };
const replicaIndex = fc.integer({ min: 0, max: 2 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("op" as const), at: replicaIndex, op: opArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("merge" as const), from: replicaIndex, to: replicaIndex }) },
);
const steps = fc.array(stepArb, { maxLength: 20 });

/** Three replicas of a value of `type`, created at r1 and copied, after `script`. */
function play(type: Case, seed: Op, script: readonly Step[], snapshotAt = -1): { replicas: ReplicatedCrdt[]; snapshot: ReplicatedCrdt | undefined } {
  const first = replicatedFromCreate(freshState({ ...seed, type }), "r1", () => seed.time);
  const replicas = [first, first.clone(), first.clone()];
  let snapshot: ReplicatedCrdt | undefined;
  script.forEach((step, i) => {
    if (i === snapshotAt) snapshot = replicas[0]?.clone();
    if (step.kind === "merge") {
      const [from, to] = [replicas[step.from], replicas[step.to]];
      if (from !== undefined && to !== undefined) replicas[step.to] = to.merge(from);
      return;
    }
    const replica = replicas[step.at];
    const id = REPLICAS[step.at] ?? "r1";
    const delta = replica === undefined ? undefined : deltaFor(replica.toState(id), step.op);
    if (delta !== undefined) replica?.applyLocalDelta(delta, id, () => step.op.time);
  });
  return { replicas, snapshot: snapshot ?? (snapshotAt >= 0 ? replicas[0]?.clone() : undefined) };
}

const three = (replicas: ReplicatedCrdt[]): [ReplicatedCrdt, ReplicatedCrdt, ReplicatedCrdt] => {
  const [a, b, c] = replicas;
  if (a === undefined || b === undefined || c === undefined) throw new Error("three replicas expected");
  return [a, b, c];
};

describe.each(CASES)("%s", (type) => {
  it("merge is associative, commutative and idempotent", () => {
    fc.assert(
      fc.property(opArb, steps, (seed, script) => {
        const [a, b, c] = three(play(type, seed, script).replicas);
        expect(a.merge(b).merge(c).canonical()).toBe(a.merge(b.merge(c)).canonical());
        expect(a.merge(b).canonical()).toBe(b.merge(a).canonical());
        expect(a.merge(a).canonical()).toBe(a.canonical());
        for (const r of REPLICAS) expect(norm(a.merge(b).toState(r))).toEqual(norm(b.merge(a).toState(r)));
      }),
    );
  });

  it("replicas that exchange all their states converge", () => {
    fc.assert(
      fc.property(opArb, steps, (seed, script) => {
        const [a, b, c] = three(play(type, seed, script).replicas);
        const merged = [a.merge(b).merge(c), b.merge(c).merge(a), c.merge(a).merge(b)];
        for (const m of merged) expect(m.canonical()).toBe(merged[0]?.canonical());
      }),
    );
  });

  it("deltaFrom gives the change of the view, as the user function applies it", () => {
    fc.assert(
      fc.property(opArb, steps, fc.nat(20), (seed, script, at) => {
        const { replicas, snapshot } = play(type, seed, script, Math.min(at, script.length));
        const after = replicas[0];
        if (snapshot === undefined || after === undefined) return;
        const [before, now] = [snapshot.toState("r1"), after.toState("r1")];
        let delta: crdt.CrdtDelta | undefined;
        try {
          delta = after.deltaFrom(snapshot, "r1");
        } catch (error) {
          // Only the replica's own vote cannot travel in a delta (the user function made it).
          expect(error).toBeInstanceOf(NoDeltaError);
          expect(type).toBe("vote");
          return;
        }
        if (delta === undefined) expect(userView(now)).toEqual(userView(before));
        else expect(userView(applyDeltaToView(before, delta, "proxy"))).toEqual(userView(now));
      }),
    );
  });
});
