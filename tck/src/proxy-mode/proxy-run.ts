import type { JsonValue } from "@bufbuild/protobuf";
import { cloudstate, grpcHealth, tckCases } from "@cloudstate/protocol";
import { Client, credentials, Metadata } from "@grpc/grpc-js";
import type { LoadedCase } from "../cases/case-loader.js";
import type { CommandUserFunction, UserFunctionConfig } from "../config/tck-config.js";
import { MessageJson } from "../protocol/message-json.js";
import { payloadRegistry } from "../protocol/payload-registry.js";
import type { TckLogger } from "../report/tck-logger.js";
import { runCase } from "../runner/case-runner.js";
import { patternToRegExp } from "../runner/pattern.js";
import type { CaseResult } from "../runner/results.js";
import { tckProxyInfo } from "../user-function/discovery.js";
import { findFreePort } from "../user-function/command-user-function.js";
import type { RunningUserFunction } from "../user-function/running-user-function.js";
import { startAndDiscover, startUserFunction } from "../user-function/user-function.js";
import { Interceptor } from "./interceptor.js";

/** The proxy under test: started by command (with the interceptor's address in its environment) or already running. */
export type ProxyUnderTest =
  | { readonly kind: "command"; readonly command: readonly string[] | string; readonly cwd: string; readonly env: Readonly<Record<string, string>>; readonly startupTimeoutMs: number }
  | { readonly kind: "address"; readonly address: string; readonly startupTimeoutMs: number };

export interface ProxyRunOptions {
  /** The reference user function, started by command so that faults can kill and restart it. */
  readonly userFunction: UserFunctionConfig;
  readonly proxy: ProxyUnderTest;
  /** Where the interceptor listens; for an already-running proxy, the address it was configured with. */
  readonly interceptorPort?: number;
  readonly cases: readonly LoadedCase[];
  readonly run?: string;
  readonly trace?: boolean;
  readonly timeoutMs?: number;
  readonly logger: TckLogger;
  readonly onResult?: (result: CaseResult) => void;
}

export interface ProxyRun {
  readonly results: CaseResult[];
  /** What the proxy says it is, from the ProxyInfo it sent at discovery. */
  readonly target: string;
  /** The proxy's output, for failure reports. */
  readonly proxyOutput: string;
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
  const ufPort = await findFreePort(HOST);
  const ufConfig: UserFunctionConfig =
    options.userFunction.kind === "command" ? { ...options.userFunction, host: HOST, port: ufPort } : options.userFunction;
  let userFunction: RunningUserFunction = (await startAndDiscover(ufConfig, logger)).userFunction;
  const interceptor = new Interceptor(userFunction.address, () => void userFunction.kill());
  const interceptorPort = await interceptor.start(HOST, options.interceptorPort ?? 0);
  let proxy: RunningUserFunction | undefined;
  try {
    const proxyPort = options.proxy.kind === "command" ? await findFreePort(HOST) : 0;
    proxy = await startProxy(options.proxy, interceptorPort, proxyPort, logger);
    const proxyAddress = options.proxy.kind === "command" ? `${HOST}:${proxyPort}` : options.proxy.address;
    await waitForProxy(proxyAddress, options.proxy.startupTimeoutMs, proxy.exited);
    const target = proxyIdentity(interceptor);
    const json = new MessageJson(payloadRegistry());
    const client = new Client(proxyAddress, credentials.createInsecure());
    const filter = options.run === undefined ? undefined : patternToRegExp(options.run);
    const results: CaseResult[] = [];
    const intercepted = {
      log: interceptor.log,
      arm: (fault: Parameters<Interceptor["arm"]>[0]) => interceptor.arm(fault),
      restartUserFunction: async () => {
        await userFunction.stop();
        userFunction = (await startAndDiscover(ufConfig, logger)).userFunction;
        interceptor.reconnect();
      },
    };
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
        });
        results.push(result);
        options.onResult?.(result);
      }
    } finally {
      client.close();
    }
    return { results, target, proxyOutput: proxy.output() };
  } finally {
    await proxy?.stop();
    await interceptor.stop();
    await userFunction.stop();
  }
}

/** Starts the proxy by command: its environment points it at the interceptor, and `${VAR}`s in its command are replaced. */
async function startProxy(proxy: ProxyUnderTest, interceptorPort: number, proxyPort: number, logger: TckLogger): Promise<RunningUserFunction> {
  if (proxy.kind === "address") return startUserFunction({ kind: "address", address: proxy.address, startupTimeoutMs: proxy.startupTimeoutMs }, logger);
  const vars: Record<string, string> = {
    USER_FUNCTION_HOST: HOST,
    USER_FUNCTION_PORT: String(interceptorPort),
    INTERCEPTOR_HOST: HOST,
    INTERCEPTOR_PORT: String(interceptorPort),
    HTTP_PORT: String(proxyPort),
    PROXY_PORT: String(proxyPort),
  };
  const substitute = (text: string) => text.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => vars[name] ?? whole);
  const command = typeof proxy.command === "string" ? substitute(proxy.command) : proxy.command.map(substitute);
  const config: CommandUserFunction = {
    kind: "command",
    command,
    cwd: proxy.cwd,
    env: { ...vars, ...proxy.env },
    host: HOST,
    port: proxyPort,
    startupTimeoutMs: proxy.startupTimeoutMs,
  };
  logger.info(`starting the proxy under test, pointed at the interceptor on ${HOST}:${interceptorPort}`);
  return startUserFunction(config, logger);
}

/** Waits until the proxy answers the gRPC health check (it serves only after discovery). */
async function waitForProxy(address: string, timeoutMs: number, exited: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited.aborted) throw new Error(`the proxy exited before serving: ${String(exited.reason)}`);
    const client = new grpcHealth.HealthClient(address, credentials.createInsecure());
    const serving = await new Promise<boolean>((resolve) =>
      client.check({ service: "" }, new Metadata(), { deadline: Date.now() + 1000 }, (error, response) =>
        resolve(error === null && response.status === grpcHealth.HealthCheckResponse_ServingStatus.SERVING),
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
