import type { Any } from "@cloudstate/protocol";
import { AnySupport, type CodecLike, toCodec } from "../any/any-support.js";
import { type Codec, typeNameOf } from "../any/codec.js";

/**
 * How a CRDT packs its elements, keys or register value into `google.protobuf.Any`.
 * With a `codec`, values are packed with it; without, by their JavaScript type
 * (`AnySupport.packDynamic`: primitives, JSON otherwise). Values received from the
 * proxy are unpacked with the codec when they carry its type, otherwise with
 * `anySupport` (which must know their type).
 *
 * Equal values MUST pack to equal bytes (spec/payloads.md ANY-14, spec/crdt.md
 * CRDT-4): elements and keys are identified by their packed form, so a value
 * whose encoding is not deterministic counts as a different element. JSON values
 * are written with their members in lexicographic order, so member order does not matter.
 */
export interface CrdtValueOptions<T> {
  /** Unpacks received values not of the codec's type; by default a shared `AnySupport` that knows only primitives and JSON. */
  readonly anySupport?: AnySupport;
  /** Packs and unpacks the values; without it, values are packed by their JavaScript type (`AnySupport.packDynamic`). */
  readonly codec?: CodecLike<T>;
}

const defaultAnySupport = new AnySupport();

/**
 * The identity of a packed element or key: its full type URL and its value bytes
 * (spec/payloads.md ANY-15).
 */
export function elementKey(any: Any): string {
  return `${any.typeUrl}\0${Buffer.from(any.value).toString("hex")}`;
}

/** A value together with the `Any` it travels as. */
export interface Packed<T> {
  readonly any: Any;
  readonly value: T;
}

/** Packs and unpacks the values of one CRDT according to its options. */
export class ValuePacker<T> {
  readonly anySupport: AnySupport;
  private readonly codec: Codec<T> | undefined;

  constructor(options: CrdtValueOptions<T> = {}) {
    this.anySupport = options.anySupport ?? defaultAnySupport;
    this.codec = options.codec === undefined ? undefined : toCodec(options.codec);
  }

  pack(value: T): Any {
    return this.codec === undefined ? this.anySupport.packDynamic(value) : this.anySupport.pack(this.codec, value);
  }

  unpack(any: Any): T {
    if (this.codec !== undefined && typeNameOf(this.codec.typeUrl) === typeNameOf(any.typeUrl)) return this.codec.decode(any.value);
    // Without a codec (or for another type) the value's type is only known at run
    // time; the developer's `T` is a promise about what the proxy holds.
    return this.anySupport.unpack(any).value as T;
  }
}
