// Checks of `metadata` (and of pod templates' metadata): only the fields a tenant can
// meaningfully set, valid labels and annotations, nothing under the reserved prefix.
import type { Rejection } from "./errors.ts";
import { rejection } from "./errors.ts";
import { type FieldPath, formatPath } from "./field-path.ts";
import { isReservedKey, labelValueProblem, qualifiedNameProblem } from "./names.ts";
import { describe, isMapping, isUnset, type Mapping } from "./values.ts";

/**
 * Server-set fields (uid, resourceVersion, managedFields…) make no sense in a request, and
 * finalizers or owner references could pin objects and block the namespace's release. The
 * same holds for whatever Kubernetes creates from a template; a StatefulSet's volume claim
 * templates also need their name (it prefixes each claim's).
 */
const ALLOWED_METADATA_FIELDS = {
  object: new Set(["name", "namespace", "labels", "annotations"]),
  template: new Set(["labels", "annotations"]),
  claimTemplate: new Set(["name", "labels", "annotations"]),
} as const;

export type MetadataMode = {
  /** Whose metadata: the object's, a template's, or a volume claim template's. */
  scope: keyof typeof ALLOWED_METADATA_FIELDS;
  /** In a merge patch, `null` removes a label or annotation. */
  patch: boolean;
  /** Reserved annotations this object may carry all the same (a Secret's Seal blob). */
  reservedAnnotations?: readonly string[];
};

/** Checks a metadata mapping; `undefined` when it is acceptable. */
export function checkMetadata(
  metadata: Mapping,
  path: FieldPath,
  mode: MetadataMode,
): Rejection | undefined {
  const allowed = ALLOWED_METADATA_FIELDS[mode.scope];
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
      mode.reservedAnnotations,
    )
  );
}

function checkStringMap(
  map: unknown,
  path: FieldPath,
  patch: boolean,
  code: "ADMISSION_LABEL_INVALID" | "ADMISSION_ANNOTATION_INVALID",
  reservedAllowed: readonly string[] = [],
): Rejection | undefined {
  if (isUnset(map)) return undefined;
  if (!isMapping(map)) return rejection(code, `${formatPath(path)} must be a mapping`);
  for (const [key, value] of Object.entries(map)) {
    const at = formatPath([...path, key]);
    if (isReservedKey(key) && !reservedAllowed.includes(key)) {
      return rejection("ADMISSION_RESERVED_KEY", at);
    }
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
 * Checks every `metadata` mapping nested in an object's body: pod templates, a CronJob's job
 * template, a StatefulSet's `volumeClaimTemplates`, ephemeral volumes' claim templates.
 * Whatever Kubernetes creates from them gets the same rules as an object the tenant writes
 * (no finalizers, owner references or server fields, nothing under the reserved prefix).
 * No tenant kind has another field called `metadata` holding a mapping; a ConfigMap's
 * `data.metadata` is a string and is left alone.
 */
export function checkNestedMetadata(
  value: unknown,
  path: FieldPath,
  patch: boolean,
): Rejection | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = checkNestedMetadata(item, [...path, index], patch);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isMapping(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key === "metadata" && isMapping(child)) {
      const problem = checkMetadata(child, [...path, key], {
        scope: isVolumeClaimTemplate(path) ? "claimTemplate" : "template",
        patch,
      });
      if (problem !== undefined) return problem;
    }
    const found = checkNestedMetadata(child, [...path, key], patch);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `spec.volumeClaimTemplates[i]`: a StatefulSet's claim template, which is named. */
function isVolumeClaimTemplate(path: FieldPath): boolean {
  return path.length >= 2 && path.at(-2) === "volumeClaimTemplates";
}
