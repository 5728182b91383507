/**
 * The message of anything thrown. Duck-typed rather than `instanceof Error`:
 * errors from Node's own modules come from another realm under jest's VM
 * modules, and a library may throw plain objects.
 */
export function errorMessage(error: unknown): string {
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") return error.message;
  return String(error);
}
