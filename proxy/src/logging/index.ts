// Structured JSON-lines logging of the proxy.
export { createLogger, isLogLevel, LOG_LEVELS, silentLogger } from "./logger.js";
export type { LogDestination, LogFields, Logger, LoggerOptions, LogLevel } from "./logger.js";
