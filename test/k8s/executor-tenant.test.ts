import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import {
  ANNOTATION_REQUEST_ID,
  impersonatingConfig,
  isK8sError,
  KubeApiClient,
  TenantExecutor,
  tenantUser,
} from "../../src/k8s/index.ts";
import {
  applyObject,
  deleteObject,
  getObject,
  listObjects,
  tenantApiResource,
} from "../../src/k8s/objects.ts";
import { NAMESPACES } from "../../src/k8s/tenancy-manifests.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import {
  eventually,
  object,
  ops,
  provisionTenant,
  resourceType,
  restrictedPodSpec,
} from "./executor-fixtures.ts";

let kc: KubeConfig;
let core: CoreV1Api;
let executor: TenantExecutor;
let tenantA: string;
let tenantB: string;
const unprovisioned = uniqueNamespace("bare");

type Meta = {
  uid?: string;
  resourceVersion?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
};
const metaOf = (output: unknown): Meta => (output as { metadata: Meta }).metadata;

before(async () => {
  kc = (await testCluster()).kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  executor = new TenantExecutor(kc);
  tenantA = await provisionTenant(kc, "tenant-a");
  tenantB = await provisionTenant(kc, "tenant-b");
  await core.createNamespace({ body: { metadata: { name: unprovisioned } } });
});

after(async () => {
  for (const name of [tenantA, tenantB, unprovisioned]) {
    if (name) await core?.deleteNamespace({ name }).catch(() => undefined);
  }
});

describe("executor in a tenant namespace", () => {
  it("applies a restricted-compliant pod once: a second apply of the same request changes nothing", async () => {
    const pod = object("pods", tenantA, "web", { spec: restrictedPodSpec() });
    const first = await executor.execute(ops.apply(pod), 1001n);
    assert.equal(first.statusCode, 201, first.summary);
    assert.equal(first.summary, "pod/web created");
    const created = metaOf(first.output);
    assert.equal(created.annotations?.[ANNOTATION_REQUEST_ID], "1001");

    const second = await executor.execute(ops.apply(pod), 1001n);
    assert.equal(second.statusCode, 200, second.summary);
    assert.equal(second.summary, "pod/web configured");
    assert.equal(metaOf(second.output).uid, created.uid);

    const pods = await core.listNamespacedPod({ namespace: tenantA });
    assert.deepEqual(
      pods.items.map((p) => p.metadata?.name),
      ["web"],
    );
    // The LimitRange filled in what the pod left out, so the quota admitted it.
    assert.equal(pods.items[0]?.spec?.containers[0]?.resources?.requests?.cpu, "100m");
    assert.equal(
      (first.output as { metadata: { managedFields?: unknown } }).metadata.managedFields,
      undefined,
    );
  });

  it("re-applying an unchanged object writes nothing (same resourceVersion)", async () => {
    // A config map, because the scheduler keeps updating the status of an unscheduled pod.
    const config = object("configmaps", tenantA, "stable", { data: { a: "1" } });
    const first = await executor.execute(ops.apply(config), 1030n);
    const second = await executor.execute(ops.apply(config), 1030n);
    assert.deepEqual([first.statusCode, second.statusCode], [201, 200]);
    assert.equal(metaOf(second.output).resourceVersion, metaOf(first.output).resourceVersion);
  });

  it("gets, lists and merge-patches", async () => {
    const got = await executor.execute(ops.get("pods", tenantA, "web"), 1002n);
    assert.equal(got.statusCode, 200);
    assert.equal(got.summary, "pod/web found");
    assert.equal(metaOf(got.output).annotations?.[ANNOTATION_REQUEST_ID], "1001");

    const listed = await executor.execute(ops.list("pods", tenantA), 1003n);
    assert.equal(listed.statusCode, 200);
    assert.equal(listed.summary, "1 pod");
    assert.equal((listed.output as { kind: string; items: unknown[] }).kind, "PodList");

    const patched = await executor.execute(
      ops.patch("pods", tenantA, "web", { metadata: { labels: { tier: "frontend" } } }),
      1004n,
    );
    assert.equal(patched.statusCode, 200, patched.summary);
    assert.equal(patched.summary, "pod/web patched");
    assert.equal(metaOf(patched.output).labels?.tier, "frontend");
    assert.equal(metaOf(patched.output).annotations?.[ANNOTATION_REQUEST_ID], "1004");

    const missing = await executor.execute(ops.get("pods", tenantA, "nope"), 1005n);
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.errorCode, "K8S_NOT_FOUND");
    assert.match(missing.summary, /"nope" not found/);
  });

  it("serves repeated reads over one connection pool (latency printed, not asserted)", async () => {
    const rounds = 50;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) {
      const outcome = await executor.execute(ops.get("pods", tenantA, "web"), 1100n + BigInt(i));
      assert.equal(outcome.statusCode, 200);
    }
    const perCall = (performance.now() - started) / rounds;
    console.log(
      `# executor: ${rounds} impersonated GETs, ${perCall.toFixed(1)} ms each on average`,
    );
  });

  it("applies a deployment", async () => {
    const deployment = object("deployments", tenantA, "api", {
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "api" } },
        template: { metadata: { labels: { app: "api" } }, spec: restrictedPodSpec() },
      },
    });
    const outcome = await executor.execute(ops.apply(deployment), 1006n);
    assert.equal(outcome.statusCode, 201, outcome.summary);
    assert.equal(outcome.summary, "deployment.apps/api created");
  });

  it("reports the API server's refusals with their status and a stable code", async () => {
    const privileged = object("pods", tenantA, "root", {
      spec: {
        containers: [
          {
            name: "root",
            image: "registry.k8s.io/pause:3.10",
            securityContext: { privileged: true },
          },
        ],
      },
    });
    const refused = await executor.execute(ops.apply(privileged), 1007n);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.errorCode, "K8S_FORBIDDEN");
    assert.match(refused.summary, /violates PodSecurity "restricted:latest"/);

    const invalid = object("deployments", tenantA, "broken", {
      spec: { template: { spec: restrictedPodSpec() } },
    });
    const rejected = await executor.execute(ops.apply(invalid), 1008n);
    assert.equal(rejected.statusCode, 422);
    assert.equal(rejected.errorCode, "K8S_INVALID");
  });

  it("deletes once; a repeat is 404, or 'already deleted' when resumed after a crash", async () => {
    const config = object("configmaps", tenantA, "settings", { data: { a: "1" } });
    assert.equal((await executor.execute(ops.apply(config), 1010n)).statusCode, 201);

    const deleted = await executor.execute(ops.delete("configmaps", tenantA, "settings"), 1011n);
    assert.equal(deleted.statusCode, 200, deleted.summary);
    assert.equal(deleted.summary, "configmap/settings deleted");

    const again = await executor.execute(ops.delete("configmaps", tenantA, "settings"), 1011n, {
      resumed: true,
    });
    assert.deepEqual(
      [again.statusCode, again.summary],
      [200, "configmap/settings already deleted"],
    );

    const fresh = await executor.execute(ops.delete("configmaps", tenantA, "settings"), 1012n);
    assert.deepEqual([fresh.statusCode, fresh.errorCode], [404, "K8S_NOT_FOUND"]);
  });

  it("deletes a pod (Background), which then goes away", async () => {
    const outcome = await executor.execute(ops.delete("pods", tenantA, "web"), 1013n);
    assert.equal(outcome.statusCode, 200, outcome.summary);
    await eventually("pod/web to be gone", async () => {
      const pods = await core.listNamespacedPod({ namespace: tenantA });
      return pods.items.some((p) => p.metadata?.name === "web") ? undefined : true;
    });
  });
});

