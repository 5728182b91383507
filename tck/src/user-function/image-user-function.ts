import { stringify } from "yaml";
import type { ImageUserFunction } from "../config/tck-config.js";
import type { TckLogger } from "../report/tck-logger.js";
import { startComposeService } from "./compose-service.js";
import type { RunningUserFunction, StartOptions } from "./running-user-function.js";

/** The compose service name the user function runs as. */
export const COMPOSE_SERVICE = "user-function";

/** The compose file for one user function container. */
export function composeFile(config: ImageUserFunction): string {
  return stringify({
    services: {
      [COMPOSE_SERVICE]: {
        image: config.image,
        // Inside the container it must listen on every interface to be reachable through the published port.
        environment: { ...config.env, HOST: "0.0.0.0", PORT: String(config.port) },
        ports: [`${config.host}:${config.port}:${config.port}`],
      },
    },
  });
}

/** Runs the user function's image with `docker compose` (see startComposeService). */
export function startImageUserFunction(config: ImageUserFunction, logger: TckLogger, options: StartOptions = {}): Promise<RunningUserFunction> {
  return startComposeService(
    { composeYaml: composeFile(config), address: `${config.host}:${config.port}`, description: `image ${config.image}` },
    logger,
    options,
  );
}
