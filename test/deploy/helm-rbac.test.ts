// The chart's ClusterRole is enough, and no more: its ServiceAccount, bound as the chart binds
// it, authenticates with a real token (as the pod would in the cluster) and runs the control
// plane's own code — tenant provisioning, impersonated tenant writes, reconciliation's reads,
// worker node admission, drain and removal, bootstrap tokens — against kube-testenv. Then the
// things it must not be able to do are tried and refused by the API server.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Registry } from "prom-client";
import { EXEC_PROTOCOLS, runExecSession } from "../../src/cli/exec-session.ts";
import { signedHeaders } from "../../src/control/http/auth.ts";
import type { NamespaceClaim } from "../../src/control/inbox/index.ts";
import { StreamsService } from "../../src/control/streams/index.ts";
import {
  issueBootstrapToken,
  revokeTokensOf,
  verifyBootstrapToken,
} from "../../src/control/workers/bootstrap-token.ts";
import { measureClusterState } from "../../src/control/workers/cluster-state.ts";
import { type KubeRequests, withDeadline } from "../../src/control/workers/kube-requests.ts";
import {
  cordonWorkerNode,
  createSimulatedWorkerNode,
  deleteWorkerNode,
  drainWorkerNode,
  uncordonWorkerNode,
} from "../../src/control/workers/worker-nodes.ts";
import {
  ensureTenantNamespace,
  findAppliedObjects,
  impersonatingConfig,
  isK8sError,
  KubeApiClient,
  listManagedNamespaces,
  removeTenantNamespace,
  tenantUser,
} from "../../src/k8s/index.ts";
import type { ClusterHandle } from "../../src/k8s/testenv/index.ts";
import { createTestNamespace, testCluster, uniqueNamespace, waitFor } from "../helpers/cluster.ts";
import { runningPod, startStreamsApi } from "../k8s/stream-fixtures.ts";
import { findObject, kubectl, renderChart } from "./upstream-tools.ts";

const clusterId = `0x${"c5".repeat(32)}`;
const owner = `0x${"0a".repeat(32)}`;
/** The namespace holder whose exec the control plane runs (the claim names its address). */
const tenant = Ed25519Keypair.generate();

