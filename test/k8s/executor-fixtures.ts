// Shared by the executor-, tenancy- and applied- integration tests: admitted operations as
// admission would hand them over, and manifests that satisfy Pod Security "restricted".
import assert from "node:assert/strict";
import type { KubeConfig } from "@kubernetes/client-node";
import {
  apiVersionOf,
  ensureTenantNamespace,
  type ResourceType,
  TENANT_RESOURCES,
  tenantResource,
} from "../../src/k8s/index.ts";
import type { AdmittedOperation, KubernetesObject } from "../../src/k8s/operations.ts";
import { uniqueNamespace } from "../helpers/cluster.ts";

export const TEST_CLUSTER_ID = `0x${"c1".repeat(32)}`;
export const TEST_OWNER = `0x${"a1".repeat(32)}`;
/** The NamespaceCap id of the tests' claims. */
export const TEST_CLAIM_ID = `0x${"c1".repeat(32)}`;

export function resourceType(plural: string): ResourceType {
  const type = tenantResource(plural);
  assert.ok(type, `unknown tenant resource ${plural}`);
  return type;
}

/** A fresh, fully provisioned tenant namespace. */
export async function provisionTenant(kc: KubeConfig, prefix: string): Promise<string> {
  const namespace = uniqueNamespace(prefix);
  await ensureTenantNamespace(kc, {
    namespace,
    owner: TEST_OWNER,
    clusterId: TEST_CLUSTER_ID,
    claimId: TEST_CLAIM_ID,
  });
  return namespace;
}

const restrictedContainerSecurity = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  runAsUser: 65532,
  seccompProfile: { type: "RuntimeDefault" },
};

/** A pod spec Pod Security "restricted" admits; resources come from the LimitRange. */
export function restrictedPodSpec(): Record<string, unknown> {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [
      {
        name: "app",
        image: "registry.k8s.io/pause:3.10",
        securityContext: restrictedContainerSecurity,
      },
    ],
  };
}

export function object(
  plural: string,
  namespace: string,
  name: string,
  fields: Record<string, unknown>,
): KubernetesObject {
  const type = resourceType(plural);
  return {
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    metadata: { name, namespace },
    ...fields,
  };
}

export const ops = {
  apply(item: KubernetesObject, force = false): AdmittedOperation {
    const resource = TENANT_RESOURCES.find((type) => type.kind === item.kind);
    assert.ok(resource, `not a tenant kind: ${item.kind}`);
    return {
      kind: "apply",
      resource,
      namespace: item.metadata.namespace,
      name: item.metadata.name,
      object: item,
      force,
    };
  },
  get(plural: string, namespace: string, name: string): AdmittedOperation {
    return { kind: "get", resource: resourceType(plural), namespace, name };
  },
  list(plural: string, namespace: string): AdmittedOperation {
    return { kind: "list", resource: resourceType(plural), namespace };
  },
  patch(
    plural: string,
    namespace: string,
    name: string,
    patch: Record<string, unknown>,
  ): AdmittedOperation {
    return { kind: "patch", resource: resourceType(plural), namespace, name, patch };
  },
  delete(plural: string, namespace: string, name: string): AdmittedOperation {
    return { kind: "delete", resource: resourceType(plural), namespace, name };
  },
};

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    assert.ok(performance.now() - started < timeoutMs, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
