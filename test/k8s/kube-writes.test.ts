// The kubectl gateway's verbs end to end on the real API server: a KubeWrite payload through
// admission (as the pipeline runs it) and the impersonating executor, one test per verb.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AppsV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { admit, resolvedObjectPolicy } from "../../src/control/admission/index.ts";
import type { TenantRequest } from "../../src/control/tenant-request.ts";
import { ANNOTATION_REQUEST_ID, TenantExecutor } from "../../src/k8s/index.ts";
import type { RequestOutcome, ResolvedObjectPolicy } from "../../src/k8s/operations.ts";
import { encodeKubeWrite, type KubeWrite } from "../../src/protocol/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import { provisionTenant, restrictedPodSpec, TEST_CLUSTER_ID } from "./executor-fixtures.ts";

let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let executor: TenantExecutor;
let namespace: string;
let nextId = 1000n;
/** Runs inside the policy, between the dry run and the write (the race test sets it). */
let duringJudgement: (() => Promise<void>) | undefined;

type Meta = {
  name?: string;
  resourceVersion?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  managedFields?: { manager: string; operation: string }[];
};
const metaOf = (outcome: RequestOutcome): Meta => (outcome.output as { metadata: Meta }).metadata;

function write(fields: Omit<KubeWrite, "apiVersion" | "kind">): KubeWrite {
  return { apiVersion: "k8s-daas.io/v1", kind: "KubeWrite", ...fields };
}

/** Admission then execution, as the pipeline does; a refusal is returned as its outcome. */
async function submit(
  method: string,
  resource: string,
  name: string,
  envelope: KubeWrite,
  options: { dryRun?: boolean } = {},
): Promise<RequestOutcome> {
  const request: TenantRequest = {
    requestId: nextId++,
    clusterId: TEST_CLUSTER_ID,
    method,
    resource,
    namespace,
    name,
    payload: encodeKubeWrite(envelope),
    priority: 0,
    requester: "0x1",
  };
  const admitted = admit(request);
  if (!admitted.ok) {
    const { code, statusCode, message } = admitted.rejection;
    return { statusCode, errorCode: code, summary: message, output: undefined };
  }
  return executor.execute(admitted.operation, request.requestId, options);
}

function deployment(name: string, replicas = 1): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: restrictedPodSpec() },
    },
  };
}

before(async () => {
  kc = (await testCluster()).kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  const policy = resolvedObjectPolicy({ placeOnWorkers: false, clusterId: TEST_CLUSTER_ID });
  const judge: ResolvedObjectPolicy = async (target, resolved, live) => {
    // The race test lands another write here: after the dry run, before the executor's write.
    await duringJudgement?.();
    return policy(target, resolved, live);
  };
  executor = new TenantExecutor(kc, { resolvedPolicy: judge });
  namespace = await provisionTenant(kc, "gw-writes");
});

