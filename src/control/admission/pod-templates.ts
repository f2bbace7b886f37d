// The one walker over pod templates: where each workload kind keeps its pod, and the
// containers inside a pod spec. Policy checks and restricted defaults both go through here,
// so a kind added to the table is checked and defaulted alike.
import { accept, type Checked, refuse, rejection } from "./errors.ts";
import { type FieldPath, formatPath } from "./field-path.ts";
import { isMapping, type Mapping } from "./values.ts";

/** Where a kind's pod template (a mapping with `metadata` and `spec`) sits in the object. */
const TEMPLATE_PATHS: Readonly<Record<string, FieldPath>> = {
  Pod: [], // a Pod is its own template
  Deployment: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

/** A pod template found in an object or patch. */
export interface PodTemplate {
  /** Template metadata; `undefined` for a Pod, whose metadata is the object's. */
  metadata: Mapping | undefined;
  metadataPath: FieldPath;
  spec: Mapping;
  specPath: FieldPath;
}

/** What a `null` on the way to the pod spec means: absent (apply) or a deletion (patch). */
export type NullMeaning = "absent" | "deletion";

/**
 * Finds the pod template of `object` (a full object or a merge patch). `undefined` when the
 * kind has none or this object does not include it; refused when something on the way is
 * not a mapping, or (patch) is `null`, which would delete the pod's security settings.
 */
export function findPodTemplate(
  kind: string,
  object: Mapping,
  nulls: NullMeaning,
): Checked<PodTemplate | undefined> {
  const templatePath = TEMPLATE_PATHS[kind];
  if (templatePath === undefined) return accept(undefined);
  const specPath = [...templatePath, "spec"];
  const template = descend(object, templatePath, nulls);
  if (!template.ok) return template;
  if (template.value === undefined) return accept(undefined);
  const spec = descend(object, specPath, nulls);
  if (!spec.ok) return spec;
  if (spec.value === undefined) return accept(undefined);

  const metadataPath = [...templatePath, "metadata"];
  const metadata = kind === "Pod" ? undefined : template.value.metadata;
  if (metadata !== undefined && metadata !== null && !isMapping(metadata)) {
    return refuse(
      rejection("ADMISSION_FIELD_INVALID", `${formatPath(metadataPath)} must be a mapping`),
    );
  }
  return accept({ metadata: metadata ?? undefined, metadataPath, spec: spec.value, specPath });
}

/** Follows `path` through nested mappings. */
function descend(
  object: Mapping,
  path: FieldPath,
  nulls: NullMeaning,
): Checked<Mapping | undefined> {
  let current = object;
  for (const [depth, key] of path.entries()) {
    const next = current[key];
    const at = formatPath(path.slice(0, depth + 1));
    if (next === undefined || (next === null && nulls === "absent")) return accept(undefined);
    if (next === null) return refuse(rejection("ADMISSION_PATCH_CLEARS_GUARDED_FIELD", at));
    if (!isMapping(next))
      return refuse(rejection("ADMISSION_FIELD_INVALID", `${at} must be a mapping`));
    current = next;
  }
  return accept(current);
}

/** The container lists of a pod spec that policy and defaults cover. */
export const CONTAINER_LISTS = ["initContainers", "containers"] as const;

/** A container of a pod spec, with its location. */
export interface ContainerAt {
  container: Mapping;
  path: FieldPath;
}

/** Every container and init container of a pod spec, or a rejection if malformed. */
export function containersOf(spec: Mapping, specPath: FieldPath): Checked<ContainerAt[]> {
  const found: ContainerAt[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = spec[list];
    if (items === undefined || items === null) continue;
    if (!Array.isArray(items)) {
      return refuse(
        rejection("ADMISSION_FIELD_INVALID", `${formatPath([...specPath, list])} must be a list`),
      );
    }
    for (const [index, container] of items.entries()) {
      const path = [...specPath, list, index];
      if (!isMapping(container)) {
        return refuse(
          rejection("ADMISSION_FIELD_INVALID", `${formatPath(path)} must be a mapping`),
        );
      }
      found.push({ container, path });
    }
  }
  return accept(found);
}
