// Public API of @cloudstate/tck: what the `cloudstate-tck` command is built
// from, for tools that embed the TCK.

// Configuration and known failures
export {
  addressProblem,
  DEFAULT_HOST,
  DEFAULT_IMAGE_PORT,
  DEFAULT_STARTUP_TIMEOUT_MS,
  loadTckConfig,
  parseTckConfig,
  TckConfigError,
  type AddressProxy,
  type AddressUserFunction,
  type CommandProxy,
  type CommandUserFunction,
  type ImageProxy,
  type ImageUserFunction,
  type InterceptorConfig,
  type ProxyConfig,
  type RuntimeConfiguration,
  type TckConfig,
  type TckMode,
  type UserFunctionConfig,
} from "./config/tck-config.js";
export { parseCliArgs, resolveCompareConfig, resolveTckConfig, USAGE, UsageError, type CliOptions } from "./config/cli-options.js";
export {
  applyKnownFailure,
  applyKnownFailures,
  KnownFailuresError,
  loadKnownFailures,
  matchesKnownFailure,
  parseKnownFailures,
  type KnownFailure,
  type KnownFailuresOutcome,
} from "./config/known-failures.js";

// The user function under test
export { startAndDiscover, startUserFunction, type DiscoveredUserFunction } from "./user-function/user-function.js";
export {
  UserFunctionExitedError,
  UserFunctionStartError,
  type RunningUserFunction,
  type StartOptions,
} from "./user-function/running-user-function.js";
export {
  DiscoveryFailedError,
  DiscoveryTimeoutError,
  TCK_PROXY_NAME,
  tckProxyInfo,
  tckVersion,
  waitForDiscovery,
} from "./user-function/discovery.js";
export { composeFile } from "./user-function/image-user-function.js";
export { findFreePort } from "./user-function/command-user-function.js";

// Reports
export { ConsoleReporter, failureBlock, progressLine, summaryLine, type ProcessOutput } from "./report/console-reporter.js";
export { EXIT_ERROR, EXIT_FAILED, EXIT_PASSED, finishRun, type FinishedRun } from "./report/finish-run.js";
export { toJsonReport, writeJsonReport, type JsonCaseReport, type JsonReport } from "./report/json-report.js";
export { renderJunitReport, writeJunitReport } from "./report/junit-report.js";
export { silentLogger, streamLogger, type TckLogger } from "./report/tck-logger.js";

// The core: cases and the SDK-mode runner
export { CaseFileError, loadCaseFile, loadCases, type LoadedCase } from "./cases/case-loader.js";
export { describeTarget, runSdkCases, type SdkRunOptions } from "./runner/sdk-runner.js";
export {
  isSuccessful,
  summarize,
  type CaseFailure,
  type CaseResult,
  type CaseStatus,
  type RunReport,
  type RunSummary,
} from "./runner/results.js";

// Proxy mode: the interceptor, the runs, recordings and the differential comparison
export { ExchangeLog, exchangeId, type Intercepted, type Side } from "./proxy-mode/exchange-log.js";
export { Interceptor, type FaultSpec } from "./proxy-mode/interceptor.js";
export { runProxyCases, type ProxyRun, type ProxyRunOptions, type ProxyUnderTest } from "./proxy-mode/proxy-run.js";
export {
  DOCKER_HOST_ALIAS,
  proxyComposeFile,
  proxyVariables,
  substituteVariables,
  withProxyArgs,
  type ImageProxyUnderTest,
  type ProxyWiring,
} from "./proxy-mode/proxy-process.js";
export {
  certifyProxy,
  injectsFaults,
  selects,
  type ProxyCertification,
  type ProxyCertificationOptions,
  type ProxyOutput,
} from "./proxy-mode/proxy-certification.js";
export {
  loadRecording,
  RECORDING_FORMAT,
  RecordingError,
  STARTUP_CASE,
  writeRecording,
  type RecordedCase,
  type RecordedEvent,
  type RecordedExchange,
  type TraceRecording,
} from "./proxy-mode/trace-recording.js";
export { ExchangeRecorder } from "./proxy-mode/trace-recorder.js";
export { AFTER_CANCEL, DROPPED_METADATA, normalizeExchange, type NormalizedStream } from "./proxy-mode/trace-normalizer.js";
export {
  compareRecordings,
  comparisonLine,
  comparisonSummary,
  hasDifferences,
  renderDifferences,
  type CaseComparison,
  type ExchangeDifference,
  type RecordingComparison,
} from "./proxy-mode/trace-diff.js";
