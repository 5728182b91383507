import { tckCases } from "@cloudstate/protocol";
import type { LoadedCase } from "../cases/case-loader.js";
import type { RuntimeConfiguration, TckConfig, UserFunctionConfig } from "../config/tck-config.js";
import type { TckLogger } from "../report/tck-logger.js";
import { patternToRegExp } from "../runner/pattern.js";
import type { CaseResult } from "../runner/results.js";
import { type ProxyUnderTest, withProxyArgs } from "./proxy-process.js";
import { runProxyCases } from "./proxy-run.js";
import { RECORDING_FORMAT, type RecordedCase, type TraceRecording } from "./trace-recording.js";

export interface ProxyCertificationOptions {
  /** A proxy-mode config (its `proxy` is set). */
  readonly config: TckConfig;
  readonly cases: readonly LoadedCase[];
  /** Only cases whose full names (`<configuration>:<case>` in runtime configurations) match. */
  readonly run?: string;
  readonly trace?: boolean;
  readonly record?: boolean;
  readonly timeoutMs?: number;
  readonly logger: TckLogger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A run's proxy serves: `configuration` is undefined for the main run. */
  readonly onReady?: (target: string, configuration: RuntimeConfiguration | undefined) => void;
  /** Each case's result, named as reported. */
  readonly onResult?: (result: CaseResult) => void;
  /** The clean-up of what is running now, for interrupts. */
  readonly onStarted?: (stop: () => Promise<void>) => void;
}

/** A proxy's output from one run, with the run it came from. */
export interface ProxyOutput {
  /** "proxy", or "proxy (<configuration>)". */
  readonly what: string;
  readonly text: string;
  /** Whether a case of that run failed. */
  readonly failed: boolean;
}

export interface ProxyCertification {
  /** What the proxy says it is (from the first run that started). */
  readonly target: string;
  readonly results: CaseResult[];
  readonly outputs: ProxyOutput[];
  /** Things worth telling that do not fail the run (e.g. the proxy stopped during a run). */
  readonly warnings: string[];
  /** With `record`: every run's exchanges, cases named as in the results. */
  readonly recording?: TraceRecording;
}

/**
 * Runs the proxy-mode cases against the proxy under test, then again for
 * each runtime configuration against a fresh proxy and user function with
 * that configuration's settings, naming those results `<name>:<case name>`.
 * A run whose cases all filter out is not started.
 */
export async function certifyProxy(options: ProxyCertificationOptions): Promise<ProxyCertification> {
  const { config } = options;
  if (config.proxy === undefined) throw new Error("proxy mode needs a proxy: section");
  const proxyCases = options.cases.filter((c) => c.case.mode === tckCases.Mode.MODE_PROXY);
  const filter = options.run === undefined ? undefined : patternToRegExp(options.run);
  const runs: { configuration?: RuntimeConfiguration; cases: LoadedCase[]; proxy: ProxyUnderTest; userFunction: UserFunctionConfig }[] = [
    { cases: proxyCases.filter((c) => filter === undefined || filter.test(c.case.name)), proxy: config.proxy, userFunction: config.userFunction },
  ];
  const warnings: string[] = [];
  for (const rc of config.runtimeConfigurations ?? []) {
    const matching = proxyCases.filter((c) => selects(rc, c.case.name) && (filter === undefined || filter.test(`${rc.name}:${c.case.name}`)));
    // Without the intercepted checks, a fault armed at a scripted message lands elsewhere: such cases mean nothing there.
    const cases = rc.checkIntercepted ? matching : matching.filter((c) => !injectsFaults(c));
    if (cases.length < matching.length) {
      options.logger.info(`runtime configuration ${rc.name}: ${matching.length - cases.length} matching case(s) inject faults at scripted messages and are left out (checkIntercepted is false)`);
    }
    if (cases.length === 0 && filter === undefined) warnings.push(`runtime configuration ${rc.name} matches no proxy-mode case it can run`);
    runs.push({ configuration: rc, cases, proxy: withProxyArgs(config.proxy, rc.proxyArgs, rc.proxyEnv), userFunction: withEnv(config.userFunction, rc.userFunctionEnv) });
  }

  let target: string | undefined;
  const results: CaseResult[] = [];
  const outputs: ProxyOutput[] = [];
  const recorded: RecordedCase[] = [];
  for (const run of runs) {
    if (run.cases.length === 0) continue;
    const rc = run.configuration;
    const rename = <T extends { name: string }>(x: T): T => (rc === undefined ? x : { ...x, name: `${rc.name}:${x.name}` });
    const outcome = await runProxyCases({
      userFunction: run.userFunction,
      proxy: run.proxy,
      ...(config.interceptor === undefined ? {} : { interceptorPort: config.interceptor.port }),
      ...(config.interceptor?.host === undefined ? {} : { interceptorHost: config.interceptor.host }),
      cases: run.cases,
      checkIntercepted: rc?.checkIntercepted ?? true,
      trace: options.trace ?? false,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      logger: options.logger,
      record: options.record ?? false,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.onStarted === undefined ? {} : { onStarted: options.onStarted }),
      onReady: (t) => {
        target ??= t;
        options.onReady?.(t, rc);
      },
      onResult: (result) => {
        const named = rc === undefined ? result : { ...rename(result), area: `${rc.name}:${result.area}` };
        results.push(named);
        options.onResult?.(named);
      },
    });
    const what = rc === undefined ? "proxy" : `proxy (${rc.name})`;
    outputs.push({ what, text: outcome.proxyOutput, failed: outcome.results.some((r) => r.status === "failed") });
    if (outcome.proxyExited !== undefined) warnings.push(`the ${what} stopped during the run: ${outcome.proxyExited}`);
    if (outcome.recording !== undefined) recorded.push(...outcome.recording.cases.map(rename));
  }
  return {
    target: target ?? "no proxy started",
    results,
    outputs,
    warnings,
    ...(options.record ? { recording: { format: RECORDING_FORMAT, target: target ?? "", recordedAt: new Date().toISOString(), cases: recorded } } : {}),
  };
}

/** Whether a runtime configuration runs a case: it matches one of `cases` (or there are none) and none of `excludeCases`. */
export function selects(rc: RuntimeConfiguration, name: string): boolean {
  const any = (patterns: readonly string[]) => patterns.some((p) => patternToRegExp(p).test(name));
  return (rc.cases.length === 0 || any(rc.cases)) && !any(rc.excludeCases);
}

/** Whether a case injects faults or restarts the user function: it relies on the exact exchange it scripts. */
export function injectsFaults(loaded: LoadedCase): boolean {
  return loaded.case.steps.some((s) => s.step?.$case === "injectFault" || s.step?.$case === "restartUserFunction");
}

function withEnv(userFunction: UserFunctionConfig, env: Readonly<Record<string, string>>): UserFunctionConfig {
  if (Object.keys(env).length === 0 || userFunction.kind === "address") return userFunction;
  return { ...userFunction, env: { ...userFunction.env, ...env } };
}
