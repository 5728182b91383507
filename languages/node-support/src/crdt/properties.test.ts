// Property tests of the value-level CRDTs (spec/crdt.md §5), with fast-check.
//
// Only GCounter, PNCounter, GSet and Flag deltas are checked for commutativity:
// an ORSet, ORMap or LWWRegister delta is a value-level description of one
// change relative to one agreed value (CRDT-3). "Remove x" from two replicas, or
// two register writes, cannot be ordered or combined without the dots and clocks
// that only the proxy holds (CRDT-1), so applying such deltas in another order
// legitimately gives another value (or breaks CRDT-45/46 and is rejected).
import { describe, expect, it } from "@jest/globals";
import * as fc from "fast-check";
import { crdt } from "@cloudstate/protocol";
import { AnySupport } from "../any/any-support.js";
import type { Crdt } from "./crdt.js";
import { crdtFromState } from "./crdt-from-state.js";
import { elementKey } from "./crdt-values.js";
import { Flag } from "./flag.js";
import { GCounter } from "./gcounter.js";
import { GSet } from "./gset.js";
import { LWWRegister } from "./lww-register.js";
import { ORMap } from "./ormap.js";
import { ORSet } from "./orset.js";
import { PNCounter } from "./pncounter.js";
import { Vote } from "./vote.js";

const support = new AnySupport();
const element = fc.constantFrom("a", "b", "c", "d", "e");

/** A state with sets and map entries sorted by identity, for order-insensitive comparison. */
function norm(state: crdt.CrdtState): unknown {
  const s = state.state;
  const byKey = <T>(items: T[], key: (t: T) => string) => [...items].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  switch (s?.$case) {
    case "gset":
    case "orset":
      return { [s.$case]: byKey(s.value.items, elementKey) };
    case "ormap":
      return {
        ormap: byKey(s.value.entries, (e) => (e.key === undefined ? "" : elementKey(e.key))).map((e) => [e.key, e.value === undefined ? undefined : norm(e.value)]),
      };
    default:
      return state;
  }
}

interface Model<C extends Crdt, Op> {
  readonly make: () => C;
  readonly op: fc.Arbitrary<Op>;
  readonly apply: (value: C, op: Op) => void;
}

const gcounterModel: Model<GCounter, bigint> = { make: () => new GCounter(), op: fc.bigInt({ min: 0n, max: 100n }), apply: (c, by) => c.increment(by) };
const pncounterModel: Model<PNCounter, bigint> = { make: () => new PNCounter(), op: fc.bigInt({ min: -100n, max: 100n }), apply: (c, by) => c.increment(by) };
const gsetModel: Model<GSet<string>, string> = { make: () => new GSet<string>(), op: element, apply: (s, e) => s.add(e) };
const flagModel: Model<Flag, boolean> = { make: () => new Flag(), op: fc.boolean(), apply: (f, on) => (on ? f.enable() : f) };
const voteModel: Model<Vote, boolean> = { make: () => new Vote(), op: fc.boolean(), apply: (v, b) => (v.selfVote = b) };

type SetOp = { kind: "add" | "delete"; e: string } | { kind: "clear" };
const setOp: fc.Arbitrary<SetOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom("add" as const, "delete" as const), e: element }) },
  { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
);
const orsetModel: Model<ORSet<string>, SetOp> = {
  make: () => new ORSet<string>(),
  op: setOp,
  apply: (s, op) => {
    if (op.kind === "add") s.add(op.e);
    else if (op.kind === "delete") s.delete(op.e);
    else s.clear();
  },
};

const clock = fc.constantFrom(crdt.CrdtClock.DEFAULT, crdt.CrdtClock.REVERSE, crdt.CrdtClock.CUSTOM, crdt.CrdtClock.CUSTOM_AUTO_INCREMENT);
type LwwOp = { value: string | number; clock: crdt.CrdtClock; custom: bigint };
const lwwModel: Model<LWWRegister, LwwOp> = {
  make: () => new LWWRegister<unknown>("initial"),
  op: fc.record({ value: fc.oneof(element, fc.integer({ min: 0, max: 3 })), clock, custom: fc.bigInt({ min: 0n, max: 10n }) }),
  apply: (r, op) => r.setValue(op.value, op.clock, op.custom),
};

