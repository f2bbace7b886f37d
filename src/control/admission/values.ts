// Type guards over decoded manifests. The parser only produces plain objects, arrays,
// strings, finite numbers, booleans and null, so these are all the shapes there are.

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Absent and `null` are the same to Kubernetes (and `null` deletes in a merge patch). */
export function isUnset(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** Renders a tenant value inside a message, short and on one line. */
export function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
