import { compareStrings } from "./any-key.js";
import type { DotSource } from "./replicated-crdt.js";

/** A unique tag of one addition: the replica that made it and that replica's counter. */
export interface Dot {
  readonly replica: string;
  readonly counter: bigint;
}

/** What a dot carries: at least the key (element or map key) it makes present. */
export interface DotPayload {
  readonly key: string;
}

interface Tagged<P> {
  readonly dot: Dot;
  readonly payload: P;
}

const dotId = (dot: Dot) => `${dot.replica}\0${dot.counter}`;

/**
 * The dot store at the heart of ORSet and ORMap (spec/crdt.md CRDT-48): a set of
 * dots, each carrying an immutable payload, plus a causal context, a version
 * vector saying for every replica up to which counter its dots have been seen.
 * A key is present while at least one of its dots is.
 *
 * - Adding a key creates a fresh dot for it and drops the key's other dots (they
 *   are all observed).
 * - Removing a key drops its dots; the context still covers them, which is what
 *   records the removal.
 * - Join keeps the dots both sides hold, plus each dot one side holds that the
 *   other side has not seen (not covered by its context); a dot one side has
 *   seen and no longer holds was removed there. Contexts join by per-replica max.
 *
 * The join is associative, commutative and idempotent as long as a dot always
 * carries the same payload, which holds because dots are never reused: a replica
 * takes each new counter from a source that never goes back (its own context
 * entry, or the enclosing ORMap's `DotSource`). Counters need not be contiguous:
 * a counter the context covers but no dot of this store carries simply never
 * appears here.
 */
export class DotKernel<P extends DotPayload> {
  private constructor(
    private readonly context: Map<string, bigint>,
    private readonly dots: Map<string, Tagged<P>>,
    private readonly byKey: Map<string, Set<string>>,
  ) {}

  static empty<P extends DotPayload>(): DotKernel<P> {
    return new DotKernel<P>(new Map(), new Map(), new Map());
  }

  /** The next counter of `replica` from this store's own context (a top-level CRDT's dot source). */
  readonly nextCounter: DotSource = (replica) => {
    const counter = (this.context.get(replica) ?? 0n) + 1n;
    this.context.set(replica, counter);
    return counter;
  };

  /** Whether `key` has at least one dot. */
  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** The keys present. */
  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  /** The payloads of `key`'s dots (several after concurrent additions), in dot order. */
  payloads(key: string): P[] {
    const ids = [...(this.byKey.get(key) ?? [])].sort(compareStrings);
    return ids.flatMap((id) => this.dots.get(id)?.payload ?? []);
  }

  /** Makes `payload.key` present with one fresh dot, taken from `source`, replacing its other dots. */
  add(replica: string, payload: P, source: DotSource = this.nextCounter): void {
    this.remove(payload.key);
    const dot = { replica, counter: source(replica) };
    // With an outside source the counter also has to enter this store's context.
    if ((this.context.get(replica) ?? 0n) < dot.counter) this.context.set(replica, dot.counter);
    this.insert({ dot, payload });
  }

  /** Drops `key`'s dots; returns whether it was present. */
  remove(key: string): boolean {
    const ids = this.byKey.get(key);
    if (ids === undefined) return false;
    for (const id of ids) this.dots.delete(id);
    this.byKey.delete(key);
    return true;
  }

  /** Drops every dot. */
  clear(): void {
    this.dots.clear();
    this.byKey.clear();
  }

  /** The join with another replica's store: a new store, neither input changed. */
  join(other: DotKernel<P>): DotKernel<P> {
    const result = DotKernel.empty<P>();
    for (const [replica, counter] of this.context) result.context.set(replica, counter);
    for (const [replica, counter] of other.context) if ((result.context.get(replica) ?? 0n) < counter) result.context.set(replica, counter);
    for (const [id, tagged] of this.dots) if (other.dots.has(id) || !other.covers(tagged.dot)) result.insert(tagged);
    for (const [id, tagged] of other.dots) if (!this.dots.has(id) && !this.covers(tagged.dot)) result.insert(tagged);
    return result;
  }

  /** A copy sharing the (immutable) payloads. */
  clone(): DotKernel<P> {
    const copy = new DotKernel<P>(new Map(this.context), new Map(this.dots), new Map());
    for (const [key, ids] of this.byKey) copy.byKey.set(key, new Set(ids));
    return copy;
  }

  /** Deterministic text of context and dots, with `payloadText` for each payload. */
  canonical(payloadText: (payload: P) => string): string {
    const context = [...this.context].sort(([a], [b]) => compareStrings(a, b)).map(([r, c]) => `${r}:${c}`);
    const dots = [...this.dots].sort(([a], [b]) => compareStrings(a, b)).map(([id, t]) => `${id}=${payloadText(t.payload)}`);
    return `{context:[${context.join(",")}],dots:[${dots.join(",")}]}`;
  }

  private covers(dot: Dot): boolean {
    return (this.context.get(dot.replica) ?? 0n) >= dot.counter;
  }

  private insert(tagged: Tagged<P>): void {
    const id = dotId(tagged.dot);
    this.dots.set(id, tagged);
    const ids = this.byKey.get(tagged.payload.key);
    if (ids === undefined) this.byKey.set(tagged.payload.key, new Set([id]));
    else ids.add(id);
  }
}