// ORMap values of every type. Nested votes are added whole but never changed in
// place: a user function's vote delta only means something to the proxy (CRDT-66),
// so applying it to a value-level replica is not defined.
const types = ["GCounter", "PNCounter", "GSet", "ORSet", "LWWRegister", "Flag", "ORMap", "Vote"] as const;
function freshValue(type: (typeof types)[number], n: number, e: string): Crdt {
  switch (type) {
    case "GCounter":
      return new GCounter().increment(n);
    case "PNCounter":
      return new PNCounter().decrement(n);
    case "GSet":
      return new GSet<string>().add(e);
    case "ORSet":
      return new ORSet<string>().add(e);
    case "LWWRegister":
      return new LWWRegister(e);
    case "Flag":
      return n % 2 === 0 ? new Flag() : new Flag().enable();
    case "ORMap":
      return new ORMap<string>().set(e, new GCounter().increment(n));
    case "Vote":
      return Object.assign(new Vote(), { selfVote: n % 2 === 1 });
  }
}
function changeValue(value: Crdt, n: number, e: string, kind: number): void {
  if (value instanceof GCounter) value.increment(n);
  else if (value instanceof PNCounter) value.increment(n - 5);
  else if (value instanceof GSet) value.add(e);
  else if (value instanceof LWWRegister) value.setValue(e);
  else if (value instanceof ORSet) orsetModel.apply(value as ORSet<string>, kind === 0 ? { kind: "add", e } : kind === 1 ? { kind: "delete", e } : { kind: "clear" });
  else if (value instanceof Flag) value.enable();
  else if (value instanceof ORMap) {
    if (kind === 0) value.getOrCreate(e, () => new GCounter()).increment(n);
    else if (kind === 1) value.delete(e);
    else value.clear();
  }
}
type MapOp = { kind: "set"; k: string; type: (typeof types)[number]; n: number; e: string } | { kind: "update"; k: string; n: number; e: string; nested: number } | { kind: "delete"; k: string } | { kind: "clear" };
const key = fc.constantFrom("k1", "k2", "k3");
const small = fc.integer({ min: 0, max: 9 });
const mapOp: fc.Arbitrary<MapOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("set" as const), k: key, type: fc.constantFrom(...types), n: small, e: element }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("update" as const), k: key, n: small, e: element, nested: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), k: key }) },
  { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
);
const ormapModel: Model<ORMap<string>, MapOp> = {
  make: () => new ORMap<string>(),
  op: mapOp,
  apply: (m, op) => {
    if (op.kind === "set") m.set(op.k, freshValue(op.type, op.n, op.e));
    else if (op.kind === "update") {
      const value = m.get(op.k);
      if (value !== undefined) changeValue(value, op.n, op.e, op.nested);
    } else if (op.kind === "delete") m.delete(op.k);
    else m.clear();
  },
};

/** A model with its types hidden, so that models of different types fit in one table. */
type SomeModel = (check: <C extends Crdt, Op>(model: Model<C, Op>) => void) => void;
const some =
  <C extends Crdt, Op>(model: Model<C, Op>): SomeModel =>
  (check) => {
    check(model);
  };

/** A value after `ops`, with its delta taken (as if sent to the proxy). */
function build<C extends Crdt, Op>(model: Model<C, Op>, ops: Op[]): C {
  const value = model.make();
  for (const op of ops) model.apply(value, op);
  value.getAndResetDelta();
  return value;
}

const ops = <C extends Crdt, Op>(model: Model<C, Op>, maxLength = 12) => fc.array(model.op, { maxLength });

function checkDeltaCorrectness<C extends Crdt, Op>(model: Model<C, Op>): void {
  fc.assert(
    fc.property(ops(model), ops(model), (before, round) => {
      const value = build(model, before);
      const old = value.toState();
      for (const op of round) model.apply(value, op);
      const delta = value.getAndResetDelta();
      expect(value.hasDelta()).toBe(false);
      const replica = crdtFromState(old, support);
      if (delta === undefined) expect(norm(value.toState())).toEqual(norm(old));
      else replica.applyDelta(delta);
      expect(norm(replica.toState())).toEqual(norm(value.toState()));
    }),
  );
}

const everyModel: [string, SomeModel][] = [
  ["GCounter", some(gcounterModel)],
  ["PNCounter", some(pncounterModel)],
  ["GSet", some(gsetModel)],
  ["ORSet", some(orsetModel)],
  ["LWWRegister", some(lwwModel)],
  ["Flag", some(flagModel)],
  ["ORMap", some(ormapModel)],
];

describe("delta correctness: the taken delta turns the old value into the new one", () => {
  it.each(everyModel)("%s", (_name, model) => {
    model(checkDeltaCorrectness);
  });

  it("Vote: the delta is the new self vote, and the counts follow it", () => {
    fc.assert(
      fc.property(ops(voteModel), ops(voteModel), (before, round) => {
        const vote = build(voteModel, before);
        const old = build(voteModel, before);
        for (const op of round) voteModel.apply(vote, op);
        const delta = vote.getAndResetDelta()?.delta;
        if (delta?.$case === "vote") {
          expect([delta.value.votesFor, delta.value.totalVoters]).toEqual([0, 0]);
          old.selfVote = delta.value.selfVote;
        }
        expect(vote.toState()).toEqual(old.toState());
      }),
    );
  });
});

/** The deltas of independent rounds of operations, each starting from the value after `base`. */
function concurrentDeltas<C extends Crdt, Op>(model: Model<C, Op>, base: Op[], rounds: Op[][]): crdt.CrdtDelta[] {
  return rounds.flatMap((round) => {
    const writer = build(model, base);
    for (const op of round) model.apply(writer, op);
    return writer.getAndResetDelta() ?? [];
  });
}

