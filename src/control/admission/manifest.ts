// Turns a decoded manifest or merge patch into what the executor receives: type meta and
// metadata checked against the request, namespace filled in, the request id annotated, and
// the kind's policy (including restricted defaults) applied.

import type { KubernetesObject } from "../../k8s/operations.ts";
import { apiVersionOf, type ResourceType } from "../../k8s/resources.ts";
import { SEALED_SECRET_ANNOTATION } from "../../protocol/index.ts";
import type { TenantRequest } from "../tenant-request.ts";
import { accept, type Checked, type Rejection, refuse, rejection } from "./errors.ts";
import { checkMetadata, checkNestedMetadata } from "./metadata-policy.ts";
import { objectNameProblem } from "./names.ts";
import type { AdmissionPolicy } from "./policy.ts";
import { enforceSpecPolicy } from "./spec-policy.ts";
import { describe, isMapping, isUnset, type Mapping } from "./values.ts";

/**
 * A full object for server-side apply. `apiVersion`, `kind`, `metadata.namespace` and
 * `metadata.name` may be omitted and are then taken from the request; when both state a
 * value they must agree.
 */
export function admitObject(
  type: ResourceType,
  request: TenantRequest,
  manifest: Mapping,
  policy: AdmissionPolicy,
): Checked<KubernetesObject> {
  const typeProblem = checkTypeMeta(type, manifest);
  if (typeProblem !== undefined) return refuse(typeProblem);
  const { apiVersion: _apiVersion, kind: _kind, metadata: rawMetadata, ...body } = manifest;
  const metadata = isUnset(rawMetadata) ? {} : rawMetadata;
  if (!isMapping(metadata)) {
    return refuse(rejection("ADMISSION_FIELD_INVALID", "metadata must be a mapping"));
  }

  const name = resolveName(type, request, metadata.name);
  if (!name.ok) return name;
  const namespace = metadata.namespace;
  if (!isUnset(namespace) && namespace !== "" && namespace !== request.namespace) {
    return refuse(
      rejection(
        "ADMISSION_NAMESPACE_MISMATCH",
        `metadata.namespace is ${describe(namespace)}, the request's is ${request.namespace}`,
      ),
    );
  }
  const metadataProblem =
    checkMetadata(metadata, ["metadata"], {
      scope: "object",
      patch: false,
      // A full Secret may reference its data as a Seal blob (./secret-policy.ts); a patch
      // may not add one: the control plane reads it only when it applies a whole Secret.
      reservedAnnotations: type.kind === "Secret" ? [SEALED_SECRET_ANNOTATION] : [],
    }) ?? checkNestedMetadata(body, [], false);
  if (metadataProblem !== undefined) return refuse(metadataProblem);

  const object: KubernetesObject = {
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    metadata: { ...metadata, name: name.value, namespace: request.namespace },
    ...body,
  };
  const specProblem = enforceSpecPolicy(type, object, {
    mode: "apply",
    namespace: request.namespace,
    policy,
  });
  return specProblem === undefined ? accept(object) : refuse(specProblem);
}

/**
 * A JSON merge patch of the object the request names. It may restate, not change, the
 * type, name and namespace, and may not delete labels or annotations wholesale (that would
 * take the control plane's with them).
 */
export function admitPatch(
  type: ResourceType,
  request: TenantRequest,
  patch: Mapping,
  policy: AdmissionPolicy,
): Checked<Mapping> {
  const typeProblem = checkTypeMeta(type, patch);
  if (typeProblem !== undefined) return refuse(typeProblem);
  const metadata = patch.metadata === undefined ? {} : patch.metadata;
  if (!isMapping(metadata)) {
    return refuse(rejection("ADMISSION_FIELD_INVALID", "metadata must be a mapping"));
  }
  const fixed = { name: request.name, namespace: request.namespace };
  for (const [field, value] of Object.entries(fixed)) {
    if (field in metadata && metadata[field] !== value) {
      return refuse(
        rejection(
          "ADMISSION_PATCH_IMMUTABLE_FIELD",
          `metadata.${field} is ${describe(metadata[field])}, the request's is ${value}`,
        ),
      );
    }
  }
  for (const field of ["labels", "annotations"]) {
    if (metadata[field] === null) {
      return refuse(rejection("ADMISSION_PATCH_CLEARS_GUARDED_FIELD", `metadata.${field}`));
    }
  }
  const { metadata: _metadata, ...body } = patch;
  const metadataProblem =
    checkMetadata(metadata, ["metadata"], { scope: "object", patch: true }) ??
    checkNestedMetadata(body, [], true);
  if (metadataProblem !== undefined) return refuse(metadataProblem);

  const admitted: Mapping = patch;
  const specProblem = enforceSpecPolicy(type, admitted, {
    mode: "patch",
    namespace: request.namespace,
    policy,
  });
  return specProblem === undefined ? accept(admitted) : refuse(specProblem);
}

function checkTypeMeta(type: ResourceType, manifest: Mapping): Rejection | undefined {
  const apiVersion = apiVersionOf(type);
  if (!isUnset(manifest.apiVersion) && manifest.apiVersion !== apiVersion) {
    return rejection(
      "ADMISSION_API_VERSION_MISMATCH",
      `apiVersion is ${describe(manifest.apiVersion)}, ${type.plural} needs ${apiVersion}`,
    );
  }
  if (!isUnset(manifest.kind) && manifest.kind !== type.kind) {
    return rejection(
      "ADMISSION_KIND_MISMATCH",
      `kind is ${describe(manifest.kind)}, ${type.plural} needs ${type.kind}`,
    );
  }
  return undefined;
}

/** The object's name: the manifest's or the request's, which must agree when both exist. */
function resolveName(type: ResourceType, request: TenantRequest, stated: unknown): Checked<string> {
  if (!isUnset(stated) && typeof stated !== "string") {
    return refuse(rejection("ADMISSION_NAME_INVALID", `metadata.name is ${describe(stated)}`));
  }
  const fromManifest = stated ?? "";
  if (fromManifest !== "" && request.name !== "" && fromManifest !== request.name) {
    return refuse(
      rejection(
        "ADMISSION_NAME_MISMATCH",
        `metadata.name is ${JSON.stringify(fromManifest)}, the request names ${JSON.stringify(request.name)}`,
      ),
    );
  }
  const name = fromManifest || request.name;
  if (name === "") {
    return refuse(
      rejection(
        "ADMISSION_NAME_REQUIRED",
        "neither the request nor metadata.name names the object",
      ),
    );
  }
  const problem = objectNameProblem(type, name);
  return problem === undefined
    ? accept(name)
    : refuse(rejection("ADMISSION_NAME_INVALID", `${JSON.stringify(name)}: ${problem}`));
}
