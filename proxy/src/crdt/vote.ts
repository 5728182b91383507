import type { crdt } from "@cloudstate/protocol";
import { compareStrings } from "./any-key.js";
import { canonicalText, type ReplicatedCrdt, expectLocalDelta, preferredByType } from "./replicated-crdt.js";
import { diffViews } from "./view-delta.js";

/** One replica's vote; `version` grows each time that replica changes its vote. */
interface Ballot {
  readonly vote: boolean;
  readonly version: bigint;
}

/**
 * A vote (spec/crdt.md §5.8): one (vote, version) pair per replica, written only
 * by that replica. Merge keeps, per replica, the pair with the greater version
 * (CRDT-70); equal versions cannot carry different votes in a real history, and
 * for any input `true` is kept so that the merge stays commutative.
 *
 * The voters counted are the replicas that have voted plus the one asking. A
 * replicating proxy has to count only the replicas currently holding the entity
 * (CRDT-71); that membership is outside this type, so such a proxy drops the
 * ballots of departed replicas itself.
 */
export class Vote implements ReplicatedCrdt {
  readonly type = "Vote";

  constructor(private readonly ballots = new Map<string, Ballot>()) {}

  /** Records `vote` as `replica`'s vote. */
  cast(vote: boolean, replica: string): void {
    const ballot = this.ballots.get(replica);
    if (ballot === undefined || ballot.vote !== vote) this.ballots.set(replica, { vote, version: (ballot?.version ?? 0n) + 1n });
  }

  /** Takes the user function's `self_vote`; its counts are ignored (CRDT-66). */
  applyLocalDelta(delta: crdt.CrdtDelta, replica: string): void {
    this.cast(expectLocalDelta(delta, "vote").selfVote, replica);
  }

  merge(other: ReplicatedCrdt): ReplicatedCrdt {
    if (!(other instanceof Vote)) return preferredByType(this, other);
    const ballots = new Map(this.ballots);
    for (const [replica, theirs] of other.ballots) {
      const ours = ballots.get(replica);
      if (ours === undefined || theirs.version > ours.version || (theirs.version === ours.version && theirs.vote)) ballots.set(replica, theirs);
    }
    return new Vote(ballots);
  }

  /** `replica`'s vote, and the counts over every known ballot plus `replica` (CRDT-68, CRDT-69). */
  toState(replica: string): crdt.CrdtState {
    let votesFor = 0;
    for (const ballot of this.ballots.values()) if (ballot.vote) votesFor++;
    const totalVoters = this.ballots.size + (this.ballots.has(replica) ? 0 : 1);
    return { state: { $case: "vote", value: { selfVote: this.ballots.get(replica)?.vote ?? false, votesFor, totalVoters } } };
  }

  deltaFrom(before: ReplicatedCrdt, replica: string): crdt.CrdtDelta | undefined {
    return diffViews(before.toState(replica), this.toState(replica));
  }

  clone(): Vote {
    return new Vote(new Map(this.ballots));
  }

  canonical(): string {
    return `Vote${canonicalText([...this.ballots].sort(([a], [b]) => compareStrings(a, b)))}`;
  }
}
