/**
 * The Cloudstate protocol version these contracts and the spec describe
 * (spec/discovery.md). It is independent of the npm package versions.
 */
export const PROTOCOL_MAJOR_VERSION = 0;
export const PROTOCOL_MINOR_VERSION = 2;
