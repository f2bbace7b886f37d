import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { createTestNamespace, testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { expectStatus } from "./api-status.ts";

let core: CoreV1Api;
const restricted = uniqueNamespace("psa-restricted");
const unlabelled = uniqueNamespace("psa-default");

before(async () => {
  core = (await testCluster()).kubeConfig().makeApiClient(CoreV1Api);
  await createTestNamespace(core, restricted, {
    "pod-security.kubernetes.io/enforce": "restricted",
  });
  await createTestNamespace(core, unlabelled);
});

after(async () => {
  for (const name of [restricted, unlabelled]) {
    await core?.deleteNamespace({ name }).catch(() => undefined);
  }
});

const privilegedPod: V1Pod = {
  metadata: { name: "privileged" },
  spec: {
    containers: [
      {
        name: "root",
        image: "registry.k8s.io/pause:3.10",
        securityContext: { privileged: true },
      },
    ],
  },
};

test("Pod Security admission rejects a privileged pod in a restricted namespace", async () => {
  await expectStatus(
    core.createNamespacedPod({ namespace: restricted, body: privilegedPod }),
    403,
    /violates PodSecurity "restricted:latest".*privileged/,
  );
  const pods = await core.listNamespacedPod({ namespace: restricted });
  assert.equal(pods.items.length, 0);
});

test("the same privileged pod is admitted where no Pod Security level is enforced", async () => {
  // Proves the rejection above comes from Pod Security admission, not from the server
  // refusing privileged containers altogether.
  const created = await core.createNamespacedPod({ namespace: unlabelled, body: privilegedPod });
  assert.equal(created.spec?.containers[0]?.securityContext?.privileged, true);
});
