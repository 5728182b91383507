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

  static fromProtocol(metadata: cloudstate.Metadata | undefined): Metadata {
    return new Metadata(metadata?.entries ?? []);
  }

  toProtocol(): cloudstate.Metadata {
    return { entries: [...this.entries] };
  }

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

  delete(key: string): this {
    const wanted = key.toLowerCase();
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i]?.key.toLowerCase() === wanted) this.entries.splice(i, 1);
    }
    return this;
  }

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
  readonly specversion: string;
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string | undefined;
  readonly time: string | undefined;
}
