// The kubectl gateway's read API (/v2/kube…) on the real API server with real signatures:
// sessions, get/list/watch as the tenant, filtered discovery, can-i, refusals, logs, dry
// runs, and the upstream kubectl pointed straight at it with a session token.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Registry } from "prom-client";
import { controlTransport } from "../../src/chain/index.ts";
import { EXEC_PROTOCOLS, runExecSession } from "../../src/cli/exec-session.ts";
import { admitRequest, resolvedObjectPolicy } from "../../src/control/admission/index.ts";
import { signedHeaders } from "../../src/control/http/auth.ts";
import { type ApiServer, startApiServer } from "../../src/control/http/server.ts";
import type { NamespaceClaim } from "../../src/control/inbox/index.ts";
import { StreamsService } from "../../src/control/streams/index.ts";
import type { TenantRequest } from "../../src/control/tenant-request.ts";
import { TenantExecutor } from "../../src/k8s/index.ts";
import { ensureBuilt } from "../../src/k8s/testenv/index.ts";
import { encodeKubeWrite, type KubeWrite } from "../../src/protocol/index.ts";
import { kubectl } from "../deploy/upstream-tools.ts";
import { testCluster } from "../helpers/cluster.ts";
import { eventually, provisionTenant } from "../k8s/executor-fixtures.ts";
import { readUntil, runningPod, writeContainerLog } from "../k8s/stream-fixtures.ts";

const CLUSTER = `0x${"ab".repeat(32)}`;
const owner = Ed25519Keypair.generate();
const stranger = Ed25519Keypair.generate();

let kc: KubeConfig;
let core: CoreV1Api;
let api: ApiServer;
let executor: TenantExecutor;
let ns: string;
let strangerNs: string;
let token: string;
let nextId = 5000n;
const claims = new Map<string, NamespaceClaim>();
const namespaces = { get: (name: string) => claims.get(name), all: () => [...claims.values()] };

interface Answer {
  res: IncomingMessage;
  text: () => Promise<string>;
}

/** One request to the API; `auth`: a signing key, or a session token. */
function call(
  method: string,
  path: string,
  auth: Ed25519Keypair | string,
  options: { body?: unknown; accept?: string } = {},
): Promise<Answer> {
  const url = `${api.url}${path}`;
  return (async () => {
    const headers: Record<string, string> =
      typeof auth === "string"
        ? { authorization: `Bearer ${auth}` }
        : await signedHeaders(auth, { clusterId: CLUSTER, method, url });
    if (options.accept) headers.accept = options.accept;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (body) headers["content-type"] = "application/json";
    return new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(url, { method, headers }, (res) =>
        resolve({ res, text: () => readUntil(res, () => false) }),
      );
      req.on("error", reject);
      req.end(body);
    });
  })();
}

async function json(
  method: string,
  path: string,
  auth: Ed25519Keypair | string = token,
  options: { body?: unknown; accept?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { res, text } = await call(method, path, auth, options);
  return { status: res.statusCode ?? 0, body: JSON.parse(await text()) as Record<string, unknown> };
}

async function session(key: Ed25519Keypair): Promise<string> {
  const { status, body } = await json("POST", "/v2/kube-session", key);
  assert.equal(status, 200, JSON.stringify(body));
  return String(body.token);
}

function assertStatus(
  answer: { status: number; body: Record<string, unknown> },
  status: number,
  code: string,
): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.kind, "Status");
  assert.match(String(answer.body.message), new RegExp(`^${code}: `));
}

/** A tenant-side write: a KubeWrite create through admission and the executor. */
async function tenantCreateConfigMap(name: string): Promise<void> {
  const write: KubeWrite = {
    apiVersion: "k8s-daas.io/v1",
    kind: "KubeWrite",
    verb: "create",
    body: { metadata: { name }, data: { a: "1" } },
  };
  const request: TenantRequest = {
    requestId: nextId++,
    clusterId: CLUSTER,
    method: "POST",
    resource: "configmaps",
    namespace: ns,
    name,
    payload: encodeKubeWrite(write),
    priority: 0,
    requester: owner.toSuiAddress(),
  };
  const admitted = admitRequest(request, {
    claim: claims.get(ns),
    clusterId: CLUSTER,
    placeOnWorkers: false,
  });
  assert.ok(admitted.ok);
  const outcome = await executor.execute(admitted.operation, request.requestId);
  assert.equal(outcome.statusCode, 201, outcome.summary);
}

