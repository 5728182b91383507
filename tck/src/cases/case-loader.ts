import { fromJson, type JsonValue, toBinary } from "@bufbuild/protobuf";
import { contractsRegistry, tckCases } from "@cloudstate/protocol";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { MessageJson } from "../protocol/message-json.js";
import { payloadRegistry } from "../protocol/payload-registry.js";
import { protocolMessageType, replacementBuilder } from "../proxy-mode/replacement-builder.js";

/** A case with where it came from. */
export interface LoadedCase {
  readonly area: string;
  readonly case: tckCases.Case;
  readonly file: string;
}

export class CaseFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "CaseFileError";
  }
}

/** Every case of every `*.yaml` file in `dir`, in file-name order then file order. */
export function loadCases(dir: string): LoadedCase[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort();
  const cases = files.flatMap((f) => loadCaseFile(join(dir, f)));
  const seen = new Map<string, string>();
  for (const c of cases) {
    const other = seen.get(c.case.name);
    if (other !== undefined) throw new CaseFileError(c.file, `case name ${c.case.name} is also used in ${other}`);
    seen.set(c.case.name, c.file);
  }
  return cases;
}

/**
 * Reads one case file: YAML holding a `cloudstate.tck.cases.v1.CaseFile` in
 * the proto3 JSON mapping. Parsing through the schema rejects unknown fields,
 * so a typo fails loudly instead of silently weakening a case.
 */
export function loadCaseFile(file: string): LoadedCase[] {
  let json: unknown;
  try {
    json = parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CaseFileError(file, `not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const schema = contractsRegistry().getMessage("cloudstate.tck.cases.v1.CaseFile");
  if (schema === undefined) throw new Error("the case schema is missing from @cloudstate/protocol");
  let caseFile: tckCases.CaseFile;
  try {
    caseFile = tckCases.CaseFile.decode(toBinary(schema, fromJson(schema, json as JsonValue)));
  } catch (error) {
    throw new CaseFileError(file, `does not match the case schema: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (caseFile.area === "") throw new CaseFileError(file, "area is empty");
  return caseFile.cases.map((c) => {
    validateCase(file, caseFile.area, c);
    return { area: caseFile.area, case: c, file };
  });
}

function validateCase(file: string, area: string, c: tckCases.Case): void {
  const where = `case ${c.name || "(unnamed)"}`;
  if (!c.name.startsWith(`${area}/`)) throw new CaseFileError(file, `${where}: name must start with "${area}/"`);
  if (c.requirements.length === 0) throw new CaseFileError(file, `${where}: names no spec requirement`);
  if (c.steps.length === 0) throw new CaseFileError(file, `${where}: has no steps`);
  const opened = new Set<string>();
  c.steps.forEach((s, i) => {
    const step = s.step;
    if (step === undefined) throw new CaseFileError(file, `${where}: step ${i + 1} is empty`);
    // An HTTP request opens its alias as `open` opens a call's.
    if (step.$case === "open" || step.$case === "httpRequest") {
      if (opened.has(step.value.call)) throw new CaseFileError(file, `${where}: step ${i + 1} reopens call ${step.value.call}`);
      opened.add(step.value.call);
      return;
    }
    if (step.$case === "injectFault") {
      const problem = faultProblem(step.value);
      if (problem !== undefined) throw new CaseFileError(file, `${where}: step ${i + 1} (inject_fault): ${problem}`);
      return;
    }
    if ("call" in step.value && !opened.has(step.value.call)) {
      throw new CaseFileError(file, `${where}: step ${i + 1} uses call "${step.value.call}" before opening it`);
    }
  });
}

let messageJson: MessageJson | undefined;

/** What is wrong with a fault that can be checked before a run: a replacement its type cannot read, a stream completion on a unary call. */
function faultProblem(f: tckCases.InjectFault): string | undefined {
  const { Fault, Direction } = tckCases;
  if (f.fault !== Fault.FAULT_REPLACE && f.fault !== Fault.FAULT_COMPLETE_STREAM) return undefined;
  if (f.exchange === undefined) return "needs an exchange";
  if (f.direction === Direction.DIRECTION_UNSPECIFIED) return "needs a direction";
  messageJson ??= new MessageJson(payloadRegistry());
  const json = messageJson;
  const method = json.method(f.exchange.method);
  if (method === undefined) return `no protocol method ${f.exchange.method}`;
  if (f.fault === Fault.FAULT_COMPLETE_STREAM) {
    if (f.direction !== Direction.DIRECTION_TO_PROXY || method.methodKind === "unary" || method.methodKind === "client_streaming") {
      return "FAULT_COMPLETE_STREAM needs direction DIRECTION_TO_PROXY on a method whose responses are streamed";
    }
    return undefined;
  }
  if (f.replacement === undefined) return "FAULT_REPLACE needs a replacement";
  const side = f.direction === Direction.DIRECTION_TO_PROXY ? "to-proxy" : "to-user-function";
  try {
    replacementBuilder(json, protocolMessageType(json, f.exchange.method, side), f.replacement as JsonValue, f.copy);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}