after(async () => {
  if (namespace) await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe("KubeWrite verbs as the tenant", () => {
  it("create is a real create: 201 with the API server's object, then 409 AlreadyExists", async () => {
    const created = await submit(
      "POST",
      "configmaps",
      "settings",
      write({ verb: "create", body: { metadata: { name: "settings" }, data: { a: "1" } } }),
    );
    assert.equal(created.statusCode, 201, created.summary);
    assert.ok(metaOf(created).managedFields?.length, "the body is verbatim (managedFields kept)");
    assert.ok(metaOf(created).annotations?.[ANNOTATION_REQUEST_ID]);
    const again = await submit(
      "POST",
      "configmaps",
      "settings",
      write({ verb: "create", body: { metadata: { name: "settings" }, data: { a: "2" } } }),
    );
    assert.equal(again.statusCode, 409);
    assert.equal(again.errorCode, "K8S_ALREADY_EXISTS");
    assert.equal((again.output as { kind: string; reason: string }).reason, "AlreadyExists");
  });

  it("a resumed create whose earlier attempt landed answers that object (idempotent by request id)", async () => {
    const envelope = write({
      verb: "create",
      body: { metadata: { name: "once" }, data: { a: "1" } },
    });
    const request: TenantRequest = {
      requestId: nextId++,
      clusterId: TEST_CLUSTER_ID,
      method: "POST",
      resource: "configmaps",
      namespace,
      name: "once",
      payload: encodeKubeWrite(envelope),
      priority: 0,
      requester: "0x1",
    };
    const admitted = admit(request);
    assert.ok(admitted.ok);
    const first = await executor.execute(admitted.operation, request.requestId);
    assert.equal(first.statusCode, 201);
    const resumed = await executor.execute(admitted.operation, request.requestId, {
      resumed: true,
    });
    assert.equal(resumed.statusCode, 201, resumed.summary);
    assert.equal(
      (resumed.output as { metadata: { uid: string } }).metadata.uid,
      (first.output as { metadata: { uid: string } }).metadata.uid,
    );
    // Another request creating the same name is a real conflict, resumed or not.
    const other = await executor.execute(admitted.operation, request.requestId + 1n, {
      resumed: true,
    });
    assert.equal(other.statusCode, 409);
  });

  it("update keeps resourceVersion: current version 200, a stale one 409 Conflict", async () => {
    const current = await core.readNamespacedConfigMap({ name: "settings", namespace });
    const stale = current.metadata?.resourceVersion;
    // A body read from the server (uid, creationTimestamp, managedFields…) is accepted.
    const body = JSON.parse(JSON.stringify({ ...current, data: { a: "updated" } }));
    const updated = await submit("PUT", "configmaps", "settings", write({ verb: "update", body }));
    assert.equal(updated.statusCode, 200, updated.summary);
    assert.equal((updated.output as { data: { a: string } }).data.a, "updated");
    assert.notEqual(metaOf(updated).resourceVersion, stale);
    const lost = await submit("PUT", "configmaps", "settings", write({ verb: "update", body }));
    assert.equal(lost.statusCode, 409);
    assert.equal((lost.output as { reason: string }).reason, "Conflict");
  });

  it("a strategic merge patch is resolved, judged and written; its result is the object", async () => {
    const created = await submit(
      "POST",
      "deployments.apps",
      "web",
      write({ verb: "create", body: deployment("web") }),
    );
    assert.equal(created.statusCode, 201, created.summary);
    const patched = await submit(
      "PATCH",
      "deployments.apps",
      "web",
      write({
        verb: "patch",
        patchType: "strategic",
        fieldManager: "kubectl-set",
        body: {
          spec: {
            template: {
              spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.9" }] },
            },
          },
        },
      }),
    );
    assert.equal(patched.statusCode, 200, patched.summary);
    const live = await apps.readNamespacedDeployment({ name: "web", namespace });
    const [container] = live.spec?.template.spec?.containers ?? [];
    assert.equal(container?.image, "registry.k8s.io/pause:3.9");
    // Strategic merge kept the container's security settings (merged by name).
    assert.equal(container?.securityContext?.allowPrivilegeEscalation, false);
    assert.equal(
      live.metadata?.annotations?.[ANNOTATION_REQUEST_ID],
      metaOf(patched).annotations?.[ANNOTATION_REQUEST_ID],
    );
  });

  it("a strategic patch adding hostNetwork, or a JSON patch making a container privileged, is refused and writes nothing", async () => {
    const before = await apps.readNamespacedDeployment({ name: "web", namespace });
    const hostNetwork = await submit(
      "PATCH",
      "deployments.apps",
      "web",
      write({
        verb: "patch",
        patchType: "strategic",
        body: { spec: { template: { spec: { hostNetwork: true } } } },
      }),
    );
    assert.equal(hostNetwork.statusCode, 403, hostNetwork.summary);
    assert.match(String(hostNetwork.errorCode), /^ADMISSION_/);
    assert.match((hostNetwork.output as { message: string }).message, /^ADMISSION_\w+: /);
    const jsonHostNetwork = await submit(
      "PATCH",
      "deployments.apps",
      "web",
      write({
        verb: "patch",
        patchType: "json",
        body: [{ op: "add", path: "/spec/template/spec/hostNetwork", value: true }],
      }),
    );
    assert.equal(jsonHostNetwork.statusCode, 403, jsonHostNetwork.summary);
    const privileged = await submit(
      "PATCH",
      "deployments.apps",
      "web",
      write({
        verb: "patch",
        patchType: "strategic",
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "app",
                    securityContext: { privileged: true, allowPrivilegeEscalation: true },
                  },
                ],
              },
            },
          },
        },
      }),
    );
    assert.equal(privileged.statusCode, 403, privileged.summary);
    const hostPath = await submit(
      "PATCH",
      "deployments.apps",
      "web",
      write({
        verb: "patch",
        patchType: "merge",
        body: {
          spec: { template: { spec: { volumes: [{ name: "root", hostPath: { path: "/" } }] } } },
        },
      }),
    );
    assert.equal(hostPath.statusCode, 403, hostPath.summary);
    // The controller keeps writing the status; the spec (its generation) must not move.
    const after = await apps.readNamespacedDeployment({ name: "web", namespace });
    assert.equal(after.metadata?.generation, before.metadata?.generation);
    assert.equal(after.spec?.template.spec?.hostNetwork, undefined);
    assert.deepEqual(after.metadata?.annotations, before.metadata?.annotations);
  });

  it("an apply patch creates then updates, owned by the tenant's field manager", async () => {
    const applyCm = (value: string) =>
      write({
        verb: "patch",
        patchType: "apply",
        fieldManager: "kubectl",
        force: false,
        body: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "applied" },
          data: { k: value },
        },
      });
    const first = await submit("PATCH", "configmaps", "applied", applyCm("one"));
    assert.equal(first.statusCode, 201, first.summary);
    const second = await submit("PATCH", "configmaps", "applied", applyCm("two"));
    assert.equal(second.statusCode, 200, second.summary);
    assert.equal((second.output as { data: { k: string } }).data.k, "two");
    assert.ok(
      metaOf(second).managedFields?.some((f) => f.manager === "kubectl" && f.operation === "Apply"),
    );
  });

  it("the scale subresource: a merge patch and an update of the Scale", async () => {
    const patched = await submit(
      "PATCH",
      "deployments.apps/scale",
      "web",
      write({
        verb: "patch",
        subresource: "scale",
        patchType: "merge",
        body: { spec: { replicas: 3 } },
      }),
    );
    assert.equal(patched.statusCode, 200, patched.summary);
    assert.equal((patched.output as { kind: string }).kind, "Scale");
    assert.equal(
      (await apps.readNamespacedDeployment({ name: "web", namespace })).spec?.replicas,
      3,
    );
    const updated = await submit(
      "PUT",
      "deployments.apps/scale",
      "web",
      write({
        verb: "update",
        subresource: "scale",
        body: {
          apiVersion: "autoscaling/v1",
          kind: "Scale",
          metadata: { name: "web" },
          spec: { replicas: 2 },
        },
      }),
    );
    assert.equal(updated.statusCode, 200, updated.summary);
    assert.equal(
      (await apps.readNamespacedDeployment({ name: "web", namespace })).spec?.replicas,
      2,
    );
  });

  it("a patch racing one other write is judged again on the new state and lands", async () => {
    let raced = false;
    duringJudgement = async () => {
      if (raced) return;
      raced = true;
      await core.patchNamespacedConfigMap({
        name: "applied",
        namespace,
        body: [{ op: "add", path: "/data/other", value: "racer" }],
      });
    };
    const patched = await submit(
      "PATCH",
      "configmaps",
      "applied",
      write({ verb: "patch", patchType: "merge", body: { data: { k: "mine" } } }),
    );
    duringJudgement = undefined;
    assert.ok(raced);
    assert.equal(patched.statusCode, 200, patched.summary);
    const live = await core.readNamespacedConfigMap({ name: "applied", namespace });
    assert.deepEqual(live.data, { k: "mine", other: "racer" });
  });

  it("a patch that loses every race is 409 Conflict and writes nothing of its own", async () => {
    let writes = 0;
    duringJudgement = async () => {
      writes++;
      await core.patchNamespacedConfigMap({
        name: "applied",
        namespace,
        body: [{ op: "replace", path: "/data/k", value: `racer-${writes}` }],
      });
    };
    const raced = await submit(
      "PATCH",
      "configmaps",
      "applied",
      write({ verb: "patch", patchType: "merge", body: { data: { k: "mine" } } }),
    );
    duringJudgement = undefined;
    assert.ok(writes > 1, "resolved again after the first lost race");
    assert.equal(raced.statusCode, 409, raced.summary);
    assert.equal((raced.output as { reason: string }).reason, "Conflict");
    const live = await core.readNamespacedConfigMap({ name: "applied", namespace });
    assert.equal(live.data?.k, `racer-${writes}`);
  });

  it("an apply patch is conditioned on the version it was judged against: losing every race is 409", async () => {
    let writes = 0;
    duringJudgement = async () => {
      writes++;
      await core.patchNamespacedConfigMap({
        name: "applied",
        namespace,
        body: [{ op: "replace", path: "/data/k", value: `apply-racer-${writes}` }],
      });
    };
    const raced = await submit(
      "PATCH",
      "configmaps",
      "applied",
      write({
        verb: "patch",
        patchType: "apply",
        fieldManager: "kubectl",
        force: true,
        body: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "applied" },
          data: { k: "applied" },
        },
      }),
    );
    duringJudgement = undefined;
    assert.equal(raced.statusCode, 409, raced.summary);
    const live = await core.readNamespacedConfigMap({ name: "applied", namespace });
    assert.equal(live.data?.k, `apply-racer-${writes}`);
  });

  it("dry run: create, patch and delete answer as the API server would and persist nothing", async () => {
    const created = await submit(
      "POST",
      "configmaps",
      "ghost",
      write({ verb: "create", body: { metadata: { name: "ghost" }, data: { a: "1" } } }),
      { dryRun: true },
    );
    assert.equal(created.statusCode, 201, created.summary);
    await assert.rejects(core.readNamespacedConfigMap({ name: "ghost", namespace }));
    const patched = await submit(
      "PATCH",
      "configmaps",
      "settings",
      write({ verb: "patch", patchType: "merge", body: { data: { a: "dry" } } }),
      { dryRun: true },
    );
    assert.equal(patched.statusCode, 200, patched.summary);
    assert.equal((patched.output as { data: { a: string } }).data.a, "dry");
    const deleted = await submit("DELETE", "configmaps", "settings", write({ verb: "delete" }), {
      dryRun: true,
    });
    assert.equal(deleted.statusCode, 200, deleted.summary);
    const live = await core.readNamespacedConfigMap({ name: "settings", namespace });
    assert.equal(live.data?.a, "updated");
  });

  it("delete with DeleteOptions, then deletecollection by label selector", async () => {
    const deleted = await submit(
      "DELETE",
      "configmaps",
      "settings",
      write({ verb: "delete", body: { propagationPolicy: "Background", gracePeriodSeconds: 0 } }),
    );
    assert.equal(deleted.statusCode, 200, deleted.summary);
    await assert.rejects(core.readNamespacedConfigMap({ name: "settings", namespace }));
    for (const [name, tier] of [
      ["keep", "db"],
      ["drop-1", "web"],
      ["drop-2", "web"],
    ]) {
      const made = await submit(
        "POST",
        "configmaps",
        name as string,
        write({ verb: "create", body: { metadata: { name, labels: { tier } } } }),
      );
      assert.equal(made.statusCode, 201, made.summary);
    }
    const collected = await submit(
      "DELETE",
      "configmaps",
      "",
      write({ verb: "deletecollection", labelSelector: "tier=web" }),
    );
    assert.equal(collected.statusCode, 200, collected.summary);
    const left = await core.listNamespacedConfigMap({ namespace, labelSelector: "tier" });
    assert.deepEqual(
      left.items.map((item) => item.metadata?.name),
      ["keep"],
    );
  });
});
