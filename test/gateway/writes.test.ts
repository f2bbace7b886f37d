// Writes through the gateway as raw HTTP (what kubectl and Helm send): each verb becomes one
// request on chain, and the answer is the API server's own (status and body), enclave-signed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { controlTransport } from "../../src/chain/index.ts";
import { startGateway } from "../../src/gateway/index.ts";
import { LIMITS } from "../../src/protocol/index.ts";
import { type GatewayRig, openGatewayRig } from "./fixture.ts";

describe("writes through the gateway", () => {
  let rig: GatewayRig;
  let core: CoreV1Api;
  let ns: string;

  const send = async (
    method: string,
    path: string,
    body: unknown,
    contentType = "application/json",
  ): Promise<{ status: number; body: Record<string, unknown>; requestId: string | null }> => {
    const response = await fetch(`${rig.gateway.url}${path}`, {
      method,
      headers: { "content-type": contentType },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
      requestId: response.headers.get("x-k8s-daas-request-id"),
    };
  };
  const configMaps = () => `/api/v1/namespaces/${ns}/configmaps`;

  before(async () => {
    rig = await openGatewayRig("gw-writes");
    ns = rig.tenant.namespace;
    core = rig.stack.kubeConfig.makeApiClient(CoreV1Api);
  });
  after(() => rig?.close());

  it("create answers 201 with the object; a second create 409 AlreadyExists, both on chain", async () => {
    const before = await rig.chainCounts();
    const object = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c1" },
      data: { a: "1" },
    };
    const created = await send("POST", configMaps(), object);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((created.body.metadata as { name: string }).name, "c1");
    assert.match(created.requestId ?? "", /^\d+$/);
    const again = await send("POST", configMaps(), object);
    assert.equal(again.status, 409);
    assert.equal(again.body.kind, "Status");
    assert.equal(again.body.reason, "AlreadyExists");
    const after = await rig.chainCounts();
    assert.equal(after.requests - before.requests, 2);
    assert.equal(after.results - before.results, 2);
  });

  it("the four patch types, update and the scale subresource", async () => {
    const path = `${configMaps()}/c1`;
    const json = await send(
      "PATCH",
      path,
      [{ op: "add", path: "/data/b", value: "2" }],
      "application/json-patch+json",
    );
    assert.equal(json.status, 200, JSON.stringify(json.body));
    const merge = await send("PATCH", path, { data: { c: "3" } }, "application/merge-patch+json");
    assert.equal(merge.status, 200, JSON.stringify(merge.body));
    const strategic = await send(
      "PATCH",
      path,
      { data: { d: "4" } },
      "application/strategic-merge-patch+json",
    );
    assert.equal(strategic.status, 200, JSON.stringify(strategic.body));
    const apply = await send(
      "PATCH",
      `${path}?fieldManager=tester&force=true`,
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\ndata:\n  e: '5'\n",
      "application/apply-patch+yaml",
    );
    assert.equal(apply.status, 200, JSON.stringify(apply.body));
    const data = (await core.readNamespacedConfigMap({ name: "c1", namespace: ns })).data;
    assert.deepEqual({ ...data }, { a: "1", b: "2", c: "3", d: "4", e: "5" });
    const current = await send("PATCH", path, { data: { f: "6" } }, "application/merge-patch+json");
    const stale = {
      ...current.body,
      metadata: { ...(current.body.metadata as object), resourceVersion: "1" },
    };
    const conflict = await send("PUT", path, stale);
    assert.equal(conflict.status, 409, JSON.stringify(conflict.body));

    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "scaled" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "scaled" } },
        template: {
          metadata: { labels: { app: "scaled" } },
          spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
        },
      },
    };
    const made = await send("POST", `/apis/apps/v1/namespaces/${ns}/deployments`, deployment);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const scaled = await send(
      "PATCH",
      `/apis/apps/v1/namespaces/${ns}/deployments/scaled/scale`,
      { spec: { replicas: 3 } },
      "application/merge-patch+json",
    );
    assert.equal(scaled.status, 200, JSON.stringify(scaled.body));
    assert.equal(scaled.body.kind, "Scale");
    const apps = rig.stack.kubeConfig.makeApiClient(AppsV1Api);
    assert.equal(
      (await apps.readNamespacedDeployment({ name: "scaled", namespace: ns })).spec?.replicas,
      3,
    );
  });

  it("delete and deletecollection", async () => {
    for (const name of ["x1", "x2"]) {
      const made = await send("POST", configMaps(), {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, labels: { batch: "x" } },
      });
      assert.equal(made.status, 201);
    }
    const gone = await send("DELETE", `${configMaps()}/c1`, { propagationPolicy: "Background" });
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    const batch = await send("DELETE", `${configMaps()}?labelSelector=batch%3Dx`, undefined);
    assert.equal(batch.status, 200, JSON.stringify(batch.body));
    const left = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "batch=x" });
    assert.equal(left.items.length, 0);
  });

  it("refusals are Statuses with our code, answered before any transaction", async () => {
    const before = await rig.chainCounts();
    const elsewhere = await send("POST", "/api/v1/namespaces/kube-system/configmaps", {
      metadata: { name: "x" },
    });
    assert.equal(elsewhere.status, 403);
    assert.match(String(elsewhere.body.message), /^NAMESPACE_NOT_OWNED: /);
    const namespace = await send("POST", "/api/v1/namespaces", { metadata: { name: "mine" } });
    assert.equal(namespace.status, 403);
    assert.match(String(namespace.body.message), /^KUBE_CLUSTER_SCOPED: /);
    const role = await send("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      metadata: { name: "r" },
    });
    assert.equal(role.status, 403);
    assert.match(String(role.body.message), /^KUBE_RESOURCE_FORBIDDEN: /);
    const huge = await send("POST", configMaps(), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "huge" },
      data: { blob: "x".repeat(LIMITS.maxPayloadBytes) },
    });
    assert.equal(huge.status, 413);
    assert.match(String(huge.body.message), /^KUBE_PAYLOAD_TOO_LARGE: .*at most \d+ bytes/);
    const after = await rig.chainCounts();
    assert.deepEqual(after, before);
  });

  it("an admission refusal comes back from the chain as a Status carrying its code", async () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "rooted" },
      spec: {
        containers: [{ name: "c", image: "nginx:1.27" }],
        volumes: [{ name: "host", hostPath: { path: "/" } }],
      },
    };
    const refused = await send("POST", `/api/v1/namespaces/${ns}/pods`, pod);
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.kind, "Status");
    assert.match(String(refused.body.message), /^ADMISSION_[A-Z_]+: /);
    assert.match(refused.requestId ?? "", /^\d+$/, "the refusal is a result on chain");
  });

  it("a control plane whose TLS key is not the one on chain is refused, and nothing is paid", async () => {
    const control = rig.stack.control;
    assert.ok(control);
    const impostorPin = new Uint8Array(32).fill(7);
    const pinnedElsewhere = await startGateway({
      client: rig.stack.client,
      signer: rig.tenant.key,
      packageId: rig.stack.packageId,
      clusterId: rig.stack.clusterId,
      control: controlTransport({
        url: control.url,
        pin: { registeredTlsKeySha256: async () => impostorPin },
      }),
      dataDir: join(rig.workDir, "impostor"),
      address: "127.0.0.1",
      port: 0,
      noSeal: false,
      priority: 5,
      log: () => {},
    });
    try {
      const before = await rig.chainCounts();
      for (const [method, body] of [
        ["POST", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "unpinned" } }],
        ["GET", undefined],
      ] as const) {
        const response = await fetch(`${pinnedElsewhere.url}${configMaps()}`, {
          method,
          headers: { "content-type": "application/json" },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        const status = (await response.json()) as { kind?: string; message?: string };
        assert.equal(response.status, 503, `${method}: ${JSON.stringify(status)}`);
        assert.equal(status.kind, "Status");
        assert.match(String(status.message), /^CONTROL_TLS_KEY_MISMATCH: /, method);
      }
      assert.deepEqual(await rig.chainCounts(), before);
    } finally {
      await pinnedElsewhere.close();
    }
  });

  it("with the control plane down, a write is refused at once and nothing is paid", async () => {
    await rig.stack.control?.stop();
    const before = await rig.chainCounts();
    const refused = await send("POST", configMaps(), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "unheard" },
    });
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.match(String(refused.body.message), /^CONTROL_UNREACHABLE: /);
    assert.deepEqual(await rig.chainCounts(), before);
    rig.stack.control = undefined;
  });
});
