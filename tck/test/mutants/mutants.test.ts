// Proves that the TCK can fail: each mutant (the node-support TCK model with
// one protocol rule broken, see mutant-server.ts) must fail the cases that
// check that rule, while the unmodified model, behind the same harness,
// passes every case the mutants are run against.
//
// Needs the built model (`npx tsc --build` at the repository root). Set
// MUTANTS_REPORT=<file> to write each mutant's failed cases as JSON (the
// source of the table in docs/tck-for-sdk-authors.md), and MUTANTS_GAPS=1 to
// also run the mutants no case catches yet (mutations/gap-mutations.ts),
// which then must still pass: one that fails is caught now and belongs in
// MUTATIONS.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type LoadedCase, loadCases } from "../../src/cases/case-loader.js";
import { silentLogger } from "../../src/report/tck-logger.js";
import { patternToRegExp } from "../../src/runner/pattern.js";
import type { CaseResult } from "../../src/runner/results.js";
import { runSdkCases } from "../../src/runner/sdk-runner.js";
import { waitForDiscovery } from "../../src/user-function/discovery.js";
import { type DiscoveredUserFunction, startAndDiscover } from "../../src/user-function/user-function.js";
import { startMutantServer } from "./mutant-server.js";
import type { Mutation } from "./mutation.js";
import { gapMutations } from "./mutations/gap-mutations.js";
import { MUTATIONS } from "./mutations/index.js";

const MODEL_DIR = fileURLToPath(new URL("../../../languages/node-support/tck-model", import.meta.url));
const CASES_DIR = fileURLToPath(new URL("../../cases", import.meta.url));
// The model answers in milliseconds; a mutant that stays silent should not cost the default 3 s per
// wait. A wait that times out can only add failures, so the mutants get a shorter one than the control.
const CONTROL_TIMEOUT_MS = 1000;
const MUTANT_TIMEOUT_MS = 500;

let model: DiscoveredUserFunction | undefined;
let cases: LoadedCase[] = [];
const report: Record<string, string[]> = {};

beforeAll(async () => {
  if (!existsSync(join(MODEL_DIR, "dist", "main.js"))) throw new Error(`${MODEL_DIR}/dist/main.js is missing: run npx tsc --build first`);
  cases = loadCases(CASES_DIR);
  model = await startAndDiscover(
    { kind: "command", command: ["node", "dist/main.js"], cwd: MODEL_DIR, env: { LOG_LEVEL: "warn" }, host: "127.0.0.1", startupTimeoutMs: 30_000 },
    silentLogger,
  );
}, 40_000);

afterAll(async () => {
  await model?.userFunction.stop();
  const file = process.env.MUTANTS_REPORT;
  if (file !== undefined && file !== "") writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
});

/** Runs `selected` cases through the harness (with `mutation`, or transparent without) in front of the model. */
async function certify(mutation: Mutation | undefined, selected: readonly LoadedCase[]): Promise<CaseResult[]> {
  const timeoutMs = mutation === undefined ? CONTROL_TIMEOUT_MS : MUTANT_TIMEOUT_MS;
  if (model === undefined) throw new Error("the model did not start");
  const harness = await startMutantServer(model.userFunction.address, mutation);
  try {
    // Discovery goes through the harness too: the TCK sees what the mutant claims.
    const spec = await waitForDiscovery(harness.address, 5000);
    return await runSdkCases({ address: harness.address, spec, cases: selected, timeoutMs });
  } finally {
    await harness.stop();
  }
}

const matching = (pattern: string) => (c: LoadedCase) => patternToRegExp(pattern).test(c.case.name);
/** Whether a case caught the mutant: it failed, or, for a SHOULD rule, an advisory case warned. */
const caught = (mutation: Mutation) => (r: CaseResult) => r.status === "failed" || (mutation.advisory === true && r.status === "warning");
const caughtNames = (mutation: Mutation, results: readonly CaseResult[]) => results.filter(caught(mutation)).map((r) => r.name);

describe("mutant declarations", () => {
  it("has at least 15 mutants with unique names, a rule and cases that must fail", () => {
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(15);
    expect(new Set(MUTATIONS.map((m) => m.name)).size).toBe(MUTATIONS.length);
    for (const m of MUTATIONS) {
      expect(m.rule).not.toBe("");
      expect(m.mustFail.length).toBeGreaterThan(0);
    }
  });
});

describe("the unmodified model behind the harness", () => {
  it("passes every case any mutant is run against", async () => {
    const selected = cases.filter((c) => MUTATIONS.some((m) => matching(m.run)(c)));
    const results = await certify(undefined, selected);
    expect(results.length).toBeGreaterThan(0);
    // Warnings count too: the model meets the SHOULD statements as well.
    const notPassed = results.filter((r) => r.status !== "passed").map((r) => `${r.name}: ${r.status} ${r.failure?.message ?? r.reason ?? ""}`);
    expect(notPassed).toEqual([]);
  }, 30_000);
});

describe("each mutant", () => {
  it.each(MUTATIONS.map((m) => [m.name, m] as const))("%s is failed by the TCK", async (_name, mutation) => {
    const results = await certify(mutation, cases.filter(matching(mutation.run)));
    const caughtBy = caughtNames(mutation, results);
    report[mutation.name] = caughtBy;
    expect(caughtBy.length).toBeGreaterThan(0);
    for (const pattern of mutation.mustFail) {
      const ran = results.filter((r) => patternToRegExp(pattern).test(r.name));
      expect({ pattern, ran: ran.length > 0 }).toEqual({ pattern, ran: true });
      expect({ pattern, notCaught: ran.filter((r) => !caught(mutation)(r)).map((r) => `${r.name} (${r.status})`) }).toEqual({ pattern, notCaught: [] });
    }
  }, 20_000);
});

const describeGaps = process.env.MUTANTS_GAPS === "1" ? describe : describe.skip;
describeGaps("each known gap (MUTANTS_GAPS=1)", () => {
  it.each(gapMutations.map((m) => [m.name, m] as const))("%s is still not caught", async (_name, mutation) => {
    const results = await certify(mutation, cases.filter(matching(mutation.run)));
    const noticed = results.filter((r) => r.status === "failed" || r.status === "warning").map((r) => `${r.name} (${r.status})`);
    report[`gap: ${mutation.name}`] = noticed;
    expect(results.length).toBeGreaterThan(0);
    expect(noticed).toEqual([]);
  }, 20_000);
});
