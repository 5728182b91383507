import { describe, expect, it } from "@jest/globals";
import { describeStoreContract, payload } from "../../test/support/store-contract.js";
import { MemoryStore } from "./memory-store.js";
import { createStore } from "./store-factory.js";

describeStoreContract("memory", { open: () => Promise.resolve(new MemoryStore()) });

describe("MemoryStore", () => {
  it("hands back the payload objects it was given, without copying", async () => {
    const store = new MemoryStore();
    const event = payload("a");
    await store.append("p", "e", 0n, [event]);
    expect((await store.loadEvents("p", "e", 0n))[0]?.payload).toBe(event);
    expect((await store.readEventLog("p", 0n, 1))[0]?.payload).toBe(event);
  });

  it("is what createStore makes for kind memory", async () => {
    expect(await createStore({ kind: "memory" })).toBeInstanceOf(MemoryStore);
  });
});
