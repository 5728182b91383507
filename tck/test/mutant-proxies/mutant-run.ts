// Runs proxy-mode cases against a proxy (the reference one or a mutant copy)
// the way certification does: the proxy and reference user function of
// tck.proxy.yaml, in its main run or in one of its runtime configurations.
import { fileURLToPath } from "node:url";
import type { LoadedCase } from "../../src/cases/case-loader.js";
import { loadTckConfig, type RuntimeConfiguration, type TckConfig, type UserFunctionConfig } from "../../src/config/tck-config.js";
import { injectsFaults } from "../../src/proxy-mode/proxy-certification.js";
import { withProxyArgs } from "../../src/proxy-mode/proxy-process.js";
import { runProxyCases } from "../../src/proxy-mode/proxy-run.js";
import { silentLogger } from "../../src/report/tck-logger.js";
import type { CaseResult } from "../../src/runner/results.js";

/** The TCK's reference proxy-mode configuration. */
export const PROXY_CONFIG_FILE = fileURLToPath(new URL("../../tck.proxy.yaml", import.meta.url));

/**
 * Added to the proxy's arguments: a mutant may leave calls hanging, and the
 * proxy would wait for them on shutdown (10 s by default). It changes nothing
 * a case can see.
 */
const EXTRA_PROXY_ARGS = ["--shutdown-grace-ms", "500"];

let loaded: TckConfig | undefined;

/** tck.proxy.yaml, read once. */
export function proxyConfig(): TckConfig {
  loaded ??= loadTckConfig(PROXY_CONFIG_FILE);
  return loaded;
}

/** The named runtime configuration of tck.proxy.yaml; undefined for the main run. */
export function runtimeConfiguration(name: string | undefined): RuntimeConfiguration | undefined {
  if (name === undefined) return undefined;
  const rc = proxyConfig().runtimeConfigurations?.find((r) => r.name === name);
  if (rc === undefined) throw new Error(`${PROXY_CONFIG_FILE} has no runtime configuration ${name}`);
  return rc;
}

/** The cases a run can use: as in certification, a configuration without intercepted checks leaves out the fault cases. */
export function runnableIn(configuration: string | undefined, cases: readonly LoadedCase[]): LoadedCase[] {
  const rc = runtimeConfiguration(configuration);
  return rc === undefined || rc.checkIntercepted ? [...cases] : cases.filter((c) => !injectsFaults(c));
}

/**
 * Runs `cases` against the proxy whose package directory is `proxyDir` (it
 * runs tck.proxy.yaml's proxy command there), in the main run or in the named
 * runtime configuration.
 */
export async function runCasesAgainst(proxyDir: string, cases: readonly LoadedCase[], configuration?: string): Promise<CaseResult[]> {
  const config = proxyConfig();
  if (config.proxy?.kind !== "command") throw new Error(`${PROXY_CONFIG_FILE} must start the proxy by command`);
  const rc = runtimeConfiguration(configuration);
  const proxy = withProxyArgs({ ...config.proxy, cwd: proxyDir }, [...(rc?.proxyArgs ?? []), ...EXTRA_PROXY_ARGS], rc?.proxyEnv ?? {});
  const ufEnv = rc?.userFunctionEnv ?? {};
  const userFunction: UserFunctionConfig =
    config.userFunction.kind === "address" ? config.userFunction : { ...config.userFunction, env: { ...config.userFunction.env, ...ufEnv } };
  const run = await runProxyCases({
    userFunction,
    proxy,
    cases: runnableIn(configuration, cases),
    checkIntercepted: rc?.checkIntercepted ?? true,
    logger: silentLogger,
  });
  return run.results;
}
