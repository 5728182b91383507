// Public API of @cloudstate/proxy.
export { CloudstateProxy, PROXY_NAME, PROXY_VERSION } from "./proxy.js";
export { parseProxyConfig, proxyConfigHelp, PROXY_SETTINGS, ProxyConfigError, type ProxyConfig, type SettingInfo } from "./config/index.js";
export { validateSpec, SpecError, versionProblem } from "./discovery/spec-validation.js";
export type { UserSpec, ServiceSpec, MethodSpec, CallShape } from "./discovery/user-spec.js";
export * from "./store/index.js";
export * from "./crdt/index.js";
export { createLogger, type Logger, type LogLevel } from "./logging/index.js";
export { ProxyMetrics, HealthStatus } from "./ops/index.js";
