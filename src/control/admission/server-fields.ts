// Objects the API server wrote come back with fields only it sets. kubectl replace and
// edit, Helm, and a patch's dry-run result all send or hold whole objects read from the
// server; admission's metadata policy (only name, namespace, labels, annotations) would
// refuse every one of them. This file takes those fields out before the policy looks, and
// says which of them the write puts back.
import { ANNOTATION_REQUEST_ID, LABEL_CLUSTER } from "../../k8s/index.ts";
import { LABEL_WORKER_ACTIVE } from "../workers/node-labels.ts";
import { findPodTemplate } from "./pod-templates.ts";
import { isMapping, type Mapping } from "./values.ts";

/** Set by the API server; a request may carry them but never chooses them. */
const SERVER_METADATA = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
] as const;

export interface ServerFieldsRemoved {
  /** The object without status, server-set metadata and the control plane's own marks. */
  object: Mapping;
  /** `metadata.resourceVersion` as it was (an update is conditioned on it). */
  resourceVersion: unknown;
  /** `metadata.finalizers` / `ownerReferences` as they were (policy refuses tenants'). */
  finalizers: unknown;
  ownerReferences: unknown;
}

/**
 * Removes `status`; the server-set metadata; `finalizers` and `ownerReferences` (returned
 * apart: a resolved patch may keep, never change, the live object's); the request-id
 * annotation (the executor stamps every write with its own request id); `creationTimestamp:
 * null` in nested templates (the API server prints it there); and worker placement's
 * node-selector keys (placement sets them again after admission). What remains is what a
 * tenant's manifest may say, checked by the same policy as one.
 */
export function withoutServerFields(input: Mapping): ServerFieldsRemoved {
  const { status: _status, metadata: rawMetadata, ...body } = structuredClone(input);
  const metadata: Mapping = isMapping(rawMetadata) ? { ...rawMetadata } : {};
  const { resourceVersion, finalizers, ownerReferences } = metadata;
  for (const field of [...SERVER_METADATA, "finalizers", "ownerReferences"]) delete metadata[field];
  if (isMapping(metadata.annotations)) {
    const { [ANNOTATION_REQUEST_ID]: _ours, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  dropNullTimestamps(body);
  const object: Mapping = isMapping(rawMetadata) ? { ...body, metadata } : body;
  if (typeof object.kind === "string") {
    const found = findPodTemplate(object.kind, object, "absent");
    if (found.ok && found.value && isMapping(found.value.spec.nodeSelector)) {
      const {
        [LABEL_WORKER_ACTIVE]: _active,
        [LABEL_CLUSTER]: _cluster,
        ...selector
      } = found.value.spec.nodeSelector;
      if (Object.keys(selector).length === 0) delete found.value.spec.nodeSelector;
      else found.value.spec.nodeSelector = selector;
    }
  }
  return { object, resourceVersion, finalizers, ownerReferences };
}

function dropNullTimestamps(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) dropNullTimestamps(item);
    return;
  }
  if (!isMapping(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === "metadata" && isMapping(child) && child.creationTimestamp === null) {
      delete child.creationTimestamp;
    }
    dropNullTimestamps(child);
  }
}
