// The kind-specific part of admission: pod templates (checked, then defaulted to
// "restricted"), Services and Secrets. Shared by full objects and merge patches.
import type { ResourceType } from "../../k8s/resources.ts";
import type { Rejection } from "./errors.ts";
import { checkMetadata } from "./metadata-policy.ts";
import { checkContainer, checkPodSpec } from "./pod-policy.ts";
import { containersOf, findPodTemplate } from "./pod-templates.ts";
import type { AdmissionPolicy } from "./policy.ts";
import { defaultContainer, defaultPodSecurity } from "./restricted-defaults.ts";
import { checkSecret } from "./secret-policy.ts";
import { checkService } from "./service-policy.ts";
import type { Mapping } from "./values.ts";

/**
 * `apply`: `object` is the whole intent; unset means unset. `patch`: `object` is a JSON merge
 * patch; `null` deletes, and lists (containers, volumes) are replaced whole.
 */
export type WriteMode = "apply" | "patch";

/** Checks `object` against its kind's policy and, if it passes, adds restricted defaults. */
export function enforceSpecPolicy(
  type: ResourceType,
  object: Mapping,
  mode: WriteMode,
  policy: AdmissionPolicy,
): Rejection | undefined {
  if (type.kind === "Service") return checkService(object);
  if (type.kind === "Secret") return checkSecret(object);
  return enforcePodTemplate(type.kind, object, mode, policy);
}

function enforcePodTemplate(
  kind: string,
  object: Mapping,
  mode: WriteMode,
  policy: AdmissionPolicy,
): Rejection | undefined {
  const found = findPodTemplate(kind, object, mode === "patch" ? "deletion" : "absent");
  if (!found.ok) return found.rejection;
  const template = found.value;
  if (template === undefined) return undefined;

  if (template.metadata !== undefined) {
    const problem = checkMetadata(template.metadata, template.metadataPath, {
      scope: "template",
      patch: mode === "patch",
    });
    if (problem !== undefined) return problem;
  }
  const problem = checkPodSpec(
    template.spec,
    template.specPath,
    mode === "patch" ? "deletion" : "absent",
  );
  if (problem !== undefined) return problem;
  const containers = containersOf(template.spec, template.specPath);
  if (!containers.ok) return containers.rejection;
  for (const container of containers.value) {
    const containerProblem = checkContainer(container);
    if (containerProblem !== undefined) return containerProblem;
  }

  // Everything present is safe; now fill in what is missing. A patch merges into the pod's
  // existing securityContext, which was defaulted when the object was applied, but its
  // container lists replace the old ones whole, so their containers need the defaults.
  if (mode === "apply") defaultPodSecurity(template.spec);
  for (const container of containers.value) defaultContainer(container, policy);
  return undefined;
}
