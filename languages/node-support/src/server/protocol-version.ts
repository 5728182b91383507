import { PROTOCOL_MAJOR_VERSION, PROTOCOL_MINOR_VERSION } from "@cloudstate/protocol";

/** A Cloudstate protocol version, as exchanged at discovery (spec/discovery.md §4). */
export interface ProtocolVersion {
  /** Major version: peers with different majors are incompatible (DISC-16). */
  readonly major: number;
  /** Minor version: the proxy's must be at least the user function's (DISC-16). */
  readonly minor: number;
}

/** The protocol version this library speaks. */
export const SUPPORTED_VERSION: ProtocolVersion = { major: PROTOCOL_MAJOR_VERSION, minor: PROTOCOL_MINOR_VERSION };

/**
 * Whether a proxy speaking `proxy` can serve a user function speaking `ours`
 * (spec/discovery.md §4, DISC-16): same major, and the proxy's minor at least
 * ours. The leniency for an unreported 0.0 is the proxy's towards user
 * functions only (DISC-21); a proxy always states its version (DISC-3), so a
 * proxy reporting 0.0 is checked like any other version.
 */
export function isCompatible(proxy: ProtocolVersion, ours: ProtocolVersion = SUPPORTED_VERSION): boolean {
  return proxy.major === ours.major && ours.minor <= proxy.minor;
}

export function formatVersion(version: ProtocolVersion): string {
  return `${version.major}.${version.minor}`;
}
