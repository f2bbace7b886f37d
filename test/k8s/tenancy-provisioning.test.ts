import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CoreV1Api,
  type KubeConfig,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
} from "@kubernetes/client-node";
import {
  ANNOTATION_CLAIM,
  ANNOTATION_OWNER,
  ensureTenantNamespace,
  isK8sError,
  LABEL_MANAGED,
  listManagedNamespaces,
  removeTenantNamespace,
  TENANT_CLUSTER_ROLE,
  TENANT_OBJECT_NAMES,
  TENANT_SERVICE_ACCOUNT,
  tenantRoleRules,
} from "../../src/k8s/index.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { TEST_CLUSTER_ID, TEST_OWNER } from "./executor-fixtures.ts";

let kc: KubeConfig;
let core: CoreV1Api;
const namespace = uniqueNamespace("tenancy");
const CLAIM = `0x${"c1".repeat(32)}`;
const spec = { namespace, owner: TEST_OWNER, clusterId: TEST_CLUSTER_ID, claimId: CLAIM };

before(async () => {
  kc = (await testCluster()).kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
});

after(async () => {
  await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
});

/** resourceVersion of every provisioned object: unchanged means nothing was written. */
async function versions(): Promise<Record<string, string | undefined>> {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const policies = await networking.listNamespacedNetworkPolicy({ namespace });
  return {
    namespace: (await core.readNamespace({ name: namespace })).metadata?.resourceVersion,
    quota: (await core.readNamespacedResourceQuota({ namespace, name: TENANT_OBJECT_NAMES.quota }))
      .metadata?.resourceVersion,
    limits: (
      await core.readNamespacedLimitRange({ namespace, name: TENANT_OBJECT_NAMES.limitRange })
    ).metadata?.resourceVersion,
    binding: (
      await rbac.readNamespacedRoleBinding({ namespace, name: TENANT_OBJECT_NAMES.roleBinding })
    ).metadata?.resourceVersion,
    policies: policies.items.map((p) => p.metadata?.resourceVersion).join(","),
  };
}

