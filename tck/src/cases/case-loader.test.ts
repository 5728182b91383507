import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCaseFile } from "./case-loader.js";

const dir = mkdtempSync(join(tmpdir(), "tck-case-loader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A case file with one proxy case whose only step is `injectFault` (YAML flow text). */
function caseWithFault(injectFault: string): string {
  const file = join(dir, `case-${++files}.yaml`);
  writeFileSync(
    file,
    ["area: Proxy", "cases:", "  - name: Proxy/Test/the-case", "    description: d", "    requirements: [ERR-1]", "    mode: MODE_PROXY", "    steps:", `      - inject_fault: ${injectFault}`, ""].join("\n"),
  );
  return file;
}

const ES = "exchange: { method: cloudstate.eventsourced.EventSourced/handle, key: k }";
const ACTION = "exchange: { method: cloudstate.action.ActionProtocol/handleUnary, key: s/M }";

describe("loadCaseFile: faults", () => {
  it.each([
    ["a replacement with copied values", `{ ${ES}, direction: DIRECTION_TO_PROXY, at: 1, fault: FAULT_REPLACE, replacement: { reply: { commandId: 1 } }, copy: [reply.commandId] }`],
    ["a stream completion on an entity stream", `{ ${ES}, direction: DIRECTION_TO_PROXY, at: 1, fault: FAULT_COMPLETE_STREAM }`],
    ["a replacement towards the user function", `{ ${ES}, direction: DIRECTION_TO_USER_FUNCTION, at: 2, fault: FAULT_REPLACE, replacement: { command: { id: 1 } } }`],
  ])("accepts %s", (_what, step) => {
    expect(loadCaseFile(caseWithFault(step))).toHaveLength(1);
  });

  it.each([
    ["a replacement its protocol type cannot read", `{ ${ES}, direction: DIRECTION_TO_PROXY, at: 1, fault: FAULT_REPLACE, replacement: { reply: { nonsense: 1 } } }`, "is not a cloudstate.eventsourced.EventSourcedStreamOut"],
    ["a replacement of the other direction's type", `{ ${ES}, direction: DIRECTION_TO_USER_FUNCTION, at: 1, fault: FAULT_REPLACE, replacement: { reply: {} } }`, "is not a cloudstate.eventsourced.EventSourcedStreamIn"],
    ["a replacement without message", `{ ${ES}, direction: DIRECTION_TO_PROXY, at: 1, fault: FAULT_REPLACE }`, "needs a replacement"],
    ["a copy path through no field", `{ ${ES}, direction: DIRECTION_TO_PROXY, at: 1, fault: FAULT_REPLACE, replacement: {}, copy: [reply.id] }`, 'copy "reply.id"'],
    ["a replacement without direction", `{ ${ES}, at: 1, fault: FAULT_REPLACE, replacement: {} }`, "needs a direction"],
    ["an unknown protocol method", `{ exchange: { method: cloudstate.Nope/handle }, direction: DIRECTION_TO_PROXY, at: 1, fault: FAULT_REPLACE, replacement: {} }`, "no protocol method"],
    ["a stream completion on a unary call", `{ ${ACTION}, direction: DIRECTION_TO_PROXY, at: 1, fault: FAULT_COMPLETE_STREAM }`, "FAULT_COMPLETE_STREAM needs"],
    ["a stream completion towards the user function", `{ ${ES}, direction: DIRECTION_TO_USER_FUNCTION, at: 1, fault: FAULT_COMPLETE_STREAM }`, "FAULT_COMPLETE_STREAM needs"],
  ])("rejects %s, naming the case and the step", (_what, step, message) => {
    const file = caseWithFault(step);
    expect(() => loadCaseFile(file)).toThrow(`${file}: case Proxy/Test/the-case: step 1 (inject_fault): `);
    expect(() => loadCaseFile(file)).toThrow(message);
  });
});