function checkCommutativity<C extends Crdt, Op>(model: Model<C, Op>): void {
  fc.assert(
    fc.property(ops(model), fc.array(ops(model, 4), { maxLength: 4 }), fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), (base, rounds, sortKeys) => {
      const deltas = concurrentDeltas(model, base, rounds);
      // A GSet element added by two writers would be listed twice: drop such cases.
      const keys = deltas.flatMap((d) => (d.delta?.$case === "gset" ? d.delta.value.added.map(elementKey) : []));
      fc.pre(new Set(keys).size === keys.length);
      const inOrder = crdtFromState(build(model, base).toState(), support);
      const shuffled = crdtFromState(build(model, base).toState(), support);
      for (const d of deltas) inOrder.applyDelta(d);
      const order = deltas.map((d, i) => ({ d, k: sortKeys[i] ?? 0 })).sort((x, y) => x.k - y.k);
      for (const { d } of order) shuffled.applyDelta(d);
      expect(norm(shuffled.toState())).toEqual(norm(inOrder.toState()));
    }),
  );
}

describe("commutativity: concurrent deltas applied in any order give the same value", () => {
  // GSet writers add distinct elements: CRDT-42 forbids a delta listing an
  // element already present, so the proxy would never send overlapping ones.
  const taggedGSet: Model<GSet<string>, string> = { ...gsetModel, op: fc.tuple(fc.nat(1000), element).map(([tag, e]) => `${tag}:${e}`) };
  it.each<[string, SomeModel]>([
    ["GCounter", some(gcounterModel)],
    ["PNCounter", some(pncounterModel)],
    ["GSet", some(taggedGSet)],
    ["Flag", some(flagModel)],
  ])("%s", (_name, model) => {
    model(checkCommutativity);
  });
});

describe("idempotence", () => {
  it("Flag: applying a delta twice equals applying it once", () => {
    fc.assert(
      fc.property(ops(flagModel), ops(flagModel), (base, round) => {
        const delta = concurrentDeltas(flagModel, base, [round])[0];
        const once = crdtFromState(build(flagModel, base).toState(), support);
        const twice = crdtFromState(build(flagModel, base).toState(), support);
        if (delta !== undefined) {
          once.applyDelta(delta);
          twice.applyDelta(delta);
          twice.applyDelta(delta);
        }
        expect(twice.toState()).toEqual(once.toState());
      }),
    );
  });

  // CRDT-42 makes a repeated GSet element a protocol error rather than a no-op
  // (spec/crdt.md §5.3, Decision): a second application is rejected whole.
  it("GSet: applying a delta again is rejected and leaves the value as after one application", () => {
    fc.assert(
      fc.property(ops(gsetModel), fc.array(element, { minLength: 1, maxLength: 6 }), (base, round) => {
        const delta = concurrentDeltas(gsetModel, base, [round])[0];
        fc.pre(delta !== undefined);
        const set = crdtFromState(build(gsetModel, base).toState(), support);
        set.applyDelta(delta);
        const once = norm(set.toState());
        expect(() => {
          set.applyDelta(delta);
        }).toThrow(expect.objectContaining({ rule: "CRDT-42" }));
        expect(norm(set.toState())).toEqual(once);
      }),
    );
  });
});

function checkConvergence<C extends Crdt, Op>(model: Model<C, Op>): void {
  fc.assert(
    fc.property(ops(model), fc.array(ops(model, 5), { maxLength: 4 }), (base, rounds) => {
      const writer = build(model, base);
      const a = crdtFromState(writer.toState(), support);
      const b = crdtFromState(writer.toState(), support);
      for (const round of rounds) {
        for (const op of round) model.apply(writer, op);
        const delta = writer.getAndResetDelta();
        if (delta === undefined) continue;
        a.applyDelta(delta);
        b.applyDelta(delta);
      }
      expect(norm(a.toState())).toEqual(norm(b.toState()));
      expect(norm(a.toState())).toEqual(norm(writer.toState()));
    }),
  );
}

describe("convergence: replicas given the same deltas in the same order agree", () => {
  it.each(everyModel)("%s", (_name, model) => {
    model(checkConvergence);
  });

  it("Vote: replicas given the same proxy counts agree", () => {
    const counts = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.nat(5)).map(([total, f]) => ({ totalVoters: total, votesFor: Math.min(f, total) }));
    fc.assert(
      fc.property(fc.boolean(), fc.array(counts, { maxLength: 5 }), (self, deltas) => {
        const state: crdt.VoteState = { selfVote: self, votesFor: self ? 1 : 0, totalVoters: 1 };
        const a = Vote.fromState(state);
        const b = Vote.fromState(state);
        for (const c of deltas.filter((c) => !self || c.votesFor >= 1)) {
          const delta = { delta: { $case: "vote" as const, value: { selfVote: false, ...c } } };
          a.applyDelta(delta);
          b.applyDelta(delta);
        }
        expect(a.toState()).toEqual(b.toState());
        expect(a.selfVote).toBe(self);
      }),
    );
  });
});
