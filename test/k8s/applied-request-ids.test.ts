import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AppsV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import {
  ANNOTATION_REQUEST_ID,
  findAppliedObjects,
  findAppliedRequestIds,
  TenantExecutor,
} from "../../src/k8s/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import {
  eventually,
  object,
  ops,
  provisionTenant,
  restrictedPodSpec,
  TEST_CLUSTER_ID,
} from "./executor-fixtures.ts";

let kc: KubeConfig;
let core: CoreV1Api;
let namespace: string;
const FORGED = "999999";

before(async () => {
  kc = (await testCluster()).kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  namespace = await provisionTenant(kc, "applied");
  const executor = new TenantExecutor(kc);
  const outcomes = [
    await executor.execute(
      ops.apply(object("configmaps", namespace, "a", { data: { x: "1" } })),
      2001n,
    ),
    await executor.execute(
      ops.apply(
        object("deployments", namespace, "web", {
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: "web" } },
            template: {
              // A tenant can write our key into a template; controllers copy it onto pods.
              metadata: {
                labels: { app: "web" },
                annotations: { [ANNOTATION_REQUEST_ID]: FORGED },
              },
              spec: restrictedPodSpec(),
            },
          },
        }),
      ),
      2002n,
    ),
    await executor.execute(ops.patch("configmaps", namespace, "a", { data: { x: "2" } }), 2003n),
  ];
  for (const outcome of outcomes) assert.ok(outcome.statusCode < 300, outcome.summary);
});

after(async () => {
  if (namespace) await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe("request ids applied in the cluster", () => {
  it("are read from the objects our executor wrote, and only those", async () => {
    // Wait for the controllers' copies: the ReplicaSet (annotations of the deployment) and
    // the pod (annotations of the template, including the forged id).
    const apps = kc.makeApiClient(AppsV1Api);
    await eventually("the deployment's ReplicaSet", async () => {
      const sets = await apps.listNamespacedReplicaSet({ namespace });
      return sets.items[0];
    });
    const pod = await eventually("the deployment's pod", async () => {
      const pods = await core.listNamespacedPod({ namespace });
      return pods.items[0];
    });
    assert.equal(pod.metadata?.annotations?.[ANNOTATION_REQUEST_ID], FORGED);

    const objects = await findAppliedObjects(kc, { namespaces: [namespace] });
    assert.deepEqual(
      objects.map((found) => [found.requestId, found.resource, found.name]),
      [
        [2002n, "deployments", "web"],
        // The patch is the last request that wrote the config map.
        [2003n, "configmaps", "a"],
      ],
    );
  });

  it("are found across all managed namespaces of the cluster when none are named", async () => {
    const ids = await findAppliedRequestIds(kc, undefined, { clusterId: TEST_CLUSTER_ID });
    assert.ok(ids.has(2002n) && ids.has(2003n), [...ids].join(","));
    assert.equal(ids.has(BigInt(FORGED)), false);
    const elsewhere = await findAppliedRequestIds(kc, undefined, {
      clusterId: `0x${"99".repeat(32)}`,
    });
    assert.equal(elsewhere.has(2002n), false);
  });
});
