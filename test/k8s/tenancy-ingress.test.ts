import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, type KubeConfig, NetworkingV1Api } from "@kubernetes/client-node";
import { ensureTenantNamespace, TENANT_OBJECT_NAMES } from "../../src/k8s/index.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { TEST_CLAIM_ID, TEST_CLUSTER_ID, TEST_OWNER } from "./executor-fixtures.ts";

// kube-testenv has no ingress controller (and no network plugin enforcing policies): what is
// checked here is that the API server accepts the policy and that provisioning writes it.

let kc: KubeConfig;
const namespace = uniqueNamespace("ingress");

before(async () => {
  kc = (await testCluster()).kubeConfig();
});

after(async () => {
  await kc
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace })
    .catch(() => undefined);
});

describe("tenancy: the ingress controller's namespace is let in when the cluster names one", () => {
  it("provisioning writes the policy the API server accepts", async () => {
    await ensureTenantNamespace(kc, {
      namespace,
      owner: TEST_OWNER,
      clusterId: TEST_CLUSTER_ID,
      claimId: TEST_CLAIM_ID,
      ingressControllerNamespace: "ingress-nginx",
    });
    const policy = await kc
      .makeApiClient(NetworkingV1Api)
      .readNamespacedNetworkPolicy({ namespace, name: TENANT_OBJECT_NAMES.ingressController });
    assert.deepEqual(policy.spec?.policyTypes, ["Ingress"]);
    assert.deepEqual(policy.spec?.ingress?.[0]?._from?.[0]?.namespaceSelector?.matchLabels, {
      "kubernetes.io/metadata.name": "ingress-nginx",
    });
    // Exactly one peer, a namespace: no pod selector or IP block widens it.
    assert.equal(policy.spec?.ingress?.length, 1);
    assert.equal(policy.spec?.ingress?.[0]?._from?.length, 1);
    assert.equal(policy.spec?.ingress?.[0]?._from?.[0]?.podSelector, undefined);
    assert.equal(policy.spec?.ingress?.[0]?._from?.[0]?.ipBlock, undefined);
  });

  it("a controller named anew replaces the old one; none named removes the allowance", async () => {
    const spec = {
      namespace,
      owner: TEST_OWNER,
      clusterId: TEST_CLUSTER_ID,
      claimId: TEST_CLAIM_ID,
    };
    const networking = kc.makeApiClient(NetworkingV1Api);
    await ensureTenantNamespace(kc, { ...spec, ingressControllerNamespace: "kube-system" });
    const moved = await networking.readNamespacedNetworkPolicy({
      namespace,
      name: TENANT_OBJECT_NAMES.ingressController,
    });
    assert.deepEqual(moved.spec?.ingress?.[0]?._from?.[0]?.namespaceSelector?.matchLabels, {
      "kubernetes.io/metadata.name": "kube-system",
    });
    await ensureTenantNamespace(kc, spec);
    const names = (await networking.listNamespacedNetworkPolicy({ namespace })).items.map(
      (policy) => policy.metadata?.name,
    );
    assert.deepEqual(
      names.sort(),
      [
        TENANT_OBJECT_NAMES.denyAll,
        TENANT_OBJECT_NAMES.dns,
        TENANT_OBJECT_NAMES.sameNamespace,
      ].sort(),
    );
  });
});
