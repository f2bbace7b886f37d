import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AppsV1Api, CoreV1Api, type V1Pod, VersionApi } from "@kubernetes/client-node";
import { KWOK_NODE_ANNOTATION } from "../../src/k8s/testenv/components.ts";
import type { ClusterHandle } from "../../src/k8s/testenv/index.ts";
import { createTestNamespace, testCluster, uniqueNamespace, waitFor } from "../helpers/cluster.ts";

let cluster: ClusterHandle;
let core: CoreV1Api;
let apps: AppsV1Api;
const namespace = uniqueNamespace("deploy");

before(async () => {
  cluster = await testCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  apps = cluster.kubeConfig().makeApiClient(AppsV1Api);
  await createTestNamespace(core, namespace);
});

after(async () => {
  await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
});

test("the API server reports the upstream Kubernetes version", async (t) => {
  const v = cluster.versions;
  t.diagnostic(`kube-testenv: kubernetes ${v.kubernetes}, etcd ${v.etcd}, kwok ${v.kwok}`);
  const version = await cluster.kubeConfig().makeApiClient(VersionApi).getCode();
  t.diagnostic(`API server version: ${version.gitVersion} (${version.platform})`);
  assert.equal(version.gitVersion, v.kubernetes);
});

test("a Deployment of 3 replicas reaches 3 Running pods on KWOK nodes", async () => {
  const labels = { app: "web" };
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: "web" },
      spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: "web",
                image: "registry.k8s.io/pause:3.10",
                resources: { requests: { cpu: "100m", memory: "64Mi" } },
              },
            ],
          },
        },
      },
    },
  });
  // The shared cluster may hold nodes other tests add at any time; any KWOK node counts.
  const kwokNodeNames = async (): Promise<Set<string | undefined>> =>
    new Set(
      (await core.listNode()).items
        .filter((node) => node.metadata?.annotations?.[KWOK_NODE_ANNOTATION] === "fake")
        .map((node) => node.metadata?.name),
    );
  const ownNodes = await kwokNodeNames();
  for (const name of cluster.nodes) assert.ok(ownNodes.has(name), `${name} is not a KWOK node`);
  const pods = await waitFor(
    "3 Running pods of deployment web",
    async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector: "app=web" });
      const kwokNodes = await kwokNodeNames();
      const running = list.items.filter(
        (pod: V1Pod) => pod.status?.phase === "Running" && kwokNodes.has(pod.spec?.nodeName),
      );
      return running.length === 3 ? running : undefined;
    },
    {
      describe: async () => {
        const list = await core.listNamespacedPod({ namespace, labelSelector: "app=web" });
        return list.items
          .map((p) => `${p.metadata?.name}:${p.status?.phase}@${p.spec?.nodeName ?? "-"}`)
          .join(", ");
      },
    },
  );
  assert.equal(pods.length, 3);
  const ready = await waitFor("deployment web to report 3 ready replicas", async () => {
    const deployment = await apps.readNamespacedDeployment({ name: "web", namespace });
    return deployment.status?.readyReplicas === 3 ? deployment : undefined;
  });
  assert.equal(ready.status?.availableReplicas, 3);
});
