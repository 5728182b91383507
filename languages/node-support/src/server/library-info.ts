import { readFileSync } from "node:fs";

const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { name: string; version: string };

/** Reported to the proxy in ServiceInfo (spec/discovery.md). */
export const LIBRARY_NAME: string = packageJson.name;
export const LIBRARY_VERSION: string = packageJson.version;
