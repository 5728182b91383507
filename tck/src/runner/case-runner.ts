import type { DescMessage, JsonValue } from "@bufbuild/protobuf";
import { cloudstate, tckCases } from "@cloudstate/protocol";
import { type Client, Metadata, status } from "@grpc/grpc-js";
import type { LoadedCase } from "../cases/case-loader.js";
import { CallDriver, type CallKind } from "../protocol/call-driver.js";
import { GrpcWebDriver } from "../protocol/grpc-web-driver.js";
import type { HttpExchange } from "../protocol/http-exchange.js";
import type { MessageJson } from "../protocol/message-json.js";
import { type ExchangeLog, exchangeId, type Intercepted, type Side } from "../proxy-mode/exchange-log.js";
import type { FaultSpec } from "../proxy-mode/interceptor.js";
import { protocolMessageType, replacementBuilder } from "../proxy-mode/replacement-builder.js";
import { descriptorProblems } from "./descriptor-check.js";
import { expectHttp, expectHttpEvent, sendHttpRequest } from "./http-steps.js";
import { compareJson, looseDifferences, renderDiff } from "./matcher.js";
import type { CaseResult } from "./results.js";
import { StepFailure } from "./step-failure.js";

export interface CaseRunContext {
  readonly client: Client;
  readonly json: MessageJson;
  readonly trace: boolean;
  /** Default wait for an expected message or end. */
  readonly timeoutMs: number;
  /** The ProxyInfo sent when a discover step gives none. */
  readonly proxyInfo: JsonValue;
  /** Proxy mode: the interceptor between the proxy and the user function. */
  readonly intercepted?: InterceptedAccess;
  /** Proxy mode: `host:port` of the proxy's HTTP/JSON and gRPC-web port, for HTTP steps and gRPC-web calls. */
  readonly httpAddress?: string;
  /**
   * Proxy mode: false to skip expect_intercepted and
   * expect_no_more_interactions, checking only what the client gets (runtime
   * configurations change the exchanges the cases script). Default true.
   */
  readonly checkIntercepted?: boolean;
}

/** What proxy-mode steps need: the interceptor's log and faults, and the user function's restart. */
export interface InterceptedAccess {
  readonly log: ExchangeLog;
  arm(fault: FaultSpec): void;
  restartUserFunction(): Promise<void>;
}

interface OpenCall {
  readonly driver: CallDriver | GrpcWebDriver;
  readonly input: DescMessage;
  readonly output: DescMessage;
}

const DISCOVER = "cloudstate.EntityDiscovery/discover";
const REPORT_ERROR = "cloudstate.EntityDiscovery/reportError";

