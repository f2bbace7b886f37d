// The second half of a patch's admission. A patch (JSON, merge, strategic or apply) is never
// sent to the API server as such: its meaning depends on the live object and, for strategic
// merge, on schemas only the server has, so checking the patch document could be evaded
// (a JSON Patch `add` of `/spec/template/spec/hostNetwork`, a `$patch: replace`
// directive). The executor asks the API server what the patch would make (`dryRun=All`, as
// the tenant), this file judges that whole object with the manifest policy, and the
// executor writes exactly the object judged here, conditioned on the resourceVersion it
// was resolved against.

import type {
  KubernetesObject,
  ResolvedCheck,
  ResolvedObjectPolicy,
} from "../../k8s/operations.ts";
import type { TenantRequest } from "../tenant-request.ts";
import type { Rejection } from "./errors.ts";
import { rejection } from "./errors.ts";
import { admitScale } from "./kube-write.ts";
import { admitObject } from "./manifest.ts";
import { withWorkerPlacement } from "./placement.ts";
import { type AdmissionPolicy, resolvePolicy } from "./policy.ts";
import { withoutServerFields } from "./server-fields.ts";
import { isUnset } from "./values.ts";

/**
 * The executor's `ResolvedObjectPolicy` for this control plane: admission's policy, and
 * worker placement when `placeOnWorkers` (the object to write gets the same node selector
 * as any admitted write).
 */
export function resolvedObjectPolicy(options: {
  policy?: Partial<AdmissionPolicy>;
  placeOnWorkers: boolean;
  clusterId: string;
}): (...args: Parameters<ResolvedObjectPolicy>) => ResolvedCheck {
  const policy = resolvePolicy(options.policy);
  return (target, resolved, live) => {
    try {
      const checked = checkResolved(target, resolved, live, policy);
      if (!checked.ok || !options.placeOnWorkers || target.subresource) return checked;
      const placed = withWorkerPlacement(
        {
          kind: "create",
          resource: target.resource,
          namespace: target.namespace,
          name: target.name,
          object: checked.object as KubernetesObject,
        },
        options.clusterId,
      );
      return placed.kind === "create" ? { ok: true, object: placed.object } : checked;
    } catch (error) {
      return refused(
        rejection("ADMISSION_INTERNAL", error instanceof Error ? error.message : String(error)),
      );
    }
  };
}

/**
 * A patch's dry-run result → the object to write (policy defaults added, server-set fields
 * out, finalizers and owner references as the live object has them), or a refusal: any
 * rule a manifest must pass, and a change of finalizers or ownerReferences.
 */
export function checkResolved(
  target: Parameters<ResolvedObjectPolicy>[0],
  resolved: Record<string, unknown>,
  live: Record<string, unknown> | undefined,
  policy: AdmissionPolicy,
): ResolvedCheck {
  const request: TenantRequest = {
    requestId: 0n,
    clusterId: "",
    method: "PUT",
    resource: target.resource.plural,
    namespace: target.namespace,
    name: target.name,
    payload: new Uint8Array(),
    priority: 0,
    requester: "",
  };
  if (target.subresource === "scale") {
    const scale = admitScale(request, resolved);
    if (!scale.ok) return refused(scale.rejection);
    delete scale.value.metadata.resourceVersion;
    return { ok: true, object: scale.value };
  }
  const stripped = withoutServerFields(resolved);
  const before = live === undefined ? undefined : withoutServerFields(live);
  for (const field of ["finalizers", "ownerReferences"] as const) {
    if (!sameList(stripped[field], before?.[field])) {
      return refused(
        rejection("ADMISSION_METADATA_FIELD", `a patch may not change metadata.${field}`),
      );
    }
  }
  const admitted = admitObject(target.resource, request, stripped.object, policy);
  if (!admitted.ok) return refused(admitted.rejection);
  const metadata: Record<string, unknown> = { ...admitted.value.metadata };
  if (!isUnset(stripped.finalizers)) metadata.finalizers = stripped.finalizers;
  if (!isUnset(stripped.ownerReferences)) metadata.ownerReferences = stripped.ownerReferences;
  return { ok: true, object: { ...admitted.value, metadata } };
}

/** Lists compared as JSON; absent, null and empty are the same. */
function sameList(a: unknown, b: unknown): boolean {
  const normal = (value: unknown) =>
    isUnset(value) || (Array.isArray(value) && value.length === 0) ? "[]" : JSON.stringify(value);
  return normal(a) === normal(b);
}

function refused(rejected: Rejection): ResolvedCheck {
  return { ok: false, ...rejected };
}
