import type { JsonValue } from "@bufbuild/protobuf";
import { cloudstate, grpcHealth, tckCases } from "@cloudstate/protocol";
import { Client, credentials, Metadata } from "@grpc/grpc-js";
import type { LoadedCase } from "../cases/case-loader.js";
import type { UserFunctionConfig } from "../config/tck-config.js";
import { MessageJson } from "../protocol/message-json.js";
import { payloadRegistry } from "../protocol/payload-registry.js";
import { errorMessage } from "../report/error-message.js";
import type { TckLogger } from "../report/tck-logger.js";
import { runCase } from "../runner/case-runner.js";
import { patternToRegExp } from "../runner/pattern.js";
import type { CaseResult } from "../runner/results.js";
import { findFreePort } from "../user-function/command-user-function.js";
import { tckProxyInfo } from "../user-function/discovery.js";
import { formatOutputTail } from "../user-function/output-tail.js";
import { type RunningUserFunction, type StartOptions, UserFunctionExitedError } from "../user-function/running-user-function.js";
import { startAndDiscover } from "../user-function/user-function.js";
import { type FaultSpec, Interceptor } from "./interceptor.js";
import { DOCKER_HOST_ALIAS, proxyAddress, proxyHttpAddress, type ProxyUnderTest, startProxy } from "./proxy-process.js";
import { ExchangeRecorder } from "./trace-recorder.js";
import type { TraceRecording } from "./trace-recording.js";

export type { ProxyUnderTest } from "./proxy-process.js";

export interface ProxyRunOptions {
  /** The reference user function; started by command so that faults can kill and restart it. */
  readonly userFunction: UserFunctionConfig;
  readonly proxy: ProxyUnderTest;
  /** Where the interceptor listens; for an already-running proxy, the address it was configured with. */
  readonly interceptorPort?: number;
  /** Default 127.0.0.1, or 0.0.0.0 for a proxy image (the container reaches the host through the docker bridge). */
  readonly interceptorHost?: string;
  readonly cases: readonly LoadedCase[];
  readonly run?: string;
  readonly trace?: boolean;
  readonly timeoutMs?: number;
  readonly logger: TckLogger;
  readonly onResult?: (result: CaseResult) => void;
  /** Called once the proxy serves, with what it says it is (see ProxyRun.target), before the first case. */
  readonly onReady?: (target: string) => void;
  /** Called as soon as something is started, with the clean-up to run if the TCK is interrupted. */
  readonly onStarted?: (stop: () => Promise<void>) => void;
  /** False: skip the cases' checks of intercepted messages, checking only what the client gets. Default true. */
  readonly checkIntercepted?: boolean;
  /** Keep every case's intercepted exchanges (ProxyRun.recording). */
  readonly record?: boolean;
  /** Environment the started processes (or docker) inherit; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface ProxyRun {
  readonly results: CaseResult[];
  /** What the proxy says it is, from the ProxyInfo it sent at discovery. */
  readonly target: string;
  /** The proxy's output, for failure reports. */
  readonly proxyOutput: string;
  /** Why the proxy stopped during the run, if it did. */
  readonly proxyExited?: string;
  /** With `record`: the intercepted exchanges of every case. */
  readonly recording?: TraceRecording;
}

const HOST = "127.0.0.1";

/**
 * Certifies a proxy (proxy mode): starts the reference user function, puts
 * the interceptor in front of it, starts the proxy pointed at the
 * interceptor, and runs every proxy-mode case as a client of the proxy,
 * checking both what the client gets and what crosses the interceptor.
 */
