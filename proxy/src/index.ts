// Public API of @cloudstate/proxy.
export { CloudstateProxy, PROXY_NAME, PROXY_VERSION } from "./proxy.js";
export { parseProxyConfig, proxyConfigHelp, PROXY_SETTINGS, ProxyConfigError, type ProxyConfig, type SettingInfo } from "./config/index.js";
export { validateSpec, SpecError, versionProblem } from "./discovery/spec-validation.js";
export type { UserSpec, ServiceSpec, MethodSpec, CallShape, ConsumerGroupSpec } from "./discovery/user-spec.js";
export type { CloudEventAttributes, EventBroker, EventDestination, EventSource, PublishedMessage, SourcedEvent, Subscription } from "./eventing/event-source.js";
export * from "./store/index.js";
export * from "./crdt/index.js";
export { createLogger, type Logger, type LogLevel } from "./logging/index.js";
export { ProxyMetrics, HealthStatus } from "./ops/index.js";
