/** Largest GCounter value: the wire type is uint64 (CRDT-37). */
export const MAX_UINT64 = (1n << 64n) - 1n;
/** PNCounter values are int64 (CRDT-39). */
export const MIN_INT64 = -(1n << 63n);
export const MAX_INT64 = (1n << 63n) - 1n;

/** An amount given as a number or bigint, as a bigint; RangeError if it is not an integer. */
export function toBigInt(amount: bigint | number, what: string): bigint {
  if (typeof amount === "bigint") return amount;
  if (!Number.isSafeInteger(amount)) throw new RangeError(`${what} must be a safe integer, got ${amount}`);
  return BigInt(amount);
}
