import { ANNOTATION_REQUEST_ID, FIELD_MANAGER } from "./labels.ts";

// The request-id annotation: every tenant write carries the on-chain id of the request that
// made it, so reconciliation can tell which requests reached the cluster.

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A copy of `body` (an object to apply or a merge patch) whose metadata.annotations carry
 * `requestId`. A value the tenant put under our key is overwritten: the id is ours to state.
 */
export function withRequestId<T extends JsonObject>(body: T, requestId: bigint): T {
  const metadata = isObject(body.metadata) ? body.metadata : {};
  const annotations = isObject(metadata.annotations) ? metadata.annotations : {};
  return {
    ...body,
    metadata: {
      ...metadata,
      annotations: { ...annotations, [ANNOTATION_REQUEST_ID]: requestId.toString() },
    },
  };
}

/** The request id an object's annotation names, if it is a well-formed decimal id. */
export function requestIdOf(object: unknown): bigint | undefined {
  if (!isObject(object) || !isObject(object.metadata)) return undefined;
  const annotations = object.metadata.annotations;
  if (!isObject(annotations)) return undefined;
  const value = annotations[ANNOTATION_REQUEST_ID];
  if (typeof value !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(value)) return undefined;
  return BigInt(value);
}

/**
 * True when our field manager owns the request-id annotation (server-side apply's
 * managedFields). Controllers copy pod-template annotations onto pods they create, so an
 * annotation alone could be a tenant's forgery; ownership by `FIELD_MANAGER` means our
 * executor wrote it.
 */
export function requestIdWrittenByUs(object: unknown): boolean {
  if (!isObject(object) || !isObject(object.metadata)) return false;
  const entries = object.metadata.managedFields;
  if (!Array.isArray(entries)) return false;
  return entries.some((entry) => {
    if (!isObject(entry) || entry.manager !== FIELD_MANAGER) return false;
    const fields = entry.fieldsV1;
    if (!isObject(fields) || !isObject(fields["f:metadata"])) return false;
    const annotations = fields["f:metadata"]["f:annotations"];
    return isObject(annotations) && `f:${ANNOTATION_REQUEST_ID}` in annotations;
  });
}