export async function runProxyCases(options: ProxyRunOptions): Promise<ProxyRun> {
  const { logger } = options;
  const startOptions: StartOptions = options.env === undefined ? {} : { env: options.env };
  const ufPort = await findFreePort(HOST);
  // A fixed port, so that a restarted user function is where the interceptor looks for it.
  const ufConfig: UserFunctionConfig =
    options.userFunction.kind === "command" ? { ...options.userFunction, host: HOST, port: ufPort } : options.userFunction;
  let userFunction: RunningUserFunction | undefined;
  let interceptor: Interceptor | undefined;
  let proxy: RunningUserFunction | undefined;
  const stopAll = async () => {
    await proxy?.stop();
    await interceptor?.stop();
    await userFunction?.stop();
  };
  options.onStarted?.(stopAll);
  try {
    userFunction = (await startAndDiscover(ufConfig, logger, startOptions)).userFunction;
    // The current process: after a restart, the new one.
    const icpt = new Interceptor(userFunction.address, () => {
      userFunction?.kill().catch((error: unknown) => logger.warn(`could not kill the user function: ${errorMessage(error)}`));
    });
    interceptor = icpt;
    const interceptorHost = options.interceptorHost ?? (options.proxy.kind === "image" ? "0.0.0.0" : HOST);
    const interceptorPort = await icpt.start(interceptorHost, options.interceptorPort ?? 0);
    const proxyPort = options.proxy.kind === "address" ? 0 : (options.proxy.port ?? (await findFreePort(options.proxy.kind === "image" ? options.proxy.host : HOST)));
    const httpJsonPort = options.proxy.kind === "address" ? 0 : await findFreePort(options.proxy.kind === "image" ? options.proxy.host : HOST);
    const seenAs = options.proxy.kind === "image" ? DOCKER_HOST_ALIAS : interceptorHost === "0.0.0.0" ? HOST : interceptorHost;
    proxy = await startProxy(options.proxy, { interceptorHost: seenAs, interceptorPort, proxyPort, httpJsonPort }, logger, startOptions);
    const address = proxyAddress(options.proxy, proxyPort);
    const running = proxy;
    const started = options.proxy.kind !== "address";
    await waitForProxy(address, options.proxy.startupTimeoutMs, running.exited).catch((error: unknown) => {
      throw new Error(started ? `${errorMessage(error)}\n${formatOutputTail(running.output(), "  | ", "proxy")}` : errorMessage(error));
    });
    const target = proxyIdentity(icpt);
    options.onReady?.(target);
    const log = icpt.log;
    const recorder = options.record ? new ExchangeRecorder(log) : undefined;
    const results = await runCases(options, address, proxyHttpAddress(options.proxy, httpJsonPort), {
      log,
      arm: (fault: FaultSpec) => {
        if (fault.fault === "kill") requireCommand(ufConfig, "FAULT_KILL_USER_FUNCTION");
        icpt.arm(fault);
      },
      restartUserFunction: async () => {
        requireCommand(ufConfig, "restart_user_function");
        await userFunction?.stop();
        userFunction = (await startAndDiscover(ufConfig, logger, startOptions)).userFunction;
        icpt.reconnect();
      },
    }, recorder);
    const proxyExited = running.exited.aborted ? errorMessage(running.exited.reason) : undefined;
    return {
      results,
      target,
      proxyOutput: running.output(),
      ...(proxyExited === undefined ? {} : { proxyExited }),
      ...(recorder === undefined ? {} : { recording: recorder.recording(target) }),
    };
  } finally {
    await stopAll();
  }
}

type Intercepted = NonNullable<Parameters<typeof runCase>[1]["intercepted"]>;

async function runCases(options: ProxyRunOptions, address: string, httpAddress: string | undefined, intercepted: Intercepted, recorder: ExchangeRecorder | undefined): Promise<CaseResult[]> {
  const json = new MessageJson(payloadRegistry());
  const client = new Client(address, credentials.createInsecure());
  const filter = options.run === undefined ? undefined : patternToRegExp(options.run);
  const results: CaseResult[] = [];
  try {
    for (const loaded of options.cases) {
      if (loaded.case.mode !== tckCases.Mode.MODE_PROXY || (filter && !filter.test(loaded.case.name))) continue;
      const result = await runCase(loaded, {
        client,
        json,
        trace: options.trace ?? false,
        timeoutMs: options.timeoutMs ?? 5000,
        proxyInfo: cloudstate.ProxyInfo.toJSON(tckProxyInfo()) as JsonValue,
        intercepted,
        ...(httpAddress === undefined ? {} : { httpAddress }),
        checkIntercepted: options.checkIntercepted ?? true,
      });
      recorder?.caseFinished(result);
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    client.close();
  }
  return results;
}

/** Faults that kill or restart the user function need one the TCK runs as a child process. */
function requireCommand(config: UserFunctionConfig, what: string): void {
  if (config.kind === "command") return;
  throw new Error(
    `${what} needs the reference user function started by command (userFunction.command): the TCK kills and restarts it only as its own child process; this config gives userFunction.${config.kind}`,
  );
}

/** Waits until the proxy answers the gRPC health check (it serves only after discovery). */
async function waitForProxy(address: string, timeoutMs: number, exited: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited.aborted) {
      const reason: unknown = exited.reason;
      const exit = reason instanceof UserFunctionExitedError ? reason : undefined;
      const how =
        exit?.code != null ? `exited with code ${exit.code}` : exit?.signal != null ? `was killed by ${exit.signal}` : `stopped (${errorMessage(reason)})`;
      throw new Error(`the proxy under test ${how} before serving at ${address}`);
    }
    const client = new grpcHealth.HealthClient(address, credentials.createInsecure());
    const serving = await new Promise<boolean>((resolve) =>
      client.check({ service: "" }, new Metadata(), { deadline: Date.now() + 1000 }, (error, response) =>
        resolve(!error && response.status === grpcHealth.HealthCheckResponse_ServingStatus.SERVING),
      ),
    );
    client.close();
    if (serving) return;
    if (Date.now() > deadline) throw new Error(`the proxy at ${address} did not serve within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The proxy's name and version, from the ProxyInfo it sent at discovery. */
function proxyIdentity(interceptor: Interceptor): string {
  const event = interceptor.log.all("cloudstate.EntityDiscovery/discover|").find((e) => e.kind === "message" && e.direction === "to-user-function");
  if (event?.kind !== "message") return "unknown proxy";
  const info = cloudstate.ProxyInfo.decode(event.bytes);
  return `${info.proxyName} ${info.proxyVersion} (protocol ${info.protocolMajorVersion}.${info.protocolMinorVersion})`;
}