/** Runs one case's script and reports how it went. Open calls are cancelled at the end. */
export async function runCase(loaded: LoadedCase, ctx: CaseRunContext): Promise<CaseResult> {
  const { case: c } = loaded;
  const started = Date.now();
  const calls = new Map<string, OpenCall>();
  const http = new Map<string, HttpExchange>();
  const trace: string[] = [];
  const touched = new Set<string>();
  const base = { name: c.name, area: loaded.area, description: c.description, requirements: c.requirements };
  let stepIndex = 0;
  try {
    for (const step of c.steps) {
      stepIndex++;
      await runStep(step, { calls, http }, ctx, trace, touched, started);
    }
    return { ...base, status: "passed", durationMs: Date.now() - started, ...(ctx.trace ? { trace } : {}) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const diff = error instanceof StepFailure ? error.diff : undefined;
    return {
      ...base,
      status: "failed",
      durationMs: Date.now() - started,
      failure: { step: stepIndex, message, ...(diff === undefined ? {} : { diff }) },
      ...(ctx.trace ? { trace } : {}),
    };
  } finally {
    for (const call of calls.values()) call.driver.cancel();
    for (const exchange of http.values()) exchange.abort();
  }
}

/** What a case has open: gRPC (or gRPC-web) calls and HTTP requests, by alias. */
interface OpenState {
  readonly calls: Map<string, OpenCall>;
  readonly http: Map<string, HttpExchange>;
}

async function runStep(step: tckCases.Step, open: OpenState, ctx: CaseRunContext, trace: string[], touched: Set<string>, caseStart: number): Promise<void> {
  const { calls } = open;
  const s = step.step;
  switch (s?.$case) {
    case "httpRequest":
      open.http.set(s.value.call, sendHttpRequest(s.value, ctx.httpAddress, trace));
      return;
    case "expectHttp":
      return expectHttp(s.value, getHttp(open.http, s.value.call), ctx.timeoutMs, trace);
    case "expectHttpEvent":
      return expectHttpEvent(s.value, getHttp(open.http, s.value.call), ctx.timeoutMs, trace);
    case "expectIntercepted":
      if (ctx.checkIntercepted === false) return passIntercepted(s.value, interceptedOf(ctx), ctx, trace, caseStart);
      return expectIntercepted(s.value, interceptedOf(ctx), ctx, trace, touched, caseStart);
    case "expectNoMoreInteractions": {
      if (ctx.checkIntercepted === false) {
        // The wait still paces the case; what arrives is not checked.
        await new Promise((resolve) => setTimeout(resolve, s.value.withinMs || 200));
        trace.push("(not checked) expect_no_more_interactions");
        return;
      }
      const exchanges = s.value.exchanges.length > 0 ? s.value.exchanges.map((e) => exchangeId(e.method, e.key)) : [...touched];
      const unread = await interceptedOf(ctx).log.unread(exchanges, s.value.withinMs || 200);
      if (unread.length > 0) {
        const shown = unread.map((u) => `${u.exchange} ${u.event.direction}: ${JSON.stringify(decodeIntercepted(ctx, u.event.method, u.event.direction, u.event.kind === "message" ? u.event.bytes : new Uint8Array()))}`);
        throw new StepFailure(`unexpected intercepted messages:\n${shown.join("\n")}`);
      }
      return;
    }
    case "injectFault": {
      const f = s.value;
      const fault = FAULTS[f.fault];
      if (fault === undefined || f.exchange === undefined) throw new StepFailure("inject_fault needs an exchange and a fault");
      const direction = sideOf(f.direction);
      // The case loader checked the replacement: building it again cannot fail on the case's own data.
      const replace =
        fault === "replace" ? replacementBuilder(ctx.json, protocolMessageType(ctx.json, f.exchange.method, direction), (f.replacement ?? null) as JsonValue, f.copy) : undefined;
      interceptedOf(ctx).arm({ exchange: exchangeId(f.exchange.method, f.exchange.key), direction, at: f.at, fault, delayMs: f.delayMs, ...(replace === undefined ? {} : { replace }) });
      trace.push(`arm ${fault} at ${sideOf(f.direction)} message ${f.at} of ${f.exchange.method}|${f.exchange.key}`);
      return;
    }
    case "restartUserFunction":
      trace.push("restart the user function");
      await interceptedOf(ctx).restartUserFunction();
      return;
    case "wait":
      await new Promise((resolve) => setTimeout(resolve, s.value.ms));
      return;
    case "discover":
      return discover(s.value, ctx, trace);
    case "open": {
      const { kind, input, output } = resolveMethod(s.value.method, ctx.json);
      if (s.value.transport !== tckCases.Transport.TRANSPORT_GRPC_UNSPECIFIED) {
        // gRPC-web on the HTTP port (spec/http.md §5).
        if (ctx.httpAddress === undefined) throw new StepFailure("a gRPC-web call needs the proxy's HTTP/JSON address: this run has none (proxy mode only)");
        const text = s.value.transport === tckCases.Transport.TRANSPORT_GRPC_WEB_TEXT;
        calls.set(s.value.call, { driver: new GrpcWebDriver(`http://${ctx.httpAddress}`, `/${s.value.method}`, kind, s.value.metadata, text), input, output });
        trace.push(`open ${s.value.call} ${s.value.method} (gRPC-web${text ? " text" : ""})`);
        return;
      }
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(s.value.metadata)) metadata.add(key, value);
      calls.set(s.value.call, { driver: new CallDriver(ctx.client, `/${s.value.method}`, kind, metadata), input, output });
      trace.push(`open ${s.value.call} ${s.value.method}`);
      return;
    }
    case "send": {
      const call = get(calls, s.value.call);
      if (s.value.raw.length > 0) {
        trace.push(`→ ${s.value.call} raw ${Buffer.from(s.value.raw).toString("hex")}`);
        call.driver.send(s.value.raw);
      } else {
        const message = s.value.message as JsonValue;
        trace.push(`→ ${s.value.call} ${JSON.stringify(message)}`);
        call.driver.send(ctx.json.encode(call.input, message));
      }
      return;
    }
    case "expect": {
      const call = get(calls, s.value.call);
      const bytes = await call.driver.next(s.value.timeoutMs || ctx.timeoutMs);
      const actual = ctx.json.decode(call.output, bytes);
      trace.push(`← ${s.value.call} ${JSON.stringify(actual)}`);
      const expected = ctx.json.canonical(call.output, s.value.message as JsonValue);
      const loose = [...Object.keys(s.value.contains), ...s.value.present];
      const differences = [
        ...compareJson(expected, actual, { ignore: [...s.value.ignore, ...loose], unordered: s.value.unordered }),
        ...looseDifferences(actual, s.value.contains, s.value.present),
      ];
      if (differences.length > 0) {
        throw new StepFailure(`${call.output.typeName} on ${s.value.call} differs from the expected message`, renderDiff(expected, actual, differences));
      }
      return;
    }
    case "expectEnd": {
      const call = get(calls, s.value.call);
      const end = await call.driver.end(ctx.timeoutMs).catch((error: unknown) => {
        if (error instanceof Error && "bytes" in error) {
          const actual = ctx.json.decode(call.output, (error as { bytes: Uint8Array }).bytes);
          throw new StepFailure(`expected ${s.value.call} to end, but it sent ${JSON.stringify(actual)}`);
        }
        throw error;
      });
      trace.push(`← ${s.value.call} end ${status[end.code]} ${end.details}`);
      checkEnd(s.value, end.code, end.details);
      return;
    }
    case "halfClose":
      trace.push(`→ ${s.value.call} half-close`);
      get(calls, s.value.call).driver.halfClose();
      return;
    case "cancel": {
      trace.push(`→ ${s.value.call} cancel`);
      // An HTTP request is cancelled by closing its connection, as a browser does.
      const exchange = open.http.get(s.value.call);
      if (exchange !== undefined) exchange.abort();
      else get(calls, s.value.call).driver.cancel();
      return;
    }
    case "expectNothing": {
      const call = get(calls, s.value.call);
      const event = await call.driver.silence(s.value.withinMs || 200);
      if (event?.kind === "message") {
        throw new StepFailure(`expected nothing on ${s.value.call}, got ${JSON.stringify(ctx.json.decode(call.output, event.bytes))}`);
      }
      if (event?.kind === "end") throw new StepFailure(`expected nothing on ${s.value.call}, but it ended with ${status[event.end.code]}`);
      return;
    }
    case "reportError": {
      const { input, output } = resolveMethod(REPORT_ERROR, ctx.json);
      const driver = new CallDriver(ctx.client, `/${REPORT_ERROR}`, "unary");
      driver.send(ctx.json.encode(input, { message: s.value.message }));
      ctx.json.decode(output, await driver.next(ctx.timeoutMs));
      return;
    }
    case undefined:
      throw new StepFailure("empty step");
  }
}

