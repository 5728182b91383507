/** A case-name pattern where `*` matches any characters (slashes included). Without `*`, a pattern matches names that contain it. */
export function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return pattern.includes("*") ? new RegExp(`^${escaped.join(".*")}$`) : new RegExp(escaped.join(""));
}
