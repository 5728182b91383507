import { describe, expect, it } from "@jest/globals";
import type { crdt } from "@cloudstate/protocol";
import { replicatedFromCreate } from "./replicated-from-create.js";
import { Vote } from "./vote.js";

const clock = () => 0n;
const vote = (selfVote: boolean): crdt.CrdtDelta => ({ delta: { $case: "vote", value: { selfVote, votesFor: 0, totalVoters: 0 } } });
const view = (selfVote: boolean, votesFor: number, totalVoters: number): crdt.CrdtState => ({ state: { $case: "vote", value: { selfVote, votesFor, totalVoters } } });

describe("Vote", () => {
  it("on one replica reports one voter (CRDT-69)", () => {
    const v = replicatedFromCreate({ state: { $case: "vote", value: { selfVote: false, votesFor: 0, totalVoters: 1 } } }, "r1", clock);
    expect(v.toState("r1")).toEqual(view(false, 0, 1));
    v.applyLocalDelta(vote(true), "r1", clock);
    expect(v.toState("r1")).toEqual(view(true, 1, 1));
  });

  it("counts every replica's vote, each seeing its own", () => {
    const a = new Vote();
    a.cast(true, "r1");
    const b = new Vote();
    b.cast(false, "r2");
    const c = new Vote();
    c.cast(true, "r3");
    const merged = a.merge(b).merge(c);
    expect(merged.toState("r1")).toEqual(view(true, 2, 3));
    expect(merged.toState("r2")).toEqual(view(false, 2, 3));
    expect(merged.toState("r4")).toEqual(view(false, 2, 4));
  });

  it("keeps the later vote of each replica when merging (CRDT-70)", () => {
    const a = new Vote();
    a.cast(true, "r1");
    const b = a.clone();
    b.cast(false, "r1");
    expect(a.merge(b).toState("r1")).toEqual(view(false, 0, 1));
    expect(b.merge(a).toState("r1")).toEqual(view(false, 0, 1));
  });

  it("does not count voting the same again as a change", () => {
    const a = new Vote();
    a.cast(true, "r1");
    const before = a.canonical();
    a.cast(true, "r1");
    expect(a.canonical()).toBe(before);
  });
});
