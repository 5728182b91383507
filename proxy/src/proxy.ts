import { readFileSync } from "node:fs";
import { Server, ServerCredentials, status } from "@grpc/grpc-js";
import type { ProxyConfig } from "./config/proxy-config.js";
import { type DiscoveryOptions, discoverUntilServable } from "./discovery/discovery-loop.js";
import type { UserSpec } from "./discovery/user-spec.js";
import { EffectRunner } from "./effects/effect-runner.js";
import { AppendNotifier, AppendNotifyingStore } from "./eventing/append-notifier.js";
import { Eventing } from "./eventing/eventing.js";
import { EventingMetrics } from "./eventing/eventing-metrics.js";
import type { EntityContext, RuntimeMetrics } from "./entity/entity-context.js";
import { addUserServices } from "./frontend/grpc-frontend.js";
import { HttpFrontend } from "./http/http-frontend.js";
import { createLogger, type Logger } from "./logging/logger.js";
import { HealthStatus, healthService, type MetricsServer, OVERALL, ProxyMetrics, ReflectionIndex, reflectionService, reflectionServiceAlpha, ServingStatus, startMetricsServer } from "./ops/index.js";
import { Dispatcher } from "./routing/dispatcher.js";
import { CrdtValues, runtimeFor } from "./routing/runtimes.js";
import { createStore } from "./store/store-factory.js";
import type { Store } from "./store/store.js";
import { gateHandler } from "./userfunction/serving-gate.js";
import { UserFunctionClient } from "./userfunction/user-function-client.js";

const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
export const PROXY_NAME = "cloudstate-proxy-ts";
export const PROXY_VERSION = packageJson.version;

/** Reports runtime events to the Prometheus metrics. */
class MetricsBridge implements RuntimeMetrics {
  constructor(private readonly metrics: ProxyMetrics) {}
  commandCompleted(service: string, entityType: string, seconds: number, code: status): void {
    this.metrics.forService(entityType, service).commandCompleted(code, seconds);
  }
  entityActivated(service: string, entityType: string): void {
    this.metrics.forService(entityType, service).entityActivated();
  }
  entityDeactivated(service: string, entityType: string, passivated: boolean): void {
    const m = this.metrics.forService(entityType, service);
    m.entityDeactivated();
    if (passivated) m.passivation();
  }
  eventsPersisted(service: string, entityType: string, count: number): void {
    this.metrics.forService(entityType, service).eventsPersisted(count);
  }
  replayed(service: string, entityType: string, events: number, seconds: number): void {
    this.metrics.forService(entityType, service).replayCompleted(events, seconds);
  }
  failure(service: string, entityType: string, kind: "user_function" | "protocol_violation" | "store" | "timeout"): void {
    this.metrics.forService(entityType, service).failure(kind);
  }
}

/**
 * The reference proxy: discovers the user function, then serves its services
 * on HTTP_PORT with health and reflection, and over HTTP/JSON and gRPC-web on
 * HTTP_JSON_PORT, until shut down.
 */
export class CloudstateProxy {
  private constructor(
    readonly config: ProxyConfig,
    readonly spec: UserSpec,
    readonly port: number,
    /** The port of the HTTP/JSON and gRPC-web frontend (spec/http.md). */
    readonly httpJsonPort: number,
    private readonly server: Server,
    private readonly http: HttpFrontend,
    private readonly dispatcher: Dispatcher,
    private readonly eventing: Eventing,
    private readonly store: Store,
    private readonly userFunction: UserFunctionClient,
    private readonly health: HealthStatus,
    private readonly metricsServer: MetricsServer | undefined,
    private readonly log: Logger,
    /** Ends a re-discovery in progress at shutdown. */
    private readonly rediscovery: AbortController,
  ) {}

