// Configuration of the proxy: command-line flags and environment variables.
export { isHelpRequested, parseProxyConfig, PROXY_SETTINGS, ProxyConfigError, proxyConfigHelp } from "./proxy-config.js";
export type { ProxyConfig, SettingInfo } from "./proxy-config.js";
