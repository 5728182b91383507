#!/usr/bin/env node
// cloudstate-proxy: runs the reference proxy in front of a user function.
import { isHelpRequested, parseProxyConfig, ProxyConfigError, proxyConfigHelp } from "./config/proxy-config.js";
import { createLogger } from "./logging/logger.js";
import { CloudstateProxy } from "./proxy.js";

const argv = process.argv.slice(2);
if (isHelpRequested(argv)) {
  process.stdout.write(proxyConfigHelp());
  process.exit(0);
}
let config;
try {
  config = parseProxyConfig(argv, process.env);
} catch (error) {
  if (!(error instanceof ProxyConfigError)) throw error;
  process.stderr.write(`cloudstate-proxy: ${error.message}\n\n${proxyConfigHelp()}`);
  process.exit(2);
}
const log = createLogger({ level: config.logLevel, fields: { component: "proxy" } });
const abort = new AbortController();
let proxy: CloudstateProxy | undefined;
const stopping = { requested: false };
const stop = (signal: string) => {
  if (stopping.requested) return;
  stopping.requested = true;
  log.info("shutting down", { signal });
  abort.abort();
  void (proxy ? proxy.shutdown() : Promise.resolve()).then(() => process.exit(0));
};
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
try {
  proxy = await CloudstateProxy.start(config, { logger: log, signal: abort.signal });
  // A signal during start-up asked to stop as soon as the proxy is up.
  if (stopping.requested) await proxy.shutdown();
} catch (error) {
  if (!stopping.requested) {
    log.error("the proxy could not start", { error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
}