before(async () => {
  kc = (await testCluster()).kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  ns = await provisionTenant(kc, "gw-read");
  strangerNs = await provisionTenant(kc, "gw-other");
  claims.set(ns, { namespace: ns, owner: owner.toSuiAddress(), capId: "0x1", released: false });
  claims.set(strangerNs, {
    namespace: strangerNs,
    owner: stranger.toSuiAddress(),
    capId: "0x2",
    released: false,
  });
  await runningPod(kc, ns, "web");
  executor = new TenantExecutor(kc, {
    resolvedPolicy: resolvedObjectPolicy({ placeOnWorkers: false, clusterId: CLUSTER }),
  });
  api = await startApiServer(
    {
      requests: undefined as never,
      registry: new Registry(),
      readiness: [],
      info: {},
      clusterId: CLUSTER,
      streams: new StreamsService({ admin: kc, namespaces, limits: { maxConcurrentPerTenant: 3 } }),
      kube: {
        admin: kc,
        namespaces,
        admit: (request, claim) =>
          admitRequest(request, { claim, clusterId: CLUSTER, placeOnWorkers: false }),
        dryRun: (operation) => executor.execute(operation, 0n, { dryRun: true }),
      },
    },
    { host: "127.0.0.1", port: 0 },
  );
  token = await session(owner);
});

after(async () => {
  await api?.close();
  for (const name of [ns, strangerNs]) {
    if (name) await core?.deleteNamespace({ name }).catch(() => undefined);
  }
});