async function discover(d: tckCases.Discover, ctx: CaseRunContext, trace: string[]): Promise<void> {
  const { input, output } = resolveMethod(DISCOVER, ctx.json);
  const driver = new CallDriver(ctx.client, `/${DISCOVER}`, "unary");
  const proxyInfo = (d.proxyInfo ?? ctx.proxyInfo);
  trace.push(`→ discover ${JSON.stringify(proxyInfo)}`);
  driver.send(ctx.json.encode(input, proxyInfo));
  if (d.expectError !== "") {
    const end = await driver.end(ctx.timeoutMs).catch(() => undefined);
    if (end === undefined) throw new StepFailure(`discover answered, but ${d.expectError} was expected`);
    trace.push(`← discover ${status[end.code]} ${end.details}`);
    if (status[end.code] !== d.expectError) throw new StepFailure(`discover failed with ${status[end.code]} (${end.details}); expected ${d.expectError}`);
    for (const text of d.expectErrorContains) {
      if (!end.details.includes(text)) throw new StepFailure(`the discover error "${end.details}" does not contain "${text}"`);
    }
    return;
  }
  const bytes = await driver.next(ctx.timeoutMs);
  const spec = ctx.json.decode(output, bytes) as { entities?: { serviceName?: string }[]; serviceInfo?: JsonValue };
  trace.push(`← discover ${JSON.stringify({ ...spec, proto: "(descriptors)" })}`);
  for (const expected of d.expectEntities as { serviceName?: string }[]) {
    const actual = spec.entities?.find((e) => e.serviceName === expected.serviceName);
    if (actual === undefined) throw new StepFailure(`discovery lists no entity for ${expected.serviceName ?? "(no service name given)"}`);
    checkPartial(`entity ${expected.serviceName ?? ""}`, expected, actual);
  }
  if (d.expectServiceInfo !== undefined) checkPartial("service info", d.expectServiceInfo, spec.serviceInfo ?? {});
  const missing = looseDifferences(spec.serviceInfo ?? {}, {}, d.expectServiceInfoPresent);
  if (missing.length > 0) throw new StepFailure(`service info lacks ${missing.map((m) => m.path).join(", ")}`);
  if (d.checkDescriptors) {
    const problems = descriptorProblems(cloudstate.EntitySpec.decode(bytes));
    if (problems.length > 0) throw new StepFailure(`the discovered descriptors are not usable:\n${problems.join("\n")}`);
  }
}

