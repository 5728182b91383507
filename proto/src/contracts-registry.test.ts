import { describe, expect, it } from "@jest/globals";
import { contractsRegistry } from "./contracts-registry.js";

describe("contractsRegistry", () => {
  it("resolves protocol, option and TCK model types", () => {
    const registry = contractsRegistry();
    expect(registry.getMessage("cloudstate.eventsourced.EventSourcedStreamIn")?.fields.map((f) => f.name)).toEqual([
      "init",
      "event",
      "command",
    ]);
    expect(registry.getService("cloudstate.crdt.Crdt")?.methods[0]?.methodKind).toBe("bidi_streaming");
    expect(registry.getExtension("cloudstate.entity_key")?.number).toBe(1080);
    expect(registry.getMessage("cloudstate.tck.model.valueentity.Request")).toBeDefined();
  });
});
