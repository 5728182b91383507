// Passivation and rehydration through a real proxy process (spec/passivation.md): an idle entity's
// stream is ended, and the next command sees the same state, rebuilt from storage.

import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { tckModelCrdt } from "@cloudstate/protocol";
import { killAllProcesses } from "../support/managed-process.js";
import { type ProxyProcess, startProxy } from "../support/proxy-process.js";
import { emitAll } from "../support/tck-clients.js";
import { startUserFunction, type UserFunctionProcess } from "../support/user-function-process.js";
import { waitFor } from "../support/wait.js";

// Each test makes a handful of calls; the bound is for a loaded machine, not a performance target.
jest.setTimeout(20_000);

let uf: UserFunctionProcess;
/** Passivates idle entities of every service after 100 ms. */
let quick: ProxyProcess;

beforeAll(async () => {
  uf = await startUserFunction();
  quick = await startProxy({ userFunctionPort: uf.port, flags: { "--passivation-timeout-ms": "100" } });
}, 30_000);

afterAll(async () => {
  await quick.stop();
  await uf.process.stop();
  await killAllProcesses();
}, 30_000);

const ES = { service: "cloudstate.tck.model.EventSourcedTckModel" };
const VE = { service: "cloudstate.tck.model.valueentity.ValueEntityTckModel" };
const CRDT = { service: "cloudstate.tck.model.crdt.CrdtTckModel" };
const ES_CONFIGURED = { service: "cloudstate.tck.model.EventSourcedConfigured" };

/** Waits until the proxy counted more passivations of `service` than `before`. */
async function passivatedSince(proxy: ProxyProcess, labels: Record<string, string>, before: number): Promise<void> {
  await waitFor(`a passivation of ${labels["service"] ?? "?"}`, async () => (await proxy.metric("cloudstate_proxy_passivations_total", labels)) > before, 5000, 25);
}

describe("passivation", () => {
  it("rehydrates an event-sourced entity with the same state, from its snapshot and later events", async () => {
    const c = quick.clients;
    const passivations = await quick.metric("cloudstate_proxy_passivations_total", ES);
    // 7 events: the model snapshots with the reply that reaches 5 events, then 2 events follow it.
    expect(await c.esProcess(emitAll("p-es", "a", "b", "c", "d", "e"))).toEqual({ ok: true, value: { message: "abcde" } });
    expect(await c.esProcess(emitAll("p-es", "f", "g"))).toEqual({ ok: true, value: { message: "abcdefg" } });
    await passivatedSince(quick, ES, passivations);
    const replayed = await quick.metric("cloudstate_proxy_replayed_events_total", ES);
    expect(await c.esProcess({ id: "p-es" })).toEqual({ ok: true, value: { message: "abcdefg" } });
    expect(await c.esProcess(emitAll("p-es", "h"))).toEqual({ ok: true, value: { message: "abcdefgh" } });
    // The rehydrated stream replayed only the events after the snapshot.
    expect(await quick.metric("cloudstate_proxy_replayed_events_total", ES)).toBe(replayed + 2);
  });

  it("rehydrates a value entity with its stored value", async () => {
    const c = quick.clients;
    const passivations = await quick.metric("cloudstate_proxy_passivations_total", VE);
    expect(await c.veProcess({ id: "p-ve", actions: [{ action: { $case: "update", value: { value: "kept" } } }] })).toEqual({ ok: true, value: { message: "kept" } });
    await passivatedSince(quick, VE, passivations);
    expect(await c.veProcess({ id: "p-ve" })).toEqual({ ok: true, value: { message: "kept" } });
  });

  it("rehydrates a CRDT entity with the value the proxy holds", async () => {
    const c = quick.clients;
    const increment = (n: bigint): tckModelCrdt.RequestAction => ({
      action: { $case: "update", value: { update: { $case: "gcounter", value: { increment: n } }, writeConsistency: tckModelCrdt.UpdateWriteConsistency.LOCAL } },
    });
    const passivations = await quick.metric("cloudstate_proxy_passivations_total", CRDT);
    await c.crdtProcess({ id: "GCounter-p", actions: [increment(7n)] });
    await passivatedSince(quick, CRDT, passivations);
    const answer = await c.crdtProcess({ id: "GCounter-p", actions: [increment(1n)] });
    expect(answer).toEqual({ ok: true, value: { state: { value: { $case: "gcounter", value: { value: 8n } } } } });
  });

  it("uses the passivation timeout the user function declares (EventSourcedConfigured, 100 ms) over the proxy's default", async () => {
    // A proxy whose own default would keep entities for 30 s.
    const patient = await startProxy({ userFunctionPort: uf.port, flags: { "--passivation-timeout-ms": "30000" } });
    try {
      const c = patient.clients;
      expect(await c.esConfiguredCall("p-configured")).toEqual({ ok: true, value: { message: "" } });
      expect(await c.esProcess(emitAll("p-default", "x"))).toEqual({ ok: true, value: { message: "x" } });
      await passivatedSince(patient, ES_CONFIGURED, 0);
      expect(await patient.metric("cloudstate_proxy_passivations_total", ES)).toBe(0);
      expect(await c.esConfiguredCall("p-configured")).toEqual({ ok: true, value: { message: "" } });
      expect(await patient.metric("cloudstate_proxy_active_entities", ES)).toBe(1);
    } finally {
      await patient.stop();
    }
  });
});