/** Resolves to the API server's refusal code, or "allowed" when the call went through. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "allowed";
  } catch (error) {
    if (isK8sError(error)) return error.code;
    throw error;
  }
}

describe("the chart's ClusterRole, used by the control plane's own code", () => {
  let cluster: ClusterHandle;
  let admin: KubeConfig;
  let releaseNamespace: string;
  let tenantNamespace: string;
  let nodeId: string;
  let clusterScoped: { kind: string; name: string }[] = [];
  let dir: string;
  /** The chart's ServiceAccount, authenticated by a token the API server issued. */
  let control: KubeConfig;
  let kube: KubeRequests;
  /** The chart's tenant ClusterRole, which provisioning binds in the tenant namespace. */
  let tenantRole: string;
  let streamsApi: Awaited<ReturnType<typeof startStreamsApi>> | undefined;

  before(async () => {
    cluster = await testCluster();
    admin = cluster.kubeConfig();
    const suffix = randomBytes(3).toString("hex");
    releaseNamespace = uniqueNamespace("deploy-rbac");
    tenantNamespace = uniqueNamespace("deploy-tenant");
    nodeId = `deploy-worker-${suffix}`;
    await createTestNamespace(admin.makeApiClient(CoreV1Api), releaseNamespace);
    const { objects } = await renderChart(`rbac-${suffix}`, releaseNamespace);
    // The chart's identity: its ServiceAccount, its own ClusterRole and binding, and the
    // tenant ClusterRole it lets the control plane bind in tenant namespaces.
    const identity = objects.filter((object) =>
      ["ServiceAccount", "ClusterRole", "ClusterRoleBinding"].includes(object.kind),
    );
    tenantRole = (
      objects.find(
        (object) =>
          object.kind === "ClusterRole" &&
          object.metadata.labels?.["app.kubernetes.io/component"] === "tenant-role",
      ) ?? assert.fail("the chart rendered no tenant ClusterRole")
    ).metadata.name;
    clusterScoped = identity
      .filter((object) => object.kind !== "ServiceAccount")
      .map((object) => ({ kind: object.kind, name: object.metadata.name }));
    dir = await mkdtemp(join(tmpdir(), "k8s-daas-rbac-"));
    const file = join(dir, "identity.yaml");
    await writeFile(file, identity.map((object) => JSON.stringify(object)).join("\n---\n"));
    const applied = await kubectl(cluster.kubeconfigPath, "apply", "--server-side", "-f", file);
    assert.equal(applied.code, 0, applied.stderr);
    const account = findObject(objects, "ServiceAccount").metadata.name;
    const token = await kubectl(
      cluster.kubeconfigPath,
      "create",
      "token",
      account,
      "--namespace",
      releaseNamespace,
      "--duration=30m",
    );
    assert.equal(token.code, 0, token.stderr);
    const server = admin.getCurrentCluster();
    assert.ok(server);
    control = new KubeConfig();
    control.loadFromClusterAndUser(server, { name: account, token: token.stdout.trim() });
    kube = withDeadline(new KubeApiClient(control));
  });

  after(async () => {
    await streamsApi?.close();
    if (!admin) return;
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const quietly = (call: Promise<unknown>) => call.catch(() => undefined);
    await quietly(core.deleteNode({ name: nodeId }));
    await quietly(core.deleteNamespace({ name: tenantNamespace }));
    await quietly(core.deleteNamespace({ name: releaseNamespace }));
    for (const { kind, name } of clusterScoped) {
      if (kind === "ClusterRole") await quietly(rbac.deleteClusterRole({ name }));
      else await quietly(rbac.deleteClusterRoleBinding({ name }));
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("provisions a tenant namespace, binding the chart's tenant ClusterRole there (bind, no escalation)", async () => {
    const result = await ensureTenantNamespace(control, {
      namespace: tenantNamespace,
      owner,
      clusterId,
      claimId: `0x${"c1".repeat(32)}`,
      tenantClusterRole: tenantRole,
    });
    assert.equal(result.created, true);
    assert.ok(result.objects.includes("rolebinding/k8s-daas-tenant"), result.objects.join(", "));
    // A role name the chart did not ship is a clear refusal, not a tenant without rights.
    await assert.rejects(
      ensureTenantNamespace(control, {
        namespace: tenantNamespace,
        owner,
        clusterId,
        claimId: `0x${"c1".repeat(32)}`,
        tenantClusterRole: `${tenantRole}-absent`,
      }),
      (error) => isK8sError(error, "K8S_TENANT_ROLE_MISSING"),
    );
  });

  it("runs a tenant's exec through its streams, though it may not exec itself", async () => {
    await runningPod(admin, tenantNamespace, "web");
    const claims = new Map<string, NamespaceClaim>([
      [
        tenantNamespace,
        { namespace: tenantNamespace, owner: tenant.toSuiAddress(), capId: "0x1", released: false },
      ],
    ]);
    streamsApi = await startStreamsApi(
      new StreamsService({ admin: control, namespaces: claims }),
      new Registry(),
      clusterId,
    );
    const url = `${streamsApi.url}/v1/namespaces/${tenantNamespace}/pods/web/exec?command=sh&command=-c&command=echo%20as-the-tenant%3B%20exit%205`;
    let stdout = "";
    const socket = await streamsApi.transport.openWebSocket(url, {
      headers: await signedHeaders(tenant, { clusterId, method: "GET", url }),
      protocols: EXEC_PROTOCOLS,
    });
    const code = await runExecSession(socket, {
      stdout: (data) => (stdout += Buffer.from(data).toString()),
      stderr: () => {},
    });
    assert.deepEqual({ code, stdout }, { code: 5, stdout: "as-the-tenant\n" });
    // As itself (no impersonation) the API server refuses the control plane every stream:
    // those rights are the tenant's alone.
    const client = new KubeApiClient(control);
    for (const subresource of ["exec?command=true", "attach", "portforward?ports=80", "log"]) {
      assert.equal(
        await outcome(
          client.request(
            subresource === "log" ? "GET" : "POST",
            `/api/v1/namespaces/${tenantNamespace}/pods/web/${subresource}`,
          ),
        ),
        "K8S_FORBIDDEN",
        subresource,
      );
    }
  });

  it("acts as the tenant through impersonation, and only as the tenant", async () => {
    const asTenant = new KubeApiClient(impersonatingConfig(control, tenantUser(tenantNamespace)));
    const created = await asTenant.request(
      "POST",
      `/api/v1/namespaces/${tenantNamespace}/configmaps`,
      { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "through-the-chart" } } },
    );
    assert.equal(created.statusCode, 201);
    // The tenant's own Role still confines it: another namespace is forbidden.
    assert.equal(
      await outcome(asTenant.request("GET", `/api/v1/namespaces/${releaseNamespace}/configmaps`)),
      "K8S_FORBIDDEN",
    );
    // Impersonating anyone but a tenant ServiceAccount is not granted.
    const asAdmin = new KubeApiClient(impersonatingConfig(control, "kubernetes-admin"));
    assert.equal(await outcome(asAdmin.request("GET", "/api/v1/namespaces")), "K8S_FORBIDDEN");
    const asOtherAccount = new KubeApiClient(
      impersonatingConfig(control, `system:serviceaccount:${tenantNamespace}:default`),
    );
    assert.equal(
      await outcome(asOtherAccount.request("GET", `/api/v1/namespaces/${tenantNamespace}/pods`)),
      "K8S_FORBIDDEN",
    );
  });

  it("reads what reconciliation reads", async () => {
    const managed = await listManagedNamespaces(control, { clusterId });
    assert.deepEqual(
      managed.map((found) => found.namespace),
      [tenantNamespace],
    );
    const applied = await findAppliedObjects(control, { clusterId });
    assert.ok(Array.isArray(applied));
  });

  it("admits, labels, cordons, drains and removes a worker's node, and issues its token", async () => {
    const spec = {
      binding: { clusterId, nodeId, registration: "helm-rbac-test:0" },
      owner,
      tier: "standard" as const,
      resources: { cpu: "2", memory: "4Gi", pods: "10" },
      joinTokenId: "abcdef",
    };
    const created = await createSimulatedWorkerNode(kube, spec);
    assert.equal(created.outcome, "created");
    const binding = { ...spec.binding, nodeUid: created.uid };
    assert.equal(await uncordonWorkerNode(kube, binding), true);
    const token = await issueBootstrapToken(kube, nodeId, 60_000);
    assert.deepEqual(await verifyBootstrapToken(kube, token.token, nodeId), { id: token.id });
    await revokeTokensOf(kube, nodeId);
    // The cluster-wide node and pod lists of `report_cluster_state`; ours is an active worker.
    const state = await measureClusterState(kube, clusterId, []);
    assert.ok(state.node_count >= 1n);
    assert.deepEqual(JSON.parse(state.usage_summary).workerNodes, { total: 1, active: 1 });
    // A tenant pod on the worker (placed by the admin, as the scheduler would): the drain
    // evicts it through the Eviction API.
    const core = admin.makeApiClient(CoreV1Api);
    await waitFor("the worker node to be Ready", async () => {
      const node = await core.readNode({ name: nodeId });
      return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")
        ? true
        : undefined;
    });
    await core.createNamespacedPod({
      namespace: tenantNamespace,
      body: {
        metadata: { name: "on-the-worker" },
        spec: {
          nodeName: nodeId,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "app",
              image: "nginxinc/nginx-unprivileged:1.27",
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
              },
            },
          ],
        },
      },
    });
    assert.equal(await cordonWorkerNode(kube, binding), true);
    assert.equal(await drainWorkerNode(kube, binding), 1);
    await deleteWorkerNode(kube, binding);
    assert.equal(
      await outcome(new KubeApiClient(admin).request("GET", `/api/v1/nodes/${nodeId}`)),
      "K8S_NOT_FOUND",
    );
  });

  it("is refused what it must not do", async () => {
    const client = new KubeApiClient(control);
    const refusals = {
      // Granting itself more: a ClusterRoleBinding, or a Role beyond what it holds.
      clusterRoleBinding: await outcome(
        client.request("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
          body: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: `deploy-rbac-escalation-${randomBytes(3).toString("hex")}` },
            roleRef: {
              apiGroup: "rbac.authorization.k8s.io",
              kind: "ClusterRole",
              name: "cluster-admin",
            },
            subjects: [{ kind: "ServiceAccount", name: "default", namespace: releaseNamespace }],
          },
        }),
      ),
      escalatingRole: await outcome(
        client.request(
          "POST",
          `/apis/rbac.authorization.k8s.io/v1/namespaces/${tenantNamespace}/roles`,
          {
            body: {
              apiVersion: "rbac.authorization.k8s.io/v1",
              kind: "Role",
              metadata: { name: "everything" },
              rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
            },
          },
        ),
      ),
      // Node status is the kubelet's; CRDs and webhooks are cluster administration.
      nodeStatus: await outcome(
        client.request("PATCH", "/api/v1/nodes/kwok-node-1/status", {
          contentType: "application/merge-patch+json",
          body: { metadata: { labels: { probe: "x" } } },
        }),
      ),
      customResourceDefinitions: await outcome(
        client.request("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"),
      ),
      webhooks: await outcome(
        client.request(
          "GET",
          "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
        ),
      ),
      // Proxying to pods is not granted, to it or to tenants.
      podProxy: await outcome(
        client.request("GET", `/api/v1/namespaces/${tenantNamespace}/pods/x/proxy/`),
      ),
    };
    assert.deepEqual(refusals, {
      clusterRoleBinding: "K8S_FORBIDDEN",
      escalatingRole: "K8S_FORBIDDEN",
      nodeStatus: "K8S_FORBIDDEN",
      customResourceDefinitions: "K8S_FORBIDDEN",
      webhooks: "K8S_FORBIDDEN",
      podProxy: "K8S_FORBIDDEN",
    });
  });

  it("releases the tenant namespace", async () => {
    assert.equal(await removeTenantNamespace(control, tenantNamespace), true);
  });
});
