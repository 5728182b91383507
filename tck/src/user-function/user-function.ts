import type { cloudstate } from "@cloudstate/protocol";
import type { UserFunctionConfig } from "../config/tck-config.js";
import { errorMessage } from "../report/error-message.js";
import type { TckLogger } from "../report/tck-logger.js";
import { startCommandUserFunction } from "./command-user-function.js";
import { waitForDiscovery } from "./discovery.js";
import { startImageUserFunction } from "./image-user-function.js";
import { formatOutputTail } from "./output-tail.js";
import { type RunningUserFunction, type StartOptions, UserFunctionExitedError, UserFunctionStartError } from "./running-user-function.js";

export type { RunningUserFunction, StartOptions } from "./running-user-function.js";

/**
 * Starts the user function the config describes: a child process (command), a
 * container (image), or nothing (address). It is not ready yet; see
 * waitForDiscovery and startAndDiscover.
 */
export function startUserFunction(config: UserFunctionConfig, logger: TckLogger, options: StartOptions = {}): Promise<RunningUserFunction> {
  switch (config.kind) {
    case "command":
      return startCommandUserFunction(config, logger, options);
    case "image":
      return startImageUserFunction(config, logger, options);
    case "address":
      logger.info(`testing the user function at ${config.address} (not started by the TCK)`);
      return Promise.resolve({
        address: config.address,
        exited: new AbortController().signal,
        output: () => "",
        stop: () => Promise.resolve(),
        kill: () => Promise.reject(new Error("the TCK cannot kill a user function it did not start")),
      });
  }
}

/** A started user function that answered discovery. */
export interface DiscoveredUserFunction {
  readonly userFunction: RunningUserFunction;
  readonly spec: cloudstate.EntitySpec;
}

/**
 * Starts the user function and waits until it answers discovery. On failure
 * (it exited, never answered in time, or answered with an error) it is
 * stopped, and the UserFunctionStartError thrown carries its output.
 */
export async function startAndDiscover(
  config: UserFunctionConfig,
  logger: TckLogger,
  options: StartOptions = {},
  /** Told as soon as it runs, before discovery: so an interrupted TCK can still stop it. */
  onStarted?: (userFunction: RunningUserFunction) => void,
): Promise<DiscoveredUserFunction> {
  const userFunction = await startUserFunction(config, logger, options);
  onStarted?.(userFunction);
  try {
    const spec = await waitForDiscovery(userFunction.address, config.startupTimeoutMs, userFunction.exited);
    return { userFunction, spec };
  } catch (error) {
    const message =
      error instanceof UserFunctionExitedError ? `${error.message} before answering discovery at ${userFunction.address}` : errorMessage(error);
    const output = config.kind === "address" ? undefined : userFunction.output();
    await userFunction.stop();
    throw new UserFunctionStartError(output === undefined ? message : `${message}\n${formatOutputTail(output)}`);
  }
}