describe("tenant namespace provisioning", () => {
  it("creates the restricted namespace, quota, limits, network policies and tenant RBAC", async () => {
    const started = performance.now();
    const result = await ensureTenantNamespace(kc, spec);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `# provisioning: ${result.objects.length} objects applied in ${seconds.toFixed(2)} s`,
    );
    assert.equal(result.created, true);

    const ns = await core.readNamespace({ name: namespace });
    assert.equal(ns.metadata?.labels?.["pod-security.kubernetes.io/enforce"], "restricted");
    assert.equal(ns.metadata?.labels?.["pod-security.kubernetes.io/enforce-version"], "latest");
    assert.equal(ns.metadata?.labels?.[LABEL_MANAGED], "true");
    assert.equal(ns.metadata?.annotations?.[ANNOTATION_OWNER], TEST_OWNER);

    const quota = await core.readNamespacedResourceQuota({
      namespace,
      name: TENANT_OBJECT_NAMES.quota,
    });
    assert.equal(quota.spec?.hard?.pods, "50");
    assert.equal(quota.spec?.hard?.["services.nodeports"], "0");
    const limits = await core.readNamespacedLimitRange({
      namespace,
      name: TENANT_OBJECT_NAMES.limitRange,
    });
    assert.equal(limits.spec?.limits[0]?.defaultRequest?.memory, "128Mi");

    const networking = kc.makeApiClient(NetworkingV1Api);
    const policies = await networking.listNamespacedNetworkPolicy({ namespace });
    assert.deepEqual(
      policies.items.map((p) => p.metadata?.name).sort(),
      [
        TENANT_OBJECT_NAMES.dns,
        TENANT_OBJECT_NAMES.denyAll,
        TENANT_OBJECT_NAMES.sameNamespace,
      ].sort(),
    );

    const account = await core.readNamespacedServiceAccount({
      namespace,
      name: TENANT_SERVICE_ACCOUNT,
    });
    assert.equal(account.automountServiceAccountToken, false);
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    // The tenant's rules live in the cluster-wide role; the binding grants them here only.
    const role = await rbac.readClusterRole({ name: TENANT_CLUSTER_ROLE });
    assert.deepEqual(
      role.rules?.map((rule) => ({
        apiGroups: rule.apiGroups,
        resources: rule.resources,
        verbs: rule.verbs,
      })),
      tenantRoleRules(),
    );
    const binding = await rbac.readNamespacedRoleBinding({
      namespace,
      name: TENANT_OBJECT_NAMES.roleBinding,
    });
    assert.deepEqual(
      binding.subjects?.map(({ kind, name, namespace }) => ({ kind, name, namespace })),
      [{ kind: "ServiceAccount", name: TENANT_SERVICE_ACCOUNT, namespace }],
    );
    assert.deepEqual(
      { ...binding.roleRef },
      {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: TENANT_CLUSTER_ROLE,
      },
    );
    assert.deepEqual(
      (await rbac.listNamespacedRole({ namespace })).items.map((r) => r.metadata?.name),
      [],
    );
  });

  it("is idempotent: provisioning again writes nothing", async () => {
    const before = await versions();
    const again = await ensureTenantNamespace(kc, spec);
    assert.equal(again.created, false);
    assert.deepEqual(await versions(), before);
  });

  it("replaces a binding to the namespaced Role older provisioning wrote (roleRef is immutable)", async () => {
    const older = uniqueNamespace("tenancy-old");
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    try {
      await ensureTenantNamespace(kc, { ...spec, namespace: older });
      await rbac.deleteNamespacedRoleBinding({
        namespace: older,
        name: TENANT_OBJECT_NAMES.roleBinding,
      });
      await rbac.createNamespacedRole({
        namespace: older,
        body: { metadata: { name: "k8s-daas-tenant" }, rules: tenantRoleRules() },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: older,
        body: {
          metadata: { name: TENANT_OBJECT_NAMES.roleBinding },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "k8s-daas-tenant" },
          subjects: [{ kind: "ServiceAccount", name: TENANT_SERVICE_ACCOUNT, namespace: older }],
        },
      });
      await ensureTenantNamespace(kc, { ...spec, namespace: older });
      const binding = await rbac.readNamespacedRoleBinding({
        namespace: older,
        name: TENANT_OBJECT_NAMES.roleBinding,
      });
      assert.equal(binding.roleRef.kind, "ClusterRole");
      assert.equal(binding.roleRef.name, TENANT_CLUSTER_ROLE);
    } finally {
      await core.deleteNamespace({ name: older }).catch(() => undefined);
    }
  });

  it("follows an on-chain ownership transfer", async () => {
    const newOwner = `0x${"b2".repeat(32)}`;
    await ensureTenantNamespace(kc, { ...spec, owner: newOwner });
    const ns = await core.readNamespace({ name: namespace });
    assert.equal(ns.metadata?.annotations?.[ANNOTATION_OWNER], newOwner);
    await ensureTenantNamespace(kc, spec);
  });

  it("lists managed namespaces with owner and cluster", async () => {
    const managed = await listManagedNamespaces(kc, { clusterId: TEST_CLUSTER_ID });
    assert.deepEqual(
      managed.find((found) => found.namespace === namespace),
      {
        namespace,
        owner: TEST_OWNER,
        clusterId: TEST_CLUSTER_ID,
        claimId: CLAIM,
        terminating: false,
      },
    );
    const other = await listManagedNamespaces(kc, { clusterId: `0x${"99".repeat(32)}` });
    assert.equal(
      other.some((found) => found.namespace === namespace),
      false,
    );
  });

  it("refuses to take over a namespace it does not manage, or another cluster's", async () => {
    await assert.rejects(ensureTenantNamespace(kc, { ...spec, namespace: "default" }), (error) =>
      isK8sError(error, "K8S_NAMESPACE_NOT_MANAGED"),
    );
    await assert.rejects(
      ensureTenantNamespace(kc, { ...spec, clusterId: `0x${"99".repeat(32)}` }),
      (error) => isK8sError(error, "K8S_NAMESPACE_OTHER_CLUSTER"),
    );
    await assert.rejects(removeTenantNamespace(kc, "default"), (error) =>
      isK8sError(error, "K8S_NAMESPACE_NOT_MANAGED"),
    );
    await core.readNamespace({ name: "default" });
  });

  it("a new claim of the name starts empty: the previous claim's namespace and objects are deleted first", async () => {
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: "previous-tenant-secret" }, data: { token: "s3cret" } },
    });
    const before = await core.readNamespace({ name: namespace });
    const newClaim = { ...spec, owner: `0x${"b2".repeat(32)}`, claimId: `0x${"c2".repeat(32)}` };
    const result = await ensureTenantNamespace(kc, newClaim);
    assert.equal(result.created, true, "provisioned afresh");
    const after = await core.readNamespace({ name: namespace });
    assert.notEqual(after.metadata?.uid, before.metadata?.uid, "a new namespace object");
    assert.equal(after.metadata?.annotations?.[ANNOTATION_CLAIM], newClaim.claimId);
    const configMaps = await core.listNamespacedConfigMap({ namespace });
    assert.equal(
      configMaps.items.some((cm) => cm.metadata?.name === "previous-tenant-secret"),
      false,
      "nothing of the previous claim is left",
    );
    // The same claim again changes nothing (no second wipe).
    const again = await ensureTenantNamespace(kc, newClaim);
    assert.equal(again.created, false);
    assert.equal(
      (await core.readNamespace({ name: namespace })).metadata?.uid,
      after.metadata?.uid,
    );
  });

  it("removes a tenant namespace and waits until it is gone", async () => {
    assert.equal(await removeTenantNamespace(kc, namespace), true);
    const names = (await core.listNamespace()).items.map((ns) => ns.metadata?.name);
    assert.equal(names.includes(namespace), false);
    assert.equal(await removeTenantNamespace(kc, namespace), false);
  });
});
