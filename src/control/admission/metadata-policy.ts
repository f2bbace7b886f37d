// Checks of `metadata` (and of pod templates' metadata): only the fields a tenant can
// meaningfully set, valid labels and annotations, nothing under the reserved prefix.
import type { Rejection } from "./errors.ts";
import { rejection } from "./errors.ts";
import { type FieldPath, formatPath } from "./field-path.ts";
import { isReservedKey, labelValueProblem, qualifiedNameProblem } from "./names.ts";
import { describe, isMapping, isUnset, type Mapping } from "./values.ts";

/**
 * Server-set fields (uid, resourceVersion, managedFields…) make no sense in a request, and
 * finalizers or owner references could pin objects and block the namespace's release.
 */
const OBJECT_METADATA_FIELDS = new Set(["name", "namespace", "labels", "annotations"]);
const TEMPLATE_METADATA_FIELDS = new Set(["labels", "annotations"]);

export type MetadataMode = {
  /** Object metadata (name and namespace allowed) or a pod template's. */
  scope: "object" | "template";
  /** In a merge patch, `null` removes a label or annotation. */
  patch: boolean;
};

/** Checks a metadata mapping; `undefined` when it is acceptable. */
export function checkMetadata(
  metadata: Mapping,
  path: FieldPath,
  mode: MetadataMode,
): Rejection | undefined {
  const allowed = mode.scope === "object" ? OBJECT_METADATA_FIELDS : TEMPLATE_METADATA_FIELDS;
  for (const field of Object.keys(metadata)) {
    if (!allowed.has(field)) {
      return rejection("ADMISSION_METADATA_FIELD", formatPath([...path, field]));
    }
  }
  return (
    checkStringMap(metadata.labels, [...path, "labels"], mode.patch, "ADMISSION_LABEL_INVALID") ??
    checkStringMap(
      metadata.annotations,
      [...path, "annotations"],
      mode.patch,
      "ADMISSION_ANNOTATION_INVALID",
    )
  );
}

function checkStringMap(
  map: unknown,
  path: FieldPath,
  patch: boolean,
  code: "ADMISSION_LABEL_INVALID" | "ADMISSION_ANNOTATION_INVALID",
): Rejection | undefined {
  if (isUnset(map)) return undefined;
  if (!isMapping(map)) return rejection(code, `${formatPath(path)} must be a mapping`);
  for (const [key, value] of Object.entries(map)) {
    const at = formatPath([...path, key]);
    if (isReservedKey(key)) return rejection("ADMISSION_RESERVED_KEY", at);
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem !== undefined) return rejection(code, `${at}: ${keyProblem}`);
    if (value === null && patch) continue;
    if (typeof value !== "string") {
      return rejection(code, `${at} must be a string, not ${describe(value)}`);
    }
    const valueProblem = code === "ADMISSION_LABEL_INVALID" ? labelValueProblem(value) : undefined;
    if (valueProblem !== undefined) return rejection(code, `${at}: ${valueProblem}`);
  }
  return undefined;
}

/**
 * Finds a reserved label or annotation key in any nested `metadata` (pod templates, a
 * CronJob's job template, a StatefulSet's volume claim templates): whatever Kubernetes
 * creates from a template must not look like something the control plane made either.
 */
export function findNestedReservedKey(value: unknown, path: FieldPath): Rejection | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNestedReservedKey(item, [...path, index]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isMapping(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key === "metadata" && isMapping(child)) {
      for (const field of ["labels", "annotations"]) {
        const map = child[field];
        if (!isMapping(map)) continue;
        const reserved = Object.keys(map).find(isReservedKey);
        if (reserved !== undefined) {
          return rejection("ADMISSION_RESERVED_KEY", formatPath([...path, key, field, reserved]));
        }
      }
    }
    const found = findNestedReservedKey(child, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}
