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
  });
});
