// Admission of a KubeWrite payload (src/protocol/kube-write.ts): the kubectl gateway's
// create, update, patch, delete and deletecollection, and the scale subresource. Bodies go
// through the same object policy as manifests; patches are admitted as intents and judged
// on their result (`resolved.ts`), which the executor obtains from the API server's dry run.

import type { AdmittedOperation, DeleteOptions, KubernetesObject } from "../../k8s/operations.ts";
import type { ResourceType } from "../../k8s/resources.ts";
import {
  checkKubeWriteTarget,
  decodeKubeWrite,
  type KubeWrite,
  KubeWriteError,
} from "../../protocol/index.ts";
import type { TenantRequest } from "../tenant-request.ts";
import { accept, type Checked, refuse, rejection } from "./errors.ts";
import { labelSelectorProblem } from "./list-options.ts";
import { admitObject } from "./manifest.ts";
import type { AdmissionPolicy } from "./policy.ts";
import { resolveResource } from "./resource-policy.ts";
import { withoutServerFields } from "./server-fields.ts";
import { describe, isMapping, isUnset, type Mapping } from "./values.ts";

/** The kinds with a `scale` subresource tenants may write. */
export const SCALABLE = new Set(["deployments", "replicasets", "statefulsets"]);
const MAX_RESOURCE_VERSION = 64;
const MAX_REPLICAS = 2 ** 31 - 1;

/**
 * One KubeWrite envelope (the decoded payload mapping of a POST, PUT, PATCH or DELETE) →
 * one AdmittedOperation. The namespace was checked by the caller.
 */
export function admitKubeWrite(
  request: TenantRequest,
  envelope: Mapping,
  policy: AdmissionPolicy,
): Checked<AdmittedOperation> {
  let write: KubeWrite;
  let plural: string;
  try {
    write = decodeKubeWrite(envelope);
    plural = checkKubeWriteTarget(write, request);
  } catch (error) {
    if (!(error instanceof KubeWriteError)) throw error;
    return refuse(rejection(`ADMISSION_${error.code}`, error.message));
  }
  const resource = resolveResource(plural, true);
  if (!resource.ok) return resource;
  const type = resource.value;
  if (write.subresource === "scale" && !SCALABLE.has(type.plural)) {
    return refuse(rejection("ADMISSION_RESOURCE_FORBIDDEN", `${type.plural} has no scale`));
  }
  const { namespace, name } = request;
  const fieldManager = write.fieldManager === undefined ? {} : { fieldManager: write.fieldManager };
  switch (write.verb) {
    case "create": {
      const object = admitBody(type, request, write.body as Mapping, policy, false);
      if (!object.ok) return object;
      return accept({ kind: "create", resource: type, namespace, name, object: object.value });
    }
    case "update": {
      const object =
        write.subresource === "scale"
          ? admitScale(request, write.body as Mapping)
          : admitBody(type, request, write.body as Mapping, policy, true);
      if (!object.ok) return object;
      return accept({
        kind: "update",
        resource: type,
        namespace,
        name,
        object: object.value,
        ...(write.subresource ? { subresource: write.subresource } : {}),
      });
    }
    case "patch": {
      let patch = write.body;
      // An apply patch is an intent like a manifest: checked and defaulted as one before
      // its result is resolved and checked again.
      if (write.patchType === "apply" && write.subresource === undefined) {
        const intent = admitBody(type, request, write.body as Mapping, policy, false);
        if (!intent.ok) return intent;
        patch = intent.value;
      }
      return accept({
        kind: "typed-patch",
        resource: type,
        namespace,
        name,
        patchType: write.patchType ?? "merge",
        patch,
        ...fieldManager,
        ...(write.force === undefined ? {} : { force: write.force }),
        ...(write.subresource ? { subresource: write.subresource } : {}),
      });
    }
    case "delete": {
      const options = deleteOptions(write.body);
      if (!options.ok) return options;
      return accept({
        kind: "delete-with-options",
        resource: type,
        namespace,
        name,
        options: options.value,
      });
    }
    case "deletecollection": {
      const options = deleteOptions(write.body);
      if (!options.ok) return options;
      if (write.labelSelector !== undefined) {
        const problem = labelSelectorProblem(write.labelSelector);
        if (problem !== undefined)
          return refuse(rejection("ADMISSION_LIST_OPTION_INVALID", `labelSelector: ${problem}`));
      }
      return accept({
        kind: "delete-collection",
        resource: type,
        namespace,
        options: options.value,
        ...(write.labelSelector === undefined ? {} : { labelSelector: write.labelSelector }),
        ...(write.fieldSelector === undefined ? {} : { fieldSelector: write.fieldSelector }),
      });
    }
  }
}

/**
 * A create's or update's object: server-set fields out (`server-fields.ts`), then the
 * manifest policy. An update keeps its `resourceVersion` (the API server's optimistic
 * concurrency); finalizers and owner references are refused as in any manifest.
 */