describe("the kubectl gateway's read API", () => {
  it("authenticates by signed path and query, or by a session token", async () => {
    const signed = await json("GET", `/v2/kube/api/v1/namespaces/${ns}/pods?limit=5`, owner);
    assert.equal(signed.status, 200);
    // A header signed for the path alone does not cover another query.
    const url = `${api.url}/v2/kube/api/v1/namespaces/${ns}/pods`;
    const headers = await signedHeaders(owner, { clusterId: CLUSTER, method: "GET", url });
    const swapped = await new Promise<IncomingMessage>((resolve, reject) =>
      httpRequest(`${url}?watch=true`, { headers }, resolve).on("error", reject).end(),
    );
    assert.equal(swapped.statusCode, 401);
    swapped.resume();
    assertStatus(
      await json("GET", `/v2/kube/api/v1/namespaces/${ns}/pods`, "not-a-token"),
      401,
      "AUTH_TOKEN_UNKNOWN",
    );
    // A token never opens a session: only a signature does.
    assertStatus(await json("POST", "/v2/kube-session", token), 401, "AUTH_MISSING");
  });

  it("gets and lists as the tenant, JSON and kubectl's Table alike", async () => {
    const pod = await json("GET", `/v2/kube/api/v1/namespaces/${ns}/pods/web`);
    assert.equal(pod.status, 200);
    assert.equal((pod.body.metadata as { name: string }).name, "web");
    const table = await json("GET", `/v2/kube/api/v1/namespaces/${ns}/pods`, token, {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    });
    assert.equal(table.status, 200);
    assert.equal(table.body.kind, "Table");
    const missing = await json("GET", `/v2/kube/api/v1/namespaces/${ns}/pods/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.reason, "NotFound");
  });

  it("streams a watch: an event arrives when a tenant-side write lands, and a resourceVersion resumes", async () => {
    const list = await json("GET", `/v2/kube/api/v1/namespaces/${ns}/configmaps`);
    const since = (list.body.metadata as { resourceVersion: string }).resourceVersion;
    const watch = await call(
      "GET",
      `/v2/kube/api/v1/namespaces/${ns}/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${since}`,
      token,
    );
    assert.equal(watch.res.statusCode, 200);
    const arrived = readUntil(watch.res, (text) => text.includes('"name":"watched"'));
    await tenantCreateConfigMap("watched");
    const events = await arrived;
    assert.match(events, /"type":"ADDED"/);
    watch.res.destroy();
    // Resuming from the list's version replays what happened since.
    const resumed = await call(
      "GET",
      `/v2/kube/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${since}`,
      token,
    );
    const replayed = await readUntil(resumed.res, (text) => text.includes('"name":"watched"'));
    assert.match(replayed, /"ADDED"/);
    resumed.res.destroy();
  });

  it("counts open watches against the tenant's stream limit, and frees them when they close", async () => {
    const path = `/v2/kube/api/v1/namespaces/${ns}/configmaps?watch=true`;
    const open = await Promise.all([1, 2, 3].map(() => call("GET", path, token)));
    for (const watch of open) assert.equal(watch.res.statusCode, 200);
    assertStatus(await json("GET", path), 429, "STREAM_LIMIT_REACHED");
    for (const watch of open) watch.res.destroy();
    const again = await eventually("a watch slot freed", async () => {
      const answer = await call("GET", path, token);
      if (answer.res.statusCode === 200) return answer;
      answer.res.resume();
      return undefined;
    });
    again.res.destroy();
  });

  it("filters discovery and schemas to what tenants may use", async () => {
    const core = await json("GET", "/v2/kube/api/v1");
    const names = (core.body.resources as { name: string }[]).map((r) => r.name);
    for (const name of ["pods", "pods/log", "pods/exec", "configmaps", "secrets", "events"])
      assert.ok(names.includes(name), name);
    for (const name of ["nodes", "namespaces", "serviceaccounts", "pods/proxy", "pods/eviction"])
      assert.ok(!names.includes(name), name);
    const groups = await json("GET", "/v2/kube/apis");
    const groupNames = (groups.body.groups as { name: string }[]).map((g) => g.name);
    assert.ok(groupNames.includes("apps"));
    assert.ok(!groupNames.includes("rbac.authorization.k8s.io"));
    const aggregated = await json("GET", "/v2/kube/apis", token, {
      accept:
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
    });
    assert.equal(aggregated.body.kind, "APIGroupDiscoveryList");
    const aggregatedNames = (aggregated.body.items as { metadata: { name: string } }[]).map(
      (item) => item.metadata.name,
    );
    assert.ok(aggregatedNames.includes("apps"));
    assert.ok(!aggregatedNames.includes("rbac.authorization.k8s.io"));
    assert.ok(!aggregatedNames.includes("apiextensions.k8s.io"));
    const apps = await json("GET", "/v2/kube/apis/apps/v1");
    const appsNames = (apps.body.resources as { name: string }[]).map((r) => r.name);
    assert.ok(appsNames.includes("deployments/scale"));
    assert.ok(!appsNames.includes("controllerrevisions"));
    assertStatus(
      await json("GET", "/v2/kube/apis/rbac.authorization.k8s.io/v1"),
      403,
      "KUBE_RESOURCE_FORBIDDEN",
    );
    const openapi = await json("GET", "/v2/kube/openapi/v3");
    const paths = Object.keys(openapi.body.paths as object);
    assert.ok(paths.includes("apis/apps/v1") && paths.includes("api/v1"));
    assert.ok(!paths.some((path) => path.startsWith("apis/rbac")));
    const version = await json("GET", "/v2/kube/version");
    assert.match(String(version.body.gitVersion), /^v1\./);
  });

  it("answers kubectl auth can-i as the tenant, in its own namespace only", async () => {
    const review = (namespace: string, verb: string, resource: string, group = "") => ({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: { resourceAttributes: { namespace, verb, resource, group } },
    });
    const path = "/v2/kube/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    const deployments = await json("POST", path, token, {
      body: review(ns, "create", "deployments", "apps"),
    });
    assert.equal(deployments.status, 201);
    assert.equal((deployments.body.status as { allowed: boolean }).allowed, true);
    const roles = await json("POST", path, token, {
      body: review(ns, "create", "roles", "rbac.authorization.k8s.io"),
    });
    assert.equal((roles.body.status as { allowed: boolean }).allowed, false);
    assertStatus(
      await json("POST", path, token, { body: review(strangerNs, "get", "pods") }),
      403,
      "NAMESPACE_NOT_OWNED",
    );
  });

  it("refuses with a Status: another tenant's namespace, cluster scope, forbidden kinds, writes", async () => {
    assertStatus(
      await json("GET", `/v2/kube/api/v1/namespaces/${strangerNs}/pods`),
      403,
      "NAMESPACE_NOT_OWNED",
    );
    assertStatus(await json("GET", "/v2/kube/api/v1/nodes"), 403, "KUBE_CLUSTER_SCOPED");
    assertStatus(await json("GET", "/v2/kube/api/v1/pods"), 403, "KUBE_CLUSTER_SCOPED");
    assertStatus(
      await json("GET", `/v2/kube/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`),
      403,
      "KUBE_RESOURCE_FORBIDDEN",
    );
    assertStatus(
      await json("GET", `/v2/kube/api/v1/namespaces/${ns}/pods/web/proxy`),
      403,
      "KUBE_RESOURCE_FORBIDDEN",
    );
    const forbidden = await json("GET", "/v2/kube/api/v1/nodes");
    assert.equal(forbidden.body.reason, "Forbidden");
    assertStatus(
      await json("DELETE", `/v2/kube/api/v1/namespaces/${ns}/pods/web`),
      405,
      "KUBE_WRITE_ON_CHAIN",
    );
  });

  it("serves a pod's log through the streams service, with kubectl's query names", async () => {
    await writeContainerLog("gateway log line");
    const log = await call(
      "GET",
      `/v2/kube/api/v1/namespaces/${ns}/pods/web/log?tailLines=50`,
      token,
    );
    assert.equal(log.res.statusCode, 200);
    assert.match(await log.text(), /gateway log line/);
  });

  it("bridges exec through the streams service on kubectl's path and query (WebSocket)", async () => {
    // Plain HTTP here (no enclave TLS key in this rig): the transport is told so explicitly.
    const transport = controlTransport({
      url: api.url,
      insecureHttp: true,
      pin: { registeredTlsKeySha256: async () => new Uint8Array(32) },
    });
    const base = "/v2/kube/api/v1/namespaces";
    const query = "command=sh&command=-c&command=echo%20via%20v2&stdout=true&stderr=true";
    const open = (namespace: string) =>
      transport.openWebSocket(`${base}/${namespace}/pods/web/exec?${query}`, {
        headers: { authorization: `Bearer ${token}` },
        protocols: EXEC_PROTOCOLS,
      });
    let stdout = "";
    const code = await runExecSession(await open(ns), {
      stdout: (data) => (stdout += Buffer.from(data).toString()),
      stderr: () => {},
    });
    assert.equal(code, 0);
    assert.equal(stdout, "via v2\n");
    await assert.rejects(
      open(strangerNs).then((socket) =>
        runExecSession(socket, { stdout: () => {}, stderr: () => {} }),
      ),
      { code: "NAMESPACE_NOT_OWNED" },
    );
  });

  it("dry-runs a KubeWrite: the API server's answer, nothing written, policy refusals as Status", async () => {
    const dryCreate = await json("POST", "/v2/kube-dry-run", token, {
      body: {
        method: "POST",
        resource: "configmaps",
        namespace: ns,
        name: "dry",
        payload: {
          apiVersion: "k8s-daas.io/v1",
          kind: "KubeWrite",
          verb: "create",
          body: { metadata: { name: "dry" }, data: { a: "1" } },
        },
      },
    });
    assert.equal(dryCreate.status, 201, JSON.stringify(dryCreate.body));
    assert.equal(dryCreate.body.kind, "ConfigMap");
    await assert.rejects(core.readNamespacedConfigMap({ name: "dry", namespace: ns }));
    const hostNetwork = await json("POST", "/v2/kube-dry-run", token, {
      body: {
        method: "POST",
        resource: "pods",
        namespace: ns,
        name: "p",
        payload: {
          apiVersion: "k8s-daas.io/v1",
          kind: "KubeWrite",
          verb: "create",
          body: {
            metadata: { name: "p" },
            spec: { hostNetwork: true, containers: [{ name: "a", image: "x:1" }] },
          },
        },
      },
    });
    assertStatus(hostNetwork, 403, "ADMISSION_HOST_NETWORK");
    const elsewhere = await json("POST", "/v2/kube-dry-run", token, {
      body: {
        method: "DELETE",
        resource: "pods",
        namespace: strangerNs,
        name: "web",
        payload: { apiVersion: "k8s-daas.io/v1", kind: "KubeWrite", verb: "delete" },
      },
    });
    assertStatus(elsewhere, 403, "NAMESPACE_NOT_OWNED");
  });

  it("serves the upstream kubectl through a front that adds the session token", async () => {
    // client-go sends no bearer token over plain HTTP: this front plays the gateway's part
    // (k8s-daas proxy adds the token the same way) and passes everything else through.
    const sessionToken = await session(owner);
    const front = createServer((req, res) => {
      const upstream = httpRequest(
        `${api.url}${req.url}`,
        {
          method: req.method,
          headers: { ...req.headers, authorization: `Bearer ${sessionToken}` },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    after(() => new Promise<void>((resolve) => front.close(() => resolve())));
    const frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    const kubeconfig = join(tmpdir(), `gw-kubeconfig-${process.pid}.yaml`);
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "gw", cluster: { server: `${frontUrl}/v2/kube` } }],
        users: [{ name: "tenant", user: {} }],
        contexts: [{ name: "gw", context: { cluster: "gw", user: "tenant", namespace: ns } }],
        "current-context": "gw",
      }),
    );
    const pods = await kubectl(kubeconfig, "get", "pods", "-o", "name");
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /pod\/web/);
    const wide = await kubectl(kubeconfig, "get", "pods", "-o", "wide");
    assert.equal(wide.code, 0, wide.stderr);
    assert.match(wide.stdout, /web\s+1\/1\s+Running/);
    const canI = await kubectl(kubeconfig, "auth", "can-i", "create", "deployments");
    assert.equal(canI.stdout.trim(), "yes", canI.stderr);
    const cannot = await kubectl(kubeconfig, "auth", "can-i", "create", "roles");
    assert.equal(cannot.stdout.trim(), "no");
    const resources = await kubectl(kubeconfig, "api-resources", "-o", "name");
    assert.equal(resources.code, 0, resources.stderr);
    assert.match(resources.stdout, /^deployments\.apps$/m);
    assert.doesNotMatch(resources.stdout, /^nodes$/m);
    const explain = await kubectl(kubeconfig, "explain", "deployment.spec.replicas");
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(explain.stdout, /replicas/);
    await writeContainerLog("seen by kubectl logs");
    const logs = await kubectl(kubeconfig, "logs", "web", "--tail=20");
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /seen by kubectl logs/);
    await tenantCreateConfigMap("for-kubectl");
    const yaml = await kubectl(
      kubeconfig,
      "get",
      "configmap",
      "for-kubectl",
      "-o",
      "jsonpath={.data.a}",
    );
    assert.equal(yaml.stdout, "1", yaml.stderr);
    // kubectl get -w: the watch streams through, and a tenant-side write shows up in it.
    const { path: kubeTestenv } = await ensureBuilt({ log: () => {} });
    const watcher = spawn(kubeTestenv, [
      "kubectl",
      "--kubeconfig",
      kubeconfig,
      "get",
      "configmaps",
      "-w",
      "-o",
      "name",
    ]);
    try {
      let printed = "";
      const printedSoFar = (marker: string) =>
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (printed.includes(marker)) resolve();
          };
          watcher.stdout.on("data", check);
          watcher.on("exit", (code) => reject(new Error(`kubectl get -w exited ${code}`)));
          check();
        });
      watcher.stdout.on("data", (chunk: Buffer) => {
        printed += chunk.toString();
      });
      await printedSoFar("configmap/for-kubectl");
      await tenantCreateConfigMap("seen-by-watch");
      await printedSoFar("configmap/seen-by-watch");
    } finally {
      watcher.kill();
    }
    const other = await kubectl(kubeconfig, "get", "pods", "-n", strangerNs);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /NAMESPACE_NOT_OWNED/);
    assert.match(other.stderr, /Forbidden|forbidden/);
  });
});