describe("isolation between tenants (RBAC of the impersonated account)", () => {
  const asTenantA = () => new KubeApiClient(impersonatingConfig(kc, tenantUser(tenantA)));
  const forbidden = (error: unknown) =>
    isK8sError(error, "K8S_FORBIDDEN") && error.statusCode === 403;
  const pods = () => tenantApiResource(resourceType("pods"));

  it("tenant A's identity works in A and is refused in B for every verb", async () => {
    const client = asTenantA();
    await listObjects(client, pods(), tenantA);
    await assert.rejects(listObjects(client, pods(), tenantB), forbidden);
    await assert.rejects(getObject(client, pods(), { namespace: tenantB, name: "web" }), forbidden);
    await assert.rejects(
      applyObject(
        client,
        pods(),
        object("pods", tenantB, "intruder", { spec: restrictedPodSpec() }),
        {
          force: false,
        },
      ),
      forbidden,
    );
    await assert.rejects(
      deleteObject(client, pods(), { namespace: tenantB, name: "web" }),
      forbidden,
    );
    await assert.rejects(listObjects(client, pods(), "kube-system"), forbidden);
    await assert.rejects(listObjects(client, NAMESPACES, undefined), forbidden);
    const inB = await core.listNamespacedPod({ namespace: tenantB });
    assert.equal(inB.items.length, 0);
  });

  it("a tenant cannot read the objects only the control plane writes (RBAC, secrets elsewhere)", async () => {
    const client = asTenantA();
    const roles = {
      group: "rbac.authorization.k8s.io",
      version: "v1",
      plural: "roles",
      namespaced: true,
    };
    await assert.rejects(listObjects(client, roles, tenantA), forbidden);
    const secrets = tenantApiResource(resourceType("secrets"));
    await listObjects(client, secrets, tenantA);
    await assert.rejects(listObjects(client, secrets, tenantB), forbidden);
  });

  it("the executor acts only with the namespace's own account: an unprovisioned namespace is refused", async () => {
    const pod = object("pods", unprovisioned, "web", { spec: restrictedPodSpec() });
    const outcome = await executor.execute(ops.apply(pod), 1020n);
    assert.equal(outcome.statusCode, 403);
    assert.equal(outcome.errorCode, "K8S_FORBIDDEN");
    assert.match(outcome.summary, new RegExp(tenantUser(unprovisioned)));
  });
});