  /** Starts the proxy; resolves once it serves the user function's services. */
  static async start(config: ProxyConfig, options: { logger?: Logger; signal?: AbortSignal } = {}): Promise<CloudstateProxy> {
    const log = options.logger ?? createLogger({ level: config.logLevel, fields: { component: "proxy" } });
    const metrics = new ProxyMetrics();
    const health = new HealthStatus(ServingStatus.NOT_SERVING);
    const metricsServer =
      config.metricsPort === 0 ? undefined : await startMetricsServer({ host: config.bindHost, port: config.metricsPort, metrics, serving: () => health.isServing(OVERALL) });
    const userFunction = new UserFunctionClient(`${config.userFunctionHost}:${config.userFunctionPort}`);
    const store = await createStore(config.store);
    if (config.store.kind === "memory") {
      log.warn("entity state is kept in memory and lost when the proxy stops; use --store postgres to keep it (spec/failover.md FO-11)");
    }
    const discovery: DiscoveryOptions = {
      proxyName: PROXY_NAME,
      proxyVersion: PROXY_VERSION,
      retryMinMs: config.discoveryRetryMinMs,
      retryMaxMs: config.discoveryRetryMaxMs,
      log,
    };
    const spec = await discoverUntilServable(userFunction, { ...discovery, ...(options.signal ? { signal: options.signal } : {}) });

    const dispatcher = new Dispatcher(config.maxForwardDepth);
    const effects = new EffectRunner(spec, dispatcher, log);
    // Subscribers are woken by each append to the journals they consume (spec/eventing.md EVT-9).
    const appends = new AppendNotifier();
    const subscribed = (spec.consumerGroups ?? []).length > 0;
    const ctx: EntityContext = {
      spec,
      userFunction,
      store: subscribed ? new AppendNotifyingStore(store, appends) : store,
      effects,
      log,
      metrics: new MetricsBridge(metrics),
      defaultPassivationTimeoutMs: config.passivationTimeoutMs,
      commandTimeoutMs: config.commandTimeoutMs,
      queueTimeoutMs: config.queueTimeoutMs,
      reportError: (message) => {
        log.warn("reporting an error to the user function", { error: message });
        void userFunction.reportError(message).catch((error: unknown) => log.debug("reportError failed", { error: String(error) }));
      },
    };
    const eventing = new Eventing(spec, {
      store,
      dispatcher,
      appends,
      pollIntervalMs: config.eventingPollMs,
      retry: { minMs: config.eventingRetryMinMs, maxMs: config.eventingRetryMaxMs },
      streamTimeoutMs: config.commandTimeoutMs,
      log,
      metrics: subscribed ? new EventingMetrics(metrics.registry) : undefined,
      reportError: (message) => ctx.reportError(message),
    });
    const crdtValues = new CrdtValues();
    // Every call passes the user function connection state first (spec/failover.md FO-21..FO-23).
    const gate = { connection: userFunction.connection, queueTimeoutMs: config.queueTimeoutMs };
    for (const service of spec.services.values()) dispatcher.register(service.name, gateHandler(runtimeFor(ctx, service, crdtValues), service, gate));

    const server = new Server({ "grpc.max_receive_message_length": 64 * 1024 * 1024 });
    const reportDropped = (method: { readonly path: string }, keys: readonly string[]) =>
      ctx.reportError(`META-12: reply metadata of ${method.path} could not be sent as headers and was dropped: ${keys.join(", ")}`);
    addUserServices(server, spec, dispatcher, reportDropped);
    const index = new ReflectionIndex(spec.descriptorSet, { services: [...spec.services.keys()] });
    for (const ops of [healthService(health), reflectionService(index), reflectionServiceAlpha(index)]) server.addService(ops.definition, ops.implementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${config.bindHost}:${config.httpPort}`, ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    const http = await HttpFrontend.start({ host: config.bindHost, port: config.httpJsonPort, spec, dispatcher, reportDropped, log }).catch((error: unknown) => {
      server.forceShutdown();
      throw error;
    });
    const setHealth = (serving: boolean): void => {
      health.setServing(OVERALL, serving);
      for (const service of spec.services.values()) health.setServing(service.name, serving);
    };
    setHealth(true);
    const rediscovery = new AbortController();
    rediscoverOnLoss(userFunction, { ...discovery, served: spec, signal: rediscovery.signal }, setHealth);
    // Deliveries are calls like a client's: they start once the services are served.
    eventing.start(log);
    log.info("proxy serving", { address: `${config.bindHost}:${port}`, httpJsonAddress: `${config.bindHost}:${http.port}`, store: config.store.kind, services: spec.services.size });
    return new CloudstateProxy(config, spec, port, http.port, server, http, dispatcher, eventing, store, userFunction, health, metricsServer, log, rediscovery);
  }

  /** Graceful shutdown: stop accepting calls, let in-flight ones finish (up to the grace period), passivate, close. */
  async shutdown(): Promise<void> {
    this.rediscovery.abort();
    this.health.shutdown();
    this.health.endWatches();
    const grpc = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, this.config.shutdownGraceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    // Consumers finish the deliveries in flight and store their offsets while the runtimes and the store are up.
    await Promise.all([grpc, this.http.close(this.config.shutdownGraceMs), this.eventing.stop()]);
    await this.dispatcher.close();
    await this.store.close();
    this.userFunction.close();
    await this.metricsServer?.stop();
    this.log.info("proxy stopped");
  }
}


/**
 * Runs discovery again whenever the user function is lost (spec/failover.md FO-21), and keeps the
 * health status in step with the connection state: NOT_SERVING while the proxy refuses the spec it
 * found (FO-22), SERVING again once the served spec is back. While the user function is merely
 * being discovered again, the proxy stays SERVING: calls wait for it (FO-4, FO-15).
 */
function rediscoverOnLoss(client: UserFunctionClient, options: DiscoveryOptions, setHealth: (serving: boolean) => void): void {
  const connection = client.connection;
  let running = false;
  const rediscover = (): void => {
    if (running || options.signal?.aborted === true) return;
    running = true;
    void discoverUntilServable(client, options)
      .catch((error: unknown) => {
        // Ended by shutdown (an abort, or the connection closed).
        if (options.signal?.aborted !== true && connection.state !== "closed") options.log.error("re-discovery failed", { error: String(error) });
      })
      .then(() => {
        running = false;
        // Lost again in the moment the loop ended: discover again.
        if (connection.state === "recovering") rediscover();
      });
  };
  connection.onChange((state, reason) => {
    switch (state) {
      case "recovering":
        options.log.warn("lost the user function; discovering it again before opening new entity streams (spec/failover.md FO-21)", { reason });
        // Not from inside the callback that reported the loss (a grpc-js connectivity watcher, say).
        queueMicrotask(rediscover);
        return;
      case "refused":
        setHealth(false);
        return;
      case "serving":
        setHealth(true);
        return;
      case "starting":
      case "closed":
        return;
    }
  });
  // Lost while the proxy was still binding its ports, before anyone listened.
  if (connection.state === "recovering") queueMicrotask(rediscover);
}
