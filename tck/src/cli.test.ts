import { describe, expect, it } from "@jest/globals";
import { tckCases } from "@cloudstate/protocol";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DISCOVERY_SERVER } from "../test/fixture-paths.js";
import { StringSink } from "../test/string-sink.js";
import { loadCases } from "./cases/case-loader.js";
import { DEFAULT_CASES_DIR, main } from "./cli.js";
import { USAGE } from "./config/cli-options.js";

// End to end through main(), with the fixture user function and the package's own cases.
const SLOW = 60_000;
const FIXTURE_COMMAND = `"${process.execPath}" "${DISCOVERY_SERVER}"`;
const sdkCases = loadCases(DEFAULT_CASES_DIR).filter((c) => c.case.mode === tckCases.Mode.MODE_SDK_UNSPECIFIED);
const claimable = [...new Set(sdkCases.flatMap((c) => c.case.services))];

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How many times main() handed over a clean-up for interrupts, in the last run. */
let interruptHandlers = 0;

async function run(args: string[], env: Record<string, string> = {}, cwd = process.cwd()): Promise<Outcome> {
  const stdout = new StringSink();
  const stderr = new StringSink();
  interruptHandlers = 0;
  const onInterrupt = () => {
    interruptHandlers++;
  };
  const code = await main(args, { stdout, stderr, cwd, env: { ...process.env, ...env }, onInterrupt });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe("cloudstate-tck usage and setup errors", () => {
  it("prints the usage for --help", async () => {
    expect(await run(["--help"])).toEqual({ code: 0, stdout: USAGE, stderr: "" });
  });

  it("exits 2 with the usage for a bad flag", async () => {
    const { code, stderr } = await run(["--nope"]);
    expect(code).toBe(2);
    expect(stderr.startsWith("cloudstate-tck: Unknown option '--nope'")).toBe(true);
    expect(stderr.endsWith(`\n\n${USAGE}`)).toBe(true);
  });

  it("exits 2 without anything to test", async () => {
    expect(await run([])).toEqual({ code: 2, stdout: "", stderr: "cloudstate-tck: give --config FILE, --address HOST:PORT or --command CMD\n" });
  });

  it("exits 2 for a config error, naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tck-cli-"));
    writeFileSync(join(dir, "tck.yaml"), "mode: sdk\nuserFunction: { address: 'h:1', port: 1 }\n");
    const { code, stderr } = await run(["--config", "tck.yaml"], {}, dir);
    expect(code).toBe(2);
    expect(stderr).toBe(`cloudstate-tck: ${join(dir, "tck.yaml")}: userFunction.port: does not apply with address (the TCK does not start that user function)\n`);
  });

  it("exits 2 for proxy mode without a proxy section", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tck-cli-"));
    writeFileSync(join(dir, "tck.yaml"), "userFunction: { address: 'h:1' }\n");
    expect((await run(["--config", join(dir, "tck.yaml"), "--mode", "proxy"])).stderr).toBe(
      `cloudstate-tck: proxy mode needs a proxy: section in ${join(dir, "tck.yaml")} (the proxy under test); it is a mode: sdk config\n`,
    );
  });

  it("exits 2 for an empty cases directory or a bad known-failures file, before starting anything", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tck-cli-"));
    mkdirSync(join(dir, "cases"));
    expect(await run(["--command", "exit 1", "--cases", "cases"], {}, dir)).toEqual({
      code: 2,
      stdout: "",
      stderr: `cloudstate-tck: no test cases in ${join(dir, "cases")}\n`,
    });
    writeFileSync(join(dir, "kf.txt"), "Some/case\n");
    expect((await run(["--command", "exit 1", "--known-failures", "kf.txt"], {}, dir)).stderr).toBe(
      `cloudstate-tck: ${join(dir, "kf.txt")}:1: "Some/case" has no reason; write it as "Some/case  # <why it fails>"\n`,
    );
  });

  it(
    "exits 2 when the user function does not start, with its output",
    async () => {
      const { code, stderr } = await run(["--command", FIXTURE_COMMAND], { FIXTURE_MODE: "exit-early" });
      expect(code).toBe(2);
      expect(stderr).toMatch(/^tck: starting the user function: .*\ncloudstate-tck: the user function exited with code 3 before answering discovery at 127\.0\.0\.1:\d+\n/);
      expect(stderr).toContain("  | fixture: failing on purpose\n");
    },
    SLOW,
  );
});

