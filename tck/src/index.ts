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
  type AddressUserFunction,
  type CommandUserFunction,
  type ImageUserFunction,
  type TckConfig,
  type TckMode,
  type UserFunctionConfig,
} from "./config/tck-config.js";
export { parseCliArgs, resolveTckConfig, USAGE, UsageError, type CliOptions } from "./config/cli-options.js";
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
export { ConsoleReporter, failureBlock, progressLine, summaryLine } from "./report/console-reporter.js";
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