/**
 * Fields present in `expected` must be equal in `actual`; other fields are not
 * compared. An expected default (0, "", false) matches a field the JSON mapping
 * left out, so that `protocolMajorVersion: 0` can be required.
 */
function checkPartial(what: string, expected: JsonValue, actual: JsonValue): void {
  const ignore: string[] = [];
  if (typeof actual === "object" && actual !== null && !Array.isArray(actual) && typeof expected === "object" && expected !== null && !Array.isArray(expected)) {
    for (const key of Object.keys(actual)) if (!(key in expected)) ignore.push(key);
    const filled: { [key: string]: JsonValue } = { ...actual };
    for (const [key, value] of Object.entries(expected)) {
      if (!(key in filled) && (value === 0 || value === "" || value === false)) filled[key] = value;
    }
    actual = filled;
  }
  const differences = compareJson(expected, actual, { ignore });
  if (differences.length > 0) throw new StepFailure(`${what} differs from the expected`, renderDiff(expected, actual, differences));
}

function checkEnd(expected: tckCases.ExpectEnd, code: status, details: string): void {
  const name = status[code];
  const wanted = expected.status || "OK";
  const matches = wanted === "ERROR" ? code !== status.OK : name === wanted;
  if (!matches) throw new StepFailure(`expected ${expected.call} to end with ${wanted}, it ended with ${name}${details ? ` (${details})` : ""}`);
  if (expected.messageContains !== "" && !details.includes(expected.messageContains)) {
    throw new StepFailure(`the status message "${details}" does not contain "${expected.messageContains}"`);
  }
}

function getHttp(http: Map<string, HttpExchange>, name: string): HttpExchange {
  const exchange = http.get(name);
  if (exchange === undefined) throw new StepFailure(`no HTTP request ${name}`);
  return exchange;
}

function get(calls: Map<string, OpenCall>, name: string): OpenCall {
  const call = calls.get(name);
  if (call === undefined) throw new StepFailure(`no open call ${name}`);
  return call;
}

function resolveMethod(method: string, json: MessageJson): { kind: CallKind; input: DescMessage; output: DescMessage } {
  const m = json.method(method);
  if (m === undefined) throw new StepFailure(`no method ${method}`);
  return { kind: m.methodKind, input: m.input, output: m.output };
}

const FAULTS: Partial<Record<tckCases.Fault, FaultSpec["fault"]>> = {
  [tckCases.Fault.FAULT_DROP_CONNECTION]: "drop",
  [tckCases.Fault.FAULT_KILL_USER_FUNCTION]: "kill",
  [tckCases.Fault.FAULT_STALL]: "stall",
  [tckCases.Fault.FAULT_DELAY]: "delay",
  [tckCases.Fault.FAULT_REPLACE]: "replace",
  [tckCases.Fault.FAULT_COMPLETE_STREAM]: "complete",
};

function sideOf(direction: tckCases.Direction): Side {
  return direction === tckCases.Direction.DIRECTION_TO_PROXY ? "to-proxy" : "to-user-function";
}

function interceptedOf(ctx: CaseRunContext): InterceptedAccess {
  if (ctx.intercepted === undefined) throw new StepFailure("this step only runs in proxy mode");
  return ctx.intercepted;
}

/** An intercepted event for traces and failure messages; a message the TCK put in place of another says so. */
function showIntercepted(ctx: CaseRunContext, event: Intercepted): string {
  if (event.kind === "end") return `end ${status[event.code]} ${event.details}`;
  const json = JSON.stringify(decodeIntercepted(ctx, event.method, event.direction, event.bytes));
  return event.injected === undefined ? json : `${json} (${event.injected}d by the TCK)`;
}

