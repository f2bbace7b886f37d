import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { signedHeaders } from "../../src/control/http/auth.ts";
import { impersonatingConfig, isK8sError, KubeApiClient, tenantUser } from "../../src/k8s/index.ts";
import { testCluster, waitFor } from "../helpers/cluster.ts";
import {
  newTenant,
  openStack,
  type Stack,
  submitConfigMap,
  submitRequest,
  waitForResult,
} from "../helpers/stack.ts";

const summaryOf = (result: { summary: string }) => result.summary;

describe("nautilus-control end to end: transaction → Kubernetes → signed result on chain", () => {
  let stack: Stack;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  before(async () => {
    const cluster = await testCluster();
    const kubeConfig = cluster.kubeConfig();
    core = kubeConfig.makeApiClient(CoreV1Api);
    apps = kubeConfig.makeApiClient(AppsV1Api);
    stack = await openStack(kubeConfig);
    await stack.startControl();
  });
  after(() => stack?.close());

  it("create_pod: the pod runs on a KWOK node and the result event says 201", async () => {
    const tenant = await newTenant(stack, `e2e-pod-${Date.now().toString(36)}`);
    const id = await submitRequest(
      stack,
      tenant.key,
      "create_pod",
      { pod_name: "web", namespace: tenant.namespace, image: "nginx:1.27", priority: 5 },
      { cap: tenant.capId },
    );
    const result = await waitForResult(stack, id);
    assert.equal(result.status_code, 201, summaryOf(result));
    const pod = await waitFor("pod web Running", async () => {
      const found = await core.readNamespacedPod({ name: "web", namespace: tenant.namespace });
      return found.status?.phase === "Running" ? found : undefined;
    });
    assert.ok(pod.spec?.nodeName, "scheduled on a node");
    assert.equal(pod.metadata?.annotations?.["k8s-daas.io/request-id"], String(id));
    assert.equal(pod.spec?.securityContext?.runAsNonRoot, true, "restricted defaults applied");

    // The full output is served to the requester only, and its sha256 is the one on chain.
    const path = `/v1/requests/${id}/output`;
    const url = `${stack.control?.url}${path}`;
    const sign = (key: typeof tenant.key) =>
      signedHeaders(key, { clusterId: stack.clusterId, method: "GET", url });
    const response = await stack.controlFetch(url, { headers: await sign(tenant.key) });
    assert.equal(response.status, 200);
    const body = await response.bytes();
    assert.equal(
      createHash("sha256").update(body).digest("hex"),
      Buffer.from(result.output_sha256).toString("hex"),
    );
    const stranger = await newTenant(stack, `e2e-x-${Date.now().toString(36)}`);
    const denied = await stack.controlFetch(url, { headers: await sign(stranger.key) });
    assert.equal(denied.status, 404);
    assert.equal((await stack.controlFetch(url)).status, 401);
  });

  it("execute_k8s_api: POST, GET, PATCH and DELETE a ConfigMap", async () => {
    const tenant = await newTenant(stack, `e2e-cm-${Date.now().toString(36)}`);
    const call = (method: string, name: string, payload: string) =>
      submitRequest(
        stack,
        tenant.key,
        "execute_k8s_api",
        { method, resource: "configmaps", namespace: tenant.namespace, name, payload, priority: 3 },
        { cap: tenant.capId },
      ).then((id) => waitForResult(stack, id));
    const manifest = JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: tenant.namespace },
      data: { color: "blue" },
    });
    const created = await call("POST", "settings", manifest);
    assert.ok(created.status_code === 200 || created.status_code === 201, summaryOf(created));
    const read = await submitRequest(stack, tenant.key, "submit_get", {
      resource: "configmaps",
      namespace: tenant.namespace,
      name: "settings",
      priority: 1,
    }).then((id) => waitForResult(stack, id));
    assert.equal(read.status_code, 200, summaryOf(read));
    const patched = await call("PATCH", "settings", JSON.stringify({ data: { color: "green" } }));
    assert.equal(patched.status_code, 200, summaryOf(patched));
    const live = await core.readNamespacedConfigMap({
      name: "settings",
      namespace: tenant.namespace,
    });
    assert.equal(live.data?.color, "green");
    const deleted = await call("DELETE", "settings", "");
    assert.equal(deleted.status_code, 200, summaryOf(deleted));
    await waitFor("configmap gone", async () => {
      try {
        await core.readNamespacedConfigMap({ name: "settings", namespace: tenant.namespace });
        return undefined;
      } catch {
        return true;
      }
    });
  });

  it("KubeWrite payloads (the kubectl gateway's verbs): verbatim outputs, Status refusals, reads and dry runs on /v2", async () => {
    const tenant = await newTenant(stack, `e2e-kw-${Date.now().toString(36)}`);
    const kubeWrite = (fields: Record<string, unknown>) =>
      JSON.stringify({ apiVersion: "k8s-daas.io/v1", kind: "KubeWrite", ...fields });
    const call = (method: string, resource: string, name: string, payload: string) =>
      submitRequest(
        stack,
        tenant.key,
        "execute_k8s_api",
        { method, resource, namespace: tenant.namespace, name, payload, priority: 3 },
        { cap: tenant.capId },
      ).then(async (id) => ({ id, result: await waitForResult(stack, id) }));
    const output = async (id: bigint) => {
      const url = `${stack.control?.url}/v1/requests/${id}/output`;
      const headers = await signedHeaders(tenant.key, {
        clusterId: stack.clusterId,
        method: "GET",
        url,
      });
      return (
        (await (await stack.controlFetch(url, { headers })).json()) as {
          output: Record<string, unknown>;
        }
      ).output;
    };
    const body = { metadata: { name: "settings" }, data: { color: "blue" } };
    const created = await call(
      "POST",
      "configmaps",
      "settings",
      kubeWrite({ verb: "create", body }),
    );
    assert.equal(created.result.status_code, 201, summaryOf(created.result));
    const object = await output(created.id);
    assert.equal(object.kind, "ConfigMap");
    assert.ok((object.metadata as { managedFields?: unknown[] }).managedFields?.length);
    const again = await call("POST", "configmaps", "settings", kubeWrite({ verb: "create", body }));
    assert.equal(again.result.status_code, 409, summaryOf(again.result));
    assert.equal((await output(again.id)).reason, "AlreadyExists");
    const refused = await call(
      "PATCH",
      "pods",
      "web",
      kubeWrite({ verb: "patch", patchType: "merge", body: { spec: { hostNetwork: true } } }),
    );
    assert.equal(refused.result.status_code, 404, summaryOf(refused.result));
    assert.equal((await output(refused.id)).reason, "NotFound");
    const hostNetwork = await call(
      "POST",
      "pods",
      "web",
      kubeWrite({
        verb: "create",
        body: {
          metadata: { name: "web" },
          spec: { hostNetwork: true, containers: [{ name: "app", image: "nginx:1.27" }] },
        },
      }),
    );
    assert.equal(hostNetwork.result.status_code, 403, summaryOf(hostNetwork.result));
    const forbidden = await output(hostNetwork.id);
    assert.equal(forbidden.reason, "Forbidden");
    assert.match(String(forbidden.message), /^ADMISSION_HOST_NETWORK: /);
    const mismatch = await call(
      "PUT",
      "configmaps",
      "settings",
      kubeWrite({ verb: "create", body }),
    );
    assert.equal(mismatch.result.status_code, 400);
    const status = await output(mismatch.id);
    assert.equal(status.kind, "Status");
    assert.match(String(status.message), /^ADMISSION_KUBE_WRITE_MISMATCH: /);

    // Reads are free: the signed /v2 API of the same control plane, never a transaction.
    const readUrl = `${stack.control?.url}/v2/kube/api/v1/namespaces/${tenant.namespace}/configmaps/settings`;
    const read = await stack.controlFetch(readUrl, {
      headers: await signedHeaders(tenant.key, {
        clusterId: stack.clusterId,
        method: "GET",
        url: readUrl,
      }),
    });
    assert.equal(read.status, 200);
    assert.equal(((await read.json()) as { data: { color: string } }).data.color, "blue");
    const dryUrl = `${stack.control?.url}/v2/kube-dry-run`;
    const dry = await stack.controlFetch(dryUrl, {
      method: "POST",
      headers: await signedHeaders(tenant.key, {
        clusterId: stack.clusterId,
        method: "POST",
        url: dryUrl,
      }),
      body: JSON.stringify({
        method: "PATCH",
        resource: "configmaps",
        namespace: tenant.namespace,
        name: "settings",
        payload: JSON.parse(
          kubeWrite({ verb: "patch", patchType: "merge", body: { data: { color: "red" } } }),
        ),
      }),
    });
    assert.equal(dry.status, 200);
    assert.equal(((await dry.json()) as { data: { color: string } }).data.color, "red");
    const live = await core.readNamespacedConfigMap({
      name: "settings",
      namespace: tenant.namespace,
    });
    assert.equal(live.data?.color, "blue", "a dry run writes nothing");
  });

  it("deploy_pods_batch: a Deployment of 3 replicas reaches 3 Running pods", async () => {
    const tenant = await newTenant(stack, `e2e-dep-${Date.now().toString(36)}`);
    const id = await submitRequest(
      stack,
      tenant.key,
      "deploy_pods_batch",
      {
        deployment_name: "api",
        namespace: tenant.namespace,
        image: "nginx:1.27",
        replicas: 3,
        priority: 5,
      },
      { cap: tenant.capId },
    );
    const result = await waitForResult(stack, id);
    assert.equal(result.status_code, 201, summaryOf(result));
    await waitFor("3 ready replicas", async () => {
      const deployment = await apps.readNamespacedDeployment({
        name: "api",
        namespace: tenant.namespace,
      });
      return deployment.status?.readyReplicas === 3 ? deployment : undefined;
    });
    const pods = await core.listNamespacedPod({ namespace: tenant.namespace });
    assert.equal(pods.items.filter((pod) => pod.status?.phase === "Running").length, 3);
  });

  it("a tenant cannot read another tenant's namespace: refused with NAMESPACE_NOT_OWNED", async () => {
    const owner = await newTenant(stack, `e2e-own-${Date.now().toString(36)}`);
    const intruder = await newTenant(stack, `e2e-int-${Date.now().toString(36)}`);
    const id = await submitRequest(stack, intruder.key, "submit_get", {
      resource: "secrets",
      namespace: owner.namespace,
      name: "",
      priority: 1,
    });
    const result = await waitForResult(stack, id);
    assert.equal(result.status_code, 403);
    assert.match(result.summary, /NAMESPACE_NOT_OWNED/);
  });

  it("isolation twice: admission refuses a write aimed at another tenant's namespace, and RBAC refuses A's identity there", async () => {
    const a = await newTenant(stack, `e2e-a-${Date.now().toString(36)}`);
    const b = await newTenant(stack, `e2e-b-${Date.now().toString(36)}`);
    const provisionB = await submitRequest(
      stack,
      b.key,
      "execute_k8s_api",
      {
        method: "POST",
        resource: "configmaps",
        namespace: b.namespace,
        name: "mine",
        payload: JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "mine" },
        }),
        priority: 1,
      },
      { cap: b.capId },
    );
    assert.ok((await waitForResult(stack, provisionB)).status_code < 300);
    const sneaky = await submitRequest(
      stack,
      a.key,
      "execute_k8s_api",
      {
        method: "POST",
        resource: "configmaps",
        namespace: a.namespace,
        name: "sneaky",
        payload: JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "sneaky", namespace: b.namespace },
        }),
        priority: 1,
      },
      { cap: a.capId },
    );
    const refused = await waitForResult(stack, sneaky);
    assert.ok(
      refused.status_code >= 400 && /ADMISSION_NAMESPACE_MISMATCH/.test(refused.summary),
      refused.summary,
    );

    // The same write sent directly with A's identity (as if admission had let it through).
    const asA = new KubeApiClient(impersonatingConfig(stack.kubeConfig, tenantUser(a.namespace)));
    await assert.rejects(
      asA.request("POST", `/api/v1/namespaces/${b.namespace}/configmaps`, {
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "sneaky" } },
      }),
      (error: unknown) => isK8sError(error, "K8S_FORBIDDEN"),
    );
    await assert.rejects(core.readNamespacedConfigMap({ name: "sneaky", namespace: b.namespace }));
  });

  it("a namespace that exists in the cluster but is not ours is refused with K8S_NAMESPACE_NOT_MANAGED", async () => {
    const name = `e2e-taken-${Date.now().toString(36)}`;
    await core.createNamespace({ body: { metadata: { name } } });
    const tenant = await newTenant(stack, name);
    const id = await submitConfigMap(stack, tenant, "x");
    const result = await waitForResult(stack, id);
    assert.equal(result.status_code, 409);
    assert.match(result.summary, /K8S_NAMESPACE_NOT_MANAGED/);
  });
});
