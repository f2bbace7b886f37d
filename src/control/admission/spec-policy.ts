// The kind-specific part of admission: pod templates (checked, then defaulted to
// "restricted"), Services, Secrets and Ingresses. Shared by full objects and merge patches.
import type { ResourceType } from "../../k8s/resources.ts";
import type { Rejection } from "./errors.ts";
import { checkIngress } from "./ingress-policy.ts";
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

/** What the kind policies need besides the object. */
export interface SpecContext {
  mode: WriteMode;
  /** The request's namespace (Ingress hosts, pod affinity). */
  namespace: string;
  policy: AdmissionPolicy;
}

/**
 * Checks `object` against its kind's policy and, if it passes, adds restricted defaults.
 * Nested metadata (templates) was checked before, with the object's own.
 */
export function enforceSpecPolicy(
  type: ResourceType,
  object: Mapping,
  context: SpecContext,
): Rejection | undefined {
  switch (type.kind) {
    case "Service":
      return checkService(object);
    case "Secret":
      return checkSecret(object);
    case "Ingress":
      return checkIngress(object, { ...context, patch: context.mode === "patch" });
    default:
      return enforcePodTemplate(type.kind, object, context);
  }
}

function enforcePodTemplate(
  kind: string,
  object: Mapping,
  { mode, namespace, policy }: SpecContext,
): Rejection | undefined {
  const nulls = mode === "patch" ? "deletion" : "absent";
  const found = findPodTemplate(kind, object, nulls);
  if (!found.ok) return found.rejection;
  const template = found.value;
  if (template === undefined) return undefined;

  const problem = checkPodSpec(template.spec, template.specPath, { namespace, policy, nulls });
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
