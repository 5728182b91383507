import type { crdt } from "@cloudstate/protocol";
import { type Crdt, CrdtDeltaError, expectDelta } from "./crdt.js";

/**
 * A vote of the nodes that hold the entity (spec/crdt.md §5.8). The user function
 * sets only this node's vote; the proxy reports the counts. Locally, changing the
 * vote adjusts `votesFor` at once, so a fresh Vote (one voter, this node) is
 * consistent before the proxy has answered; if more nodes vote, the proxy sends
 * the real counts after the reply (CRDT-15).
 */
export class Vote implements Crdt {
  readonly type = "Vote";
  private self = false;
  /** The vote the proxy knows of: a delta is due only when `self` differs from it. */
  private agreedSelf = false;
  private votesForCount = 0;
  private voterCount = 1;

  /** This node's vote. */
  get selfVote(): boolean {
    return this.self;
  }

  /**
   * Sets this node's vote; `votesFor` follows at once. Voting back to the vote the
   * proxy knows leaves no delta to send (CRDT-26).
   */
  set selfVote(vote: boolean) {
    if (vote === this.self) return;
    this.votesForCount += vote ? 1 : -1;
    this.self = vote;
  }

  /** How many nodes vote true, this node included. */
  get votesFor(): number {
    return this.votesForCount;
  }

  /** How many nodes vote, this node included. */
  get voters(): number {
    return this.voterCount;
  }

  /** Whether at least one node votes true. */
  get atLeastOne(): boolean {
    return this.votesForCount > 0;
  }

  /** Whether more than half of the nodes vote true. */
  get majority(): boolean {
    return this.votesForCount * 2 > this.voterCount;
  }

  /** Whether every node votes true. */
  get all(): boolean {
    return this.votesForCount === this.voterCount;
  }

  hasDelta(): boolean {
    // Voting back to the agreed vote is no change (CRDT-26).
    return this.self !== this.agreedSelf;
  }

  /** The delta carries only `self_vote`; the counts are the proxy's (CRDT-66). */
  getAndResetDelta(): crdt.CrdtDelta | undefined {
    if (!this.hasDelta()) return undefined;
    this.agreedSelf = this.self;
    return { delta: { $case: "vote", value: { selfVote: this.self, votesFor: 0, totalVoters: 0 } } };
  }

  /** Takes the counts of a delta from the proxy and keeps this node's vote (CRDT-67). */
  applyDelta(delta: crdt.CrdtDelta): void {
    const { votesFor, totalVoters } = expectDelta(delta, "vote");
    checkCounts(votesFor, totalVoters, this.self);
    this.votesForCount = votesFor;
    this.voterCount = totalVoters;
  }

  toState(): crdt.CrdtState {
    return { state: { $case: "vote", value: { selfVote: this.self, votesFor: this.votesForCount, totalVoters: this.voterCount } } };
  }

  /** A vote holding `state`'s value, with no local changes. */
  static fromState(state: crdt.VoteState): Vote {
    checkCounts(state.votesFor, state.totalVoters, state.selfVote);
    const vote = new Vote();
    vote.self = state.selfVote;
    vote.agreedSelf = state.selfVote;
    vote.votesForCount = state.votesFor;
    vote.voterCount = state.totalVoters;
    return vote;
  }
}

/** The counts the proxy sends must be consistent with this node's vote (CRDT-68). */
function checkCounts(votesFor: number, totalVoters: number, selfVote: boolean): void {
  const consistent = totalVoters >= 1 && votesFor >= 0 && votesFor <= totalVoters && (!selfVote || votesFor >= 1);
  if (!consistent) throw new CrdtDeltaError("CRDT-68", `inconsistent Vote counts: ${votesFor} for of ${totalVoters}, self vote ${selfVote}`);
}
