// Admission: one tenant request in, one admitted operation or one rejection out.

import type { AdmittedOperation, ListQuery } from "../../k8s/operations.ts";
import {
  isDnsLabel,
  isDnsSubdomain,
  isKubeWriteEnvelope,
  isReservedNamespace,
  REQUEST_METHODS,
} from "../../protocol/index.ts";
import type { TenantRequest } from "../tenant-request.ts";
import { accept, type Checked, type Rejection, refuse, rejection } from "./errors.ts";
import { admitKubeWrite } from "./kube-write.ts";
import { defaultListQuery, listQueryOf } from "./list-options.ts";
import { admitObject, admitPatch } from "./manifest.ts";
import { decodePayload } from "./parse.ts";
import { type AdmissionPolicy, resolvePolicy } from "./policy.ts";
import { resolveResource } from "./resource-policy.ts";
import { describe, type Mapping } from "./values.ts";

export type AdmissionResult =
  | { ok: true; operation: AdmittedOperation }
  | { ok: false; rejection: Rejection };

/**
 * Decodes, validates and normalizes a tenant request. Total: any input, however malformed,
 * gets a result; an unexpected failure inside admission is reported as ADMISSION_INTERNAL
 * rather than thrown into the pipeline.
 *
 * GET with a name → get, without → list (one page; options in the payload); POST → apply; PUT → apply with force (take over
 * fields other managers own); PATCH → JSON merge patch; DELETE → delete (name required).
 * A write whose payload is a KubeWrite envelope is the kubectl gateway's verb instead
 * (`kube-write.ts`).
 */
export function admit(request: TenantRequest, policy?: Partial<AdmissionPolicy>): AdmissionResult {
  let result: Checked<AdmittedOperation>;
  try {
    result = admitChecked(request, resolvePolicy(policy));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    result = refuse(rejection("ADMISSION_INTERNAL", detail));
  }
  return result.ok
    ? { ok: true, operation: result.value }
    : { ok: false, rejection: result.rejection };
}

function admitChecked(request: TenantRequest, policy: AdmissionPolicy): Checked<AdmittedOperation> {
  const { method, namespace, name, payload } = request;
  if (!(REQUEST_METHODS as readonly string[]).includes(method)) {
    return refuse(rejection("ADMISSION_METHOD_UNKNOWN", describe(method)));
  }
  if (typeof namespace !== "string" || !isDnsLabel(namespace)) {
    return refuse(
      rejection("ADMISSION_NAMESPACE_INVALID", `${describe(namespace)} is not a DNS-1123 label`),
    );
  }
  if (isReservedNamespace(namespace)) {
    return refuse(rejection("ADMISSION_NAMESPACE_RESERVED", namespace));
  }
  const kubeWrite = kubeWriteEnvelope(request, policy);
  if (kubeWrite !== undefined) {
    if (typeof name !== "string" || (name !== "" && !isDnsSubdomain(name))) {
      return refuse(
        rejection("ADMISSION_NAME_INVALID", `${describe(name)} is not a DNS-1123 subdomain`),
      );
    }
    return admitKubeWrite(request, kubeWrite, policy);
  }
  const resource = resolveResource(String(request.resource), method !== "GET");
  if (!resource.ok) return resource;
  const type = resource.value;
  if (typeof name !== "string" || (name !== "" && !isDnsSubdomain(name))) {
    return refuse(
      rejection("ADMISSION_NAME_INVALID", `${describe(name)} is not a DNS-1123 subdomain`),
    );
  }
  if (!(payload instanceof Uint8Array)) {
    return refuse(rejection("ADMISSION_PAYLOAD_ENCODING", "payload is not bytes"));
  }

  switch (method) {
    case "GET":
    case "DELETE": {
      if (method === "GET" && name === "") {
        const query = listQuery(payload, policy);
        if (!query.ok) return query;
        return accept({ kind: "list", resource: type, namespace, query: query.value });
      }
      if (payload.length > 0) {
        return refuse(
          rejection("ADMISSION_PAYLOAD_UNEXPECTED", `${method} with ${payload.length} bytes`),
        );
      }
      if (method === "GET") return accept({ kind: "get", resource: type, namespace, name });
      if (name === "") return refuse(rejection("ADMISSION_NAME_REQUIRED", "DELETE needs a name"));
      return accept({ kind: "delete", resource: type, namespace, name });
    }
    case "PATCH": {
      if (name === "") return refuse(rejection("ADMISSION_NAME_REQUIRED", "PATCH needs a name"));
      const patch = decodeBody(payload, method, policy);
      if (!patch.ok) return patch;
      const admitted = admitPatch(type, request, patch.value, policy);
      if (!admitted.ok) return admitted;
      return accept({ kind: "patch", resource: type, namespace, name, patch: admitted.value });
    }
    default: {
      const manifest = decodeBody(payload, method, policy);
      if (!manifest.ok) return manifest;
      const object = admitObject(type, request, manifest.value, policy);
      if (!object.ok) return object;
      return accept({
        kind: "apply",
        resource: type,
        namespace,
        name: object.value.metadata.name,
        object: object.value,
        force: method === "PUT",
      });
    }
  }
}

/**
 * True when the request is the kubectl gateway's (a KubeWrite payload): its refusals are
 * then answered as Kubernetes `Status` bodies, like the API server's own answers.
 */
export function isKubeWriteRequest(
  request: TenantRequest,
  policy?: Partial<AdmissionPolicy>,
): boolean {
  try {
    return kubeWriteEnvelope(request, resolvePolicy(policy)) !== undefined;
  } catch {
    return false;
  }
}

/**
 * The KubeWrite envelope a write's payload holds, if it holds one (the kubectl gateway's
 * verbs); a payload that does not decode is left to the manifest path, which says why.
 */
function kubeWriteEnvelope(request: TenantRequest, policy: AdmissionPolicy): Mapping | undefined {
  if (request.method === "GET" || !(request.payload instanceof Uint8Array)) return undefined;
  if (request.payload.length === 0) return undefined;
  const decoded = decodePayload(request.payload, policy);
  if (!decoded.ok || decoded.value.kind === "empty") return undefined;
  return isKubeWriteEnvelope(decoded.value.value) ? decoded.value.value : undefined;
}

/**
 * A list's options: none without a payload, else the mapping it holds (a payload that holds
 * nothing, blanks or a comment, is refused like any payload a request should not have).
 */
function listQuery(payload: Uint8Array, policy: AdmissionPolicy): Checked<ListQuery> {
  if (payload.length === 0) return accept(defaultListQuery(policy));
  const decoded = decodePayload(payload, policy);
  if (!decoded.ok) return decoded;
  if (decoded.value.kind === "empty") {
    return refuse(
      rejection("ADMISSION_PAYLOAD_UNEXPECTED", `a list's payload holds no options mapping`),
    );
  }
  return listQueryOf(decoded.value.value, policy);
}

/** The mapping a POST, PUT or PATCH carries; a blank payload is refused. */
function decodeBody(
  payload: Uint8Array,
  method: string,
  policy: AdmissionPolicy,
): Checked<Mapping> {
  const decoded = decodePayload(payload, policy);
  if (!decoded.ok) return decoded;
  if (decoded.value.kind === "empty") {
    return refuse(rejection("ADMISSION_PAYLOAD_MISSING", `${method} needs a manifest`));
  }
  return accept(decoded.value.value);
}
