import { beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROXY_FIXTURE_CASES, REFERENCE_PROXY_CLI, TCK_MODEL_DIR } from "../../test/fixture-paths.js";
import { StringSink } from "../../test/string-sink.js";
import { main } from "../cli.js";
import { loadRecording, type TraceRecording } from "./trace-recording.js";

// End to end through main(), with the reference proxy and the TCK model (`npx tsc --build` first)
// and the small cases of test/fixtures/proxy-cases.
const SLOW = 90_000;
const PROXY_COMMAND = `"${process.execPath}" "${REFERENCE_PROXY_CLI}" --metrics-port 0 --log-level warn`;

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(args: string[], cwd: string): Promise<Outcome> {
  const stdout = new StringSink();
  const stderr = new StringSink();
  const code = await main(args, { stdout, stderr, cwd, env: process.env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tck-proxy-cli-"));
  writeFileSync(
    join(dir, "tck.yaml"),
    `mode: proxy
userFunction:
  command: ["${process.execPath}", "dist/main.js"]
  cwd: ${TCK_MODEL_DIR}
  env: { LOG_LEVEL: warn }
proxy:
  command: ${JSON.stringify(PROXY_COMMAND)}
runtimeConfigurations:
  - name: passivate
    proxyArgs: ["--passivation-timeout-ms", "1"]
    cases: Fixture/emit-*
reports:
  json: out/r.json
  junit: out/r.xml
`,
  );
});

describe("cloudstate-tck in proxy mode", () => {
  let recording: TraceRecording;

  it(
    "certifies the proxy, reruns the cases of a runtime configuration, writes the reports and the recording",
    async () => {
      const { code, stdout, stderr } = await run(["--config", "tck.yaml", "--cases", PROXY_FIXTURE_CASES, "--record", "out/rec.json"], dir);
      const lines = stdout.split("\n");
      expect(lines[0]).toMatch(/^Cloudstate TCK \(proxy mode\) against cloudstate-proxy-ts \S+ \(protocol 0\.2\)$/);
      expect(lines.filter((l) => l.startsWith("  ok ") || l.startsWith("runtime")).map((l) => l.replace(/ \(\d+ ms\)$/, ""))).toEqual([
        "  ok    Fixture/emit-and-read",
        "  ok    Fixture/value-entity",
        "  ok    Fixture/kill-the-user-function",
        "runtime configuration passivate: proxy args --passivation-timeout-ms 1",
        "  ok    passivate:Fixture/emit-and-read",
      ]);
      expect(stdout.endsWith("\n4 passed, 0 failed, 0 skipped\n")).toBe(true);
      expect(stderr).toContain("tck: starting the proxy under test: ");
      expect(stderr).toContain(`tck: recording: ${join(dir, "out/rec.json")}\n`);
      expect(code).toBe(0);

      const json = JSON.parse(readFileSync(join(dir, "out/r.json"), "utf8")) as { mode: string; target: string; cases: { name: string; area: string }[] };
      expect(json.mode).toBe("proxy");
      expect(json.target).toMatch(/^cloudstate-proxy-ts /);
      expect(json.cases.map((c) => [c.name, c.area])).toContainEqual(["passivate:Fixture/emit-and-read", "passivate:Fixture"]);
      const xml = readFileSync(join(dir, "out/r.xml"), "utf8");
      expect(xml).toContain('<testsuites name="cloudstate-tck proxy: cloudstate-proxy-ts ');
      expect(xml).toContain('<testsuite name="passivate:Fixture" tests="1"');

      recording = loadRecording(join(dir, "out/rec.json"));
      expect(recording.cases.map((c) => c.name)).toEqual([
        "(startup)",
        "Fixture/emit-and-read",
        "Fixture/value-entity",
        "Fixture/kill-the-user-function",
        "passivate:(startup)",
        "passivate:Fixture/emit-and-read",
      ]);
      expect(recording.cases[0]?.exchanges.map((e) => e.exchange)).toEqual(["cloudstate.EntityDiscovery/discover|"]);
      const emit = recording.cases[1]?.exchanges.find((e) => e.exchange === "cloudstate.eventsourced.EventSourced/handle|fx-1");
      expect(emit?.events[0]).toMatchObject({ direction: "to-user-function", message: { init: { entityId: "fx-1" } } });
    },
    SLOW,
  );

  it(
    "fails a known failure that passes",
    async () => {
      writeFileSync(join(dir, "kf.txt"), "Fixture/value-entity  # pretend\n");
      const { code, stdout } = await run(["--config", "tck.yaml", "--cases", PROXY_FIXTURE_CASES, "--run", "Fixture/value-entity", "--known-failures", "kf.txt"], dir);
      expect(stdout).toContain("\n  XPASS Fixture/value-entity (");
      expect(stdout.endsWith("\n0 passed, 0 failed, 0 skipped, 1 unexpected pass\n")).toBe(true);
      expect(code).toBe(1);
    },
    SLOW,
  );

  it(
    "finds no difference between two runs of the same proxy, and the differences of an edited recording",
    async () => {
      const same = await run(["--config", "tck.yaml", "--cases", PROXY_FIXTURE_CASES, "--run", "Fixture/emit-and-read", "--compare-proxy", PROXY_COMMAND, "--record-b", "out/b.json"], dir);
      expect(same.stdout).toMatch(/^Cloudstate TCK differential run \(proxy mode\)\n\nA: cloudstate-proxy-ts .*\(.*tck\.yaml\)\n {2}ok {4}Fixture\/emit-and-read/);
      expect(same.stdout).toContain("\n  same    (startup)\n  same    Fixture/emit-and-read\n\n2 cases compared: 2 same, 0 different\n");
      expect(same.code).toBe(0);

      // The first test's recording, with one reply changed.
      const edited = JSON.parse(JSON.stringify(recording)) as { cases: { name: string; exchanges: { exchange: string; events: { message?: { reply?: { clientAction?: unknown } } }[] }[] }[] };
      const events = edited.cases.find((c) => c.name === "Fixture/emit-and-read")?.exchanges.find((e) => e.exchange.endsWith("|fx-1"))?.events ?? [];
      const reply = events.find((e) => e.message?.reply !== undefined)?.message?.reply;
      if (reply === undefined) throw new Error("the recording has no reply");
      reply.clientAction = { failure: { description: "edited" } };
      writeFileSync(join(dir, "out/edited.json"), JSON.stringify(edited));
      const diff = await run(["--compare-traces", "out/rec.json", "out/edited.json"], dir);
      expect(diff.stdout).toContain(`Comparing TCK recordings\nA: ${join(dir, "out/rec.json")} (${recording.target})\nB: ${join(dir, "out/edited.json")} (${recording.target})\n`);
      expect(diff.stdout).toContain("\n  DIFF    Fixture/emit-and-read\n");
      expect(diff.stdout).toContain("\nDIFFERS: Fixture/emit-and-read\n  exchange cloudstate.eventsourced.EventSourced/handle|fx-1\n    at [0].toProxy[0].reply.clientAction.reply: A has ");
      expect(diff.stdout).toMatch(/\n {4}\+ +"description": "edited"\n/);
      expect(diff.stdout.endsWith("\n6 cases compared: 5 same, 1 different\n")).toBe(true);
      expect(diff.code).toBe(1);

      // The run with the second proxy was recorded too, and equals the first where they overlap.
      expect((await run(["--compare-traces", "out/b.json", "out/b.json"], dir)).code).toBe(0);
    },
    SLOW,
  );

  it(
    "runs a proxy-mode config in SDK mode with --mode sdk, certifying its reference user function",
    async () => {
      const { code, stdout } = await run(["--config", "tck.yaml", "--mode", "sdk", "--run", "Discovery/*"], dir);
      expect(stdout.split("\n")[0]).toMatch(/^Cloudstate TCK \(sdk mode\) against /);
      expect(stdout).toMatch(/\n\d+ passed, 0 failed/);
      expect(code).toBe(0);
    },
    SLOW,
  );

  it("exits 2 for a recording that cannot be read", async () => {
    const { code, stderr } = await run(["--compare-traces", "nope.json", "out/r.json"], dir);
    expect(stderr).toMatch(/^cloudstate-tck: \S+nope\.json: cannot read the recording: ENOENT/);
    expect(code).toBe(2);
  });
});