function admitBody(
  type: ResourceType,
  request: TenantRequest,
  body: Mapping,
  policy: AdmissionPolicy,
  keepResourceVersion: boolean,
): Checked<KubernetesObject> {
  const stripped = withoutServerFields(body);
  for (const field of ["finalizers", "ownerReferences"] as const) {
    const value = stripped[field];
    if (!isUnset(value) && !(Array.isArray(value) && value.length === 0)) {
      return refuse(rejection("ADMISSION_METADATA_FIELD", `metadata.${field}`));
    }
  }
  const admitted = admitObject(type, request, stripped.object, policy);
  if (!admitted.ok || !keepResourceVersion || isUnset(stripped.resourceVersion)) return admitted;
  const version = resourceVersionOf(stripped.resourceVersion);
  if (!version.ok) return version;
  return accept({
    ...admitted.value,
    metadata: { ...admitted.value.metadata, resourceVersion: version.value },
  });
}

function resourceVersionOf(value: unknown): Checked<string> {
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > MAX_RESOURCE_VERSION ||
    !/^[\x21-\x7e]+$/.test(value)
  ) {
    return refuse(rejection("ADMISSION_RESOURCE_VERSION_INVALID", describe(value)));
  }
  return accept(value);
}

/**
 * A Scale (autoscaling/v1) for the object the request names: `spec.replicas` a whole
 * number, nothing else but its type meta, name, namespace and resourceVersion. What runs is
 * bounded by the namespace's ResourceQuota, not here.
 */
export function admitScale(request: TenantRequest, body: Mapping): Checked<KubernetesObject> {
  const bad = (detail: string) => refuse(rejection("ADMISSION_SCALE_INVALID", detail));
  const stripped = withoutServerFields(body);
  const { apiVersion, kind, metadata, spec, ...rest } = stripped.object;
  if (Object.keys(rest).length > 0) return bad(`unknown field ${Object.keys(rest)[0]}`);
  if (!isUnset(apiVersion) && apiVersion !== "autoscaling/v1")
    return bad(`apiVersion is ${describe(apiVersion)}`);
  if (!isUnset(kind) && kind !== "Scale") return bad(`kind is ${describe(kind)}`);
  const meta = isMapping(metadata) ? metadata : {};
  for (const [field, value] of Object.entries(meta)) {
    const expected =
      field === "name" ? request.name : field === "namespace" ? request.namespace : undefined;
    if (field === "labels" || field === "annotations") continue;
    if (expected === undefined || value !== expected)
      return bad(`metadata.${field} is ${describe(value)}`);
  }
  const replicas = isMapping(spec) ? spec.replicas : undefined;
  if (
    typeof replicas !== "number" ||
    !Number.isInteger(replicas) ||
    replicas < 0 ||
    replicas > MAX_REPLICAS
  )
    return bad(`spec.replicas is ${describe(replicas)}`);
  const object: KubernetesObject = {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: { name: request.name, namespace: request.namespace },
    spec: { replicas },
  };
  if (isUnset(stripped.resourceVersion)) return accept(object);
  const version = resourceVersionOf(stripped.resourceVersion);
  if (!version.ok) return version;
  object.metadata.resourceVersion = version.value;
  return accept(object);
}

const PROPAGATION = new Set(["Orphan", "Background", "Foreground"]);

/** The tenant's DeleteOptions, field by field; `dryRun` never (dry runs are not on chain). */
function deleteOptions(body: unknown): Checked<DeleteOptions> {
  const bad = (detail: string) => refuse(rejection("ADMISSION_DELETE_OPTIONS_INVALID", detail));
  if (isUnset(body)) return accept({});
  if (!isMapping(body)) return bad("not a mapping");
  const options: DeleteOptions = {};
  for (const [field, value] of Object.entries(body)) {
    switch (field) {
      case "apiVersion":
      case "kind":
        if (typeof value !== "string") return bad(`${field} is ${describe(value)}`);
        break;
      case "gracePeriodSeconds":
        if (
          typeof value !== "number" ||
          !Number.isInteger(value) ||
          value < 0 ||
          value > MAX_REPLICAS
        )
          return bad(`gracePeriodSeconds is ${describe(value)}`);
        options.gracePeriodSeconds = value;
        break;
      case "propagationPolicy":
        if (typeof value !== "string" || !PROPAGATION.has(value))
          return bad(`propagationPolicy is ${describe(value)}`);
        options.propagationPolicy = value as NonNullable<DeleteOptions["propagationPolicy"]>;
        break;
      case "orphanDependents":
        if (typeof value !== "boolean") return bad(`orphanDependents is ${describe(value)}`);
        options.orphanDependents = value;
        break;
      case "preconditions": {
        if (!isMapping(value)) return bad("preconditions is not a mapping");
        const preconditions: NonNullable<DeleteOptions["preconditions"]> = {};
        for (const [key, text] of Object.entries(value)) {
          if (
            (key !== "uid" && key !== "resourceVersion") ||
            typeof text !== "string" ||
            text.length > 128
          )
            return bad(`preconditions.${key} is ${describe(text)}`);
          preconditions[key] = text;
        }
        options.preconditions = preconditions;
        break;
      }
      default:
        return bad(`unknown field ${JSON.stringify(field)}`);
    }
  }
  return accept(options);
}
