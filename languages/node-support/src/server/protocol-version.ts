import { PROTOCOL_MAJOR_VERSION, PROTOCOL_MINOR_VERSION } from "@cloudstate/protocol";

export interface ProtocolVersion {
  readonly major: number;
  readonly minor: number;
}

/** The protocol version this library speaks. */
export const SUPPORTED_VERSION: ProtocolVersion = { major: PROTOCOL_MAJOR_VERSION, minor: PROTOCOL_MINOR_VERSION };

/**
 * Whether a proxy speaking `proxy` can serve a user function speaking `ours`
 * (spec/discovery.md): same major, and the proxy's minor at least ours. A proxy
 * that reports 0.0 did not say; it is given the benefit of the doubt.
 */
export function isCompatible(proxy: ProtocolVersion, ours: ProtocolVersion = SUPPORTED_VERSION): boolean {
  if (proxy.major === 0 && proxy.minor === 0) return true;
  return proxy.major === ours.major && ours.minor <= proxy.minor;
}

export function formatVersion(version: ProtocolVersion): string {
  return `${version.major}.${version.minor}`;
}
