import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import type { ClusterHandle } from "../../src/k8s/testenv/index.ts";
import { createTestNamespace, testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { expectStatus } from "./api-status.ts";

let cluster: ClusterHandle;
let admin: CoreV1Api;
const tenantNamespace = uniqueNamespace("tenant-a");
const otherNamespace = uniqueNamespace("tenant-b");

before(async () => {
  cluster = await testCluster();
  admin = cluster.kubeConfig().makeApiClient(CoreV1Api);
  for (const name of [tenantNamespace, otherNamespace]) {
    await createTestNamespace(admin, name);
  }
});

after(async () => {
  for (const name of [tenantNamespace, otherNamespace]) {
    await admin?.deleteNamespace({ name }).catch(() => undefined);
  }
});

/** A client that authenticates as the ServiceAccount with a token the API server issued. */
async function clientForServiceAccount(namespace: string, name: string): Promise<CoreV1Api> {
  const request = await admin.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const token = request.status?.token;
  assert.ok(token, "TokenRequest returned no token");
  const adminConfig = cluster.kubeConfig();
  const caFile = adminConfig.getCurrentCluster()?.caFile;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "testenv", server: cluster.server, caFile, skipTLSVerify: false }],
    users: [{ name, token }],
    contexts: [{ name: "sa", cluster: "testenv", user: name }],
    currentContext: "sa",
  });
  return config.makeApiClient(CoreV1Api);
}

test("a ServiceAccount bound to namespace A is allowed in A and denied in B by RBAC", async () => {
  await admin.createNamespacedServiceAccount({
    namespace: tenantNamespace,
    body: { metadata: { name: "tenant" } },
  });
  const rbac = cluster.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace: tenantNamespace,
    body: {
      metadata: { name: "tenant-pods" },
      rules: [
        { apiGroups: [""], resources: ["pods", "configmaps"], verbs: ["get", "list", "create"] },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: tenantNamespace,
    body: {
      metadata: { name: "tenant-pods" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant-pods" },
      subjects: [{ kind: "ServiceAccount", name: "tenant", namespace: tenantNamespace }],
    },
  });
  const tenant = await clientForServiceAccount(tenantNamespace, "tenant");

  // Allowed in its own namespace.
  const pods = await tenant.listNamespacedPod({ namespace: tenantNamespace });
  assert.deepEqual(pods.items, []);
  await tenant.createNamespacedConfigMap({
    namespace: tenantNamespace,
    body: { metadata: { name: "allowed" }, data: { ok: "yes" } },
  });

  // Denied everywhere else, by the API server's authorizer.
  await expectStatus(tenant.listNamespacedPod({ namespace: otherNamespace }), 403, /forbidden/);
  await expectStatus(
    tenant.createNamespacedConfigMap({
      namespace: otherNamespace,
      body: { metadata: { name: "denied" } },
    }),
    403,
    /cannot create resource "configmaps"/,
  );
  await expectStatus(tenant.listNamespace(), 403, /cannot list resource "namespaces"/);
  // And no verb beyond the Role's: delete is refused even at home.
  await expectStatus(
    tenant.deleteNamespacedConfigMap({ namespace: tenantNamespace, name: "allowed" }),
    403,
    /cannot delete resource "configmaps"/,
  );
});