/** An intercepted message as JSON: the protocol method's input type towards the user function, its output type towards the proxy. */
function decodeIntercepted(ctx: CaseRunContext, method: string, direction: Side, bytes: Uint8Array): JsonValue {
  const { input, output } = resolveMethod(method, ctx.json);
  return ctx.json.decode(direction === "to-user-function" ? input : output, bytes);
}

/** The events an expect_intercepted step passes over (skip_ends; since_case_start: those of calls begun before the case). */
function skipped(e: tckCases.ExpectIntercepted, caseStart: number): (event: Intercepted) => boolean {
  return (event) => (e.sinceCaseStart && (event.callStartedAt ?? event.at) < caseStart) || (e.skipEnds && event.kind === "end");
}

/**
 * An expect_intercepted step whose message is not checked: it still waits for
 * the exchange's next event, as the case uses it to pace its client steps
 * (e.g. not to call again before the proxy has seen a cancellation), but an
 * event that differs, or none at all within the timeout, is not a failure.
 */
async function passIntercepted(e: tckCases.ExpectIntercepted, access: InterceptedAccess, ctx: CaseRunContext, trace: string[], caseStart: number): Promise<void> {
  if (e.exchange === undefined) return;
  const id = exchangeId(e.exchange.method, e.exchange.key);
  const event = await access.log.next(id, e.timeoutMs || ctx.timeoutMs, skipped(e, caseStart));
  if (event === undefined) {
    trace.push(`(not checked) nothing intercepted on ${id}`);
    return;
  }
  const shown = showIntercepted(ctx, event);
  trace.push(`(not checked) ${event.direction === "to-user-function" ? "proxy → uf" : "uf → proxy"} ${id} ${shown}`);
}

async function expectIntercepted(
  e: tckCases.ExpectIntercepted,
  access: InterceptedAccess,
  ctx: CaseRunContext,
  trace: string[],
  touched: Set<string>,
  caseStart: number,
): Promise<void> {
  if (e.exchange === undefined) throw new StepFailure("expect_intercepted needs an exchange");
  const id = exchangeId(e.exchange.method, e.exchange.key);
  touched.add(id);
  const event = await access.log.next(id, e.timeoutMs || ctx.timeoutMs, skipped(e, caseStart));
  if (event === undefined) throw new StepFailure(`nothing intercepted on ${id} within ${e.timeoutMs || ctx.timeoutMs} ms`);
  const direction = sideOf(e.direction);
  const shown = showIntercepted(ctx, event);
  trace.push(`${event.direction === "to-user-function" ? "proxy → uf" : "uf → proxy"} ${id} ${shown}`);
  if (e.end !== "") {
    if (event.kind !== "end") throw new StepFailure(`expected ${id} to end (${e.end}), intercepted ${event.direction} ${shown}`);
    const matches = e.end === "ANY" || (e.end === "ERROR" ? event.code !== status.OK : status[event.code] === e.end);
    if (!matches || (e.direction !== tckCases.Direction.DIRECTION_UNSPECIFIED && event.direction !== direction)) {
      throw new StepFailure(`expected ${id} to be ended ${e.direction === tckCases.Direction.DIRECTION_UNSPECIFIED ? "" : `towards ${direction} `}with ${e.end}, it was ended towards ${event.direction} with ${status[event.code]} ${event.details}`);
    }
    return;
  }
  if (event.kind !== "message") throw new StepFailure(`expected a message ${direction} on ${id}, the call ended: ${shown}`);
  if (event.direction !== direction) throw new StepFailure(`expected a message ${direction} on ${id}, intercepted one ${event.direction}: ${shown}`);
  const { input, output } = resolveMethod(e.exchange.method, ctx.json);
  const desc = direction === "to-user-function" ? input : output;
  const actual = ctx.json.decode(desc, event.bytes);
  const expected = ctx.json.canonical(desc, e.message as JsonValue);
  const loose = [...Object.keys(e.contains), ...e.present];
  const differences = [...compareJson(expected, actual, { ignore: [...e.ignore, ...loose], unordered: e.unordered }), ...looseDifferences(actual, e.contains, e.present)];
  if (differences.length > 0) throw new StepFailure(`${desc.typeName} intercepted on ${id} differs from the expected message`, renderDiff(expected, actual, differences));
}
