import { describe, expect, it } from "@jest/globals";
import { Vote } from "./vote.js";

const voteDelta = (selfVote: boolean, votesFor: number, totalVoters: number) => ({ delta: { $case: "vote" as const, value: { selfVote, votesFor, totalVoters } } });

describe("Vote", () => {
  it("starts as one voter voting false", () => {
    const vote = new Vote();
    expect([vote.selfVote, vote.votesFor, vote.voters]).toEqual([false, 0, 1]);
    expect(vote.hasDelta()).toBe(false);
  });

  it("adjusts votesFor locally and sends only the self vote", () => {
    const vote = new Vote();
    vote.selfVote = true;
    expect([vote.votesFor, vote.voters]).toEqual([1, 1]);
    expect(vote.getAndResetDelta()).toEqual(voteDelta(true, 0, 0));
    vote.selfVote = true;
    expect(vote.hasDelta()).toBe(false);
  });

  it("has no delta when the vote returns to the agreed one (CRDT-26)", () => {
    const vote = Vote.fromState({ selfVote: true, votesFor: 2, totalVoters: 3 });
    vote.selfVote = false;
    expect(vote.votesFor).toBe(1);
    vote.selfVote = true;
    expect(vote.hasDelta()).toBe(false);
    expect(vote.votesFor).toBe(2);
  });

  it("takes the counts of a proxy delta and keeps its own vote (CRDT-67)", () => {
    const vote = Vote.fromState({ selfVote: true, votesFor: 1, totalVoters: 1 });
    vote.applyDelta(voteDelta(false, 2, 3));
    expect([vote.selfVote, vote.votesFor, vote.voters]).toEqual([true, 2, 3]);
    expect(vote.hasDelta()).toBe(false);
  });

  it.each([
    ["no voters", voteDelta(false, 0, 0)],
    ["more votes than voters", voteDelta(false, 4, 3)],
    ["no vote although this node votes true", voteDelta(false, 0, 3)],
  ])("rejects counts with %s (CRDT-68)", (_name, delta) => {
    const vote = Vote.fromState({ selfVote: true, votesFor: 1, totalVoters: 2 });
    expect(() => { vote.applyDelta(delta); }).toThrow(expect.objectContaining({ rule: "CRDT-68" }));
    expect(vote.votesFor).toBe(1);
  });

  it.each([
    // votesFor, voters, atLeastOne, majority, all
    [0, 1, false, false, false],
    [1, 1, true, true, true],
    [1, 2, true, false, false],
    [2, 3, true, true, false],
    [3, 3, true, true, true],
  ])("with %i of %i votes: atLeastOne %s, majority %s, all %s", (votesFor, totalVoters, atLeastOne, majority, all) => {
    const vote = Vote.fromState({ selfVote: votesFor > 0, votesFor, totalVoters });
    expect([vote.atLeastOne, vote.majority, vote.all]).toEqual([atLeastOne, majority, all]);
  });
});
