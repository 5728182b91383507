// Operations: gRPC health and reflection, Prometheus metrics and the HTTP endpoint serving them.
export { HealthStatus, healthService, OVERALL, ServingStatus } from "./health-service.js";
export type { ServiceRegistration } from "./health-service.js";
export {
  HEALTH_SERVICE_NAME,
  REFLECTION_ALPHA_SERVICE_NAME,
  REFLECTION_SERVICE_NAME,
  ReflectionIndex,
  reflectionService,
  reflectionServiceAlpha,
} from "./reflection-service.js";
export type { ReflectionOptions } from "./reflection-service.js";
export {
  FAILURE_KINDS,
  LATENCY_BUCKETS,
  ProxyMetrics,
  REPLAY_BUCKETS,
  secondsSince,
  ServiceMetrics,
} from "./metrics.js";
export type { FailureKind, ProxyMetricsOptions } from "./metrics.js";
export { startMetricsServer } from "./metrics-server.js";
export type { MetricsServer, MetricsServerOptions } from "./metrics-server.js";
