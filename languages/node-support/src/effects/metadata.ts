import type { cloudstate } from "@cloudstate/protocol";

/** Keys of CloudEvent attributes in binary content mode (spec/metadata.md). */
const CLOUD_EVENT_PREFIX = "ce-";

/**
 * Transport metadata of a command or reply (spec/metadata.md): an ordered list
 * of entries whose keys may repeat. Lookups are case-insensitive, as HTTP header
 * names are.
 */
export class Metadata {
  private readonly entries: cloudstate.MetadataEntry[];

  constructor(entries: readonly cloudstate.MetadataEntry[] = []) {
    this.entries = [...entries];
  }

  /** Metadata holding a protocol message's entries, in order; undefined gives empty metadata. */
  static fromProtocol(metadata: cloudstate.Metadata | undefined): Metadata {
    return new Metadata(metadata?.entries ?? []);
  }

  /** The entries as a protocol `Metadata` message, in order and with repeated keys kept (spec/metadata.md META-1). */
  toProtocol(): cloudstate.Metadata {
    return { entries: [...this.entries] };
  }

  /** The number of entries; a repeated key counts once per entry. */
  get size(): number {
    return this.entries.length;
  }

  /** First text value for a key. */
  get(key: string): string | undefined {
    const wanted = key.toLowerCase();
    for (const entry of this.entries) {
      if (entry.key.toLowerCase() === wanted && entry.value?.$case === "stringValue") return entry.value.value;
    }
    return undefined;
  }

  /** First binary value for a key. */
  getBytes(key: string): Uint8Array | undefined {
    const wanted = key.toLowerCase();
    for (const entry of this.entries) {
      if (entry.key.toLowerCase() === wanted && entry.value?.$case === "bytesValue") return entry.value.value;
    }
    return undefined;
  }

  /** Every text value for a key, in order. */
  getAll(key: string): string[] {
    const wanted = key.toLowerCase();
    return this.entries.flatMap((e) => (e.key.toLowerCase() === wanted && e.value?.$case === "stringValue" ? [e.value.value] : []));
  }

  /** Adds an entry (keys may repeat). Binary values go in bytes_value. */
  add(key: string, value: string | Uint8Array): this {
    this.entries.push({
      key,
      value: typeof value === "string" ? { $case: "stringValue", value } : { $case: "bytesValue", value },
    });
    return this;
  }

  /** Replaces every entry of a key with one value. */
  set(key: string, value: string | Uint8Array): this {
    this.delete(key);
    return this.add(key, value);
  }

  /** Removes every entry of a key (compared case-insensitively). */
  delete(key: string): this {
    const wanted = key.toLowerCase();
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i]?.key.toLowerCase() === wanted) this.entries.splice(i, 1);
    }
    return this;
  }

  /** The distinct keys in order of first appearance, as written; unlike lookups, this compares keys case-sensitively. */
  keys(): string[] {
    return [...new Set(this.entries.map((e) => e.key))];
  }

  /** CloudEvent attributes carried in binary content mode (`ce-` keys), if any. */
  cloudEvent(): CloudEvent | undefined {
    const attr = (name: string) => this.get(CLOUD_EVENT_PREFIX + name);
    const specversion = attr("specversion");
    if (specversion === undefined) return undefined;
    return {
      specversion,
      id: attr("id") ?? "",
      source: attr("source") ?? "",
      type: attr("type") ?? "",
      subject: attr("subject"),
      time: attr("time"),
    };
  }
}

/** The CloudEvent attributes of a message (spec/metadata.md). */
export interface CloudEvent {
  /** `ce-specversion`, the CloudEvents version (`1.0` from the proxy, META-23); metadata without it has no CloudEvent. */
  readonly specversion: string;
  /** `ce-id`, empty when absent; for an event-log event, the entity key, `:` and the sequence number (META-27). */
  readonly id: string;
  /** `ce-source`, empty when absent; for an event-log event, the emitting entity's persistence id (META-25). */
  readonly source: string;
  /** `ce-type`, empty when absent; for an event-log event, the type name of the event's Any (META-24). */
  readonly type: string;
  /** `ce-subject`, if present; for an event-log event, the emitting entity's key (META-26). */
  readonly subject: string | undefined;
  /** `ce-time`, if present: an RFC 3339 timestamp, for an event-log event the time it was persisted (META-28). */
  readonly time: string | undefined;
}