describe("cloudstate-tck runs", () => {
  it(
    "skips every case a user function does not claim, exits 0, writes the reports and warns about unmatched known failures",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "tck-cli-"));
      writeFileSync(join(dir, "kf.txt"), "# header\nNo/such/case  # renamed long ago\n");
      const { code, stdout, stderr } = await run(
        ["--command", FIXTURE_COMMAND, "--known-failures", "kf.txt", "--json", "out/r.json", "--junit", "out/r.xml"],
        {},
        dir,
      );
      expect(stdout.split("\n")[0]).toBe("Cloudstate TCK (sdk mode) against fixture-sdk 9.9.9 (protocol 0.2)");
      expect(stdout).toContain(`\n  skip  ${sdkCases[0]?.case.name ?? ""} (not claimed: `);
      expect(stdout.endsWith(`\n0 passed, 0 failed, ${sdkCases.length} skipped\n`)).toBe(true);
      expect(stderr).toContain(`tck: warning: known failure "No/such/case" (${join(dir, "kf.txt")}:2) matched no case; remove or fix it\n`);
      expect(stderr).toContain(`tck: JSON report: ${join(dir, "out/r.json")}\n`);
      expect(code).toBe(0);
      expect(interruptHandlers).toBe(1);
      const json = JSON.parse(readFileSync(join(dir, "out/r.json"), "utf8")) as { target: string; summary: { skipped: number } };
      expect(json.target).toBe("fixture-sdk 9.9.9 (protocol 0.2)");
      expect(json.summary.skipped).toBe(sdkCases.length);
      expect(readFileSync(join(dir, "out/r.xml"), "utf8")).toContain(`<testsuites name="cloudstate-tck sdk: fixture-sdk 9.9.9 (protocol 0.2)" tests="${sdkCases.length}"`);
    },
    SLOW,
  );

  it(
    "exits 1 when claimed cases fail, with the failures and the user function's output",
    async () => {
      const first = sdkCases[0]?.case.name ?? "";
      const { code, stdout } = await run(["--command", FIXTURE_COMMAND, "--run", first], { FIXTURE_SERVICES: claimable.join(",") });
      expect(stdout).toContain(`\n  FAIL  ${first} (`);
      expect(stdout).toContain(`\nFAILED: ${first}\n  step `);
      expect(stdout).toMatch(/\nuser function output \(last \d+ lines\):\n {2}\| fixture: pid \d+\n/);
      expect(stdout.endsWith("\n0 passed, 1 failed, 0 skipped\n")).toBe(true);
      expect(code).toBe(1);
    },
    SLOW,
  );

  it(
    "exits 0 when every failure is a known one",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "tck-cli-"));
      writeFileSync(join(dir, "kf.txt"), "*  # the fixture serves discovery only\n");
      const first = sdkCases[0]?.case.name ?? "";
      const { code, stdout } = await run(["--command", FIXTURE_COMMAND, "--run", first, "--known-failures", "kf.txt"], { FIXTURE_SERVICES: claimable.join(",") }, dir);
      expect(stdout).toContain(`\n  xfail ${first} (`);
      expect(stdout).not.toContain("FAILED");
      expect(stdout.endsWith("\n0 passed, 0 failed, 0 skipped, 1 expected failure\n")).toBe(true);
      expect(code).toBe(0);
    },
    SLOW,
  );

  it(
    "exits 2 when --run matches no case",
    async () => {
      const { code, stderr } = await run(["--command", FIXTURE_COMMAND, "--run", "No/such/*"]);
      expect(stderr).toContain("tck: warning: no case matches --run No/such/*\n");
      expect(code).toBe(2);
    },
    SLOW,
  );
});
