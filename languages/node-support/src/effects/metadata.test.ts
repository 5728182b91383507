import { describe, expect, it } from "@jest/globals";
import type { cloudstate } from "@cloudstate/protocol";
import { Metadata } from "./metadata.js";

const text = (key: string, value: string): cloudstate.MetadataEntry => ({ key, value: { $case: "stringValue", value } });
const bytes = (key: string, value: number[]): cloudstate.MetadataEntry => ({ key, value: { $case: "bytesValue", value: new Uint8Array(value) } });

// The TCK models never echo metadata, so META-1 is checked here (tck/coverage-exclusions.yaml).
describe("Metadata (spec/metadata.md)", () => {
  const entries = [text("x-a", "1"), text("ce-subject", "s"), bytes("x-b-bin", [1, 2]), text("x-a", "2"), text("X-A", "3")];

  it("keeps the entries in order and each repetition of a key as its own entry, both ways (META-1)", () => {
    const metadata = Metadata.fromProtocol({ entries });
    expect(metadata.size).toBe(5);
    expect(metadata.toProtocol()).toEqual({ entries });
    expect(metadata.getAll("x-a")).toEqual(["1", "2", "3"]);
    expect(metadata.get("x-a")).toBe("1");
  });

  it("does not share its entries with the message it was read from", () => {
    const source = { entries: [...entries] };
    const metadata = Metadata.fromProtocol(source);
    metadata.add("x-c", "4");
    expect(source.entries).toHaveLength(5);
  });

  it("adds repeated keys as separate entries, after the existing ones (META-1)", () => {
    const metadata = new Metadata().add("x-a", "1").add("x-b-bin", new Uint8Array([9])).add("x-a", "2");
    expect(metadata.toProtocol()).toEqual({ entries: [text("x-a", "1"), bytes("x-b-bin", [9]), text("x-a", "2")] });
  });

  it("replaces every entry of a key with set, keeping the others in order", () => {
    const metadata = Metadata.fromProtocol({ entries }).set("x-a", "only");
    expect(metadata.toProtocol()).toEqual({ entries: [text("ce-subject", "s"), bytes("x-b-bin", [1, 2]), text("x-a", "only")] });
  });

  it("reads the CloudEvent attributes from the ce- entries", () => {
    const metadata = Metadata.fromProtocol({ entries: [text("ce-specversion", "1.0"), text("ce-id", "e:1"), text("ce-subject", "e")] });
    expect(metadata.cloudEvent()).toEqual({ specversion: "1.0", id: "e:1", source: "", type: "", subject: "e", time: undefined });
    expect(new Metadata([text("ce-subject", "e")]).cloudEvent()).toBeUndefined();
  });
});
