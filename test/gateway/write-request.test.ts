// How kubectl's and Helm's HTTP writes become the KubeWrite that goes on chain, and the
// refusals answered before anything reaches the chain.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseKubePath } from "../../src/gateway/kube-path.ts";
import { KubeRefusal } from "../../src/gateway/kube-status.ts";
import { planWrite } from "../../src/gateway/write-request.ts";

function plan(method: string, target: string, contentType: string, body: unknown) {
  const url = new URL(target, "http://gateway");
  const path = parseKubePath(url.pathname);
  assert.equal(path.kind, "namespaced", `${target} is a tenant resource path`);
  if (path.kind !== "namespaced") throw new Error("unreachable");
  const bytes = Buffer.from(
    body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body),
  );
  return planWrite(method, path, url.searchParams, contentType, bytes);
}

function refusal(work: () => unknown): KubeRefusal {
  try {
    work();
  } catch (error) {
    if (error instanceof KubeRefusal) return error;
    throw error;
  }
  throw new Error("no refusal");
}

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "team-a" },
  spec: { replicas: 1 },
};

test("a create names the object from its body and carries fieldManager", () => {
  const planned = plan(
    "POST",
    "/apis/apps/v1/namespaces/team-a/deployments?fieldManager=kubectl-client-side-apply",
    "application/json",
    deployment,
  );
  assert.equal(planned.method, "POST");
  assert.equal(planned.resource, "deployments");
  assert.equal(planned.name, "web");
  assert.equal(planned.namespace, "team-a");
  assert.equal(planned.dryRun, false);
  assert.deepEqual(planned.envelope, {
    apiVersion: "k8s-daas.io/v1",
    kind: "KubeWrite",
    verb: "create",
    fieldManager: "kubectl-client-side-apply",
    body: deployment,
  });
});

test("the four patch types map from their Content-Type; apply patches keep force", () => {
  const types = {
    "application/json-patch+json": ["json", [{ op: "replace", path: "/spec/replicas", value: 2 }]],
    "application/merge-patch+json": ["merge", { spec: { replicas: 2 } }],
    "application/strategic-merge-patch+json": ["strategic", { spec: { replicas: 2 } }],
  } as const;
  for (const [contentType, [patchType, body]] of Object.entries(types)) {
    const planned = plan(
      "PATCH",
      "/apis/apps/v1/namespaces/team-a/deployments/web",
      contentType,
      body,
    );
    assert.equal(planned.method, "PATCH");
    assert.equal(planned.envelope.patchType, patchType);
    assert.deepEqual(planned.envelope.body, body);
  }
  const apply = plan(
    "PATCH",
    "/apis/apps/v1/namespaces/team-a/deployments/web?fieldManager=kubectl&force=true",
    "application/apply-patch+yaml",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
  );
  assert.equal(apply.envelope.patchType, "apply");
  assert.equal(apply.envelope.force, true);
  assert.equal(apply.envelope.fieldManager, "kubectl");
  assert.deepEqual(apply.envelope.body, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
  });
  const unmanaged = refusal(() =>
    plan(
      "PATCH",
      "/apis/apps/v1/namespaces/team-a/deployments/web",
      "application/apply-patch+yaml",
      "a: 1",
    ),
  );
  assert.equal(unmanaged.httpStatus, 400);
});

test("the scale subresource, delete options and deletecollection selectors", () => {
  const scale = plan(
    "PUT",
    "/apis/apps/v1/namespaces/team-a/deployments/web/scale",
    "application/json",
    {
      spec: { replicas: 3 },
    },
  );
  assert.equal(scale.resource, "deployments/scale");
  assert.equal(scale.envelope.subresource, "scale");
  assert.equal(scale.envelope.verb, "update");
  const deletion = plan(
    "DELETE",
    "/api/v1/namespaces/team-a/configmaps/settings?gracePeriodSeconds=0",
    "application/json",
    { propagationPolicy: "Background" },
  );
  assert.equal(deletion.method, "DELETE");
  assert.deepEqual(deletion.envelope.body, {
    propagationPolicy: "Background",
    gracePeriodSeconds: 0,
  });
  const collection = plan(
    "DELETE",
    "/api/v1/namespaces/team-a/configmaps?labelSelector=app%3Dweb",
    "application/json",
    undefined,
  );
  assert.equal(collection.envelope.verb, "deletecollection");
  assert.equal(collection.name, "");
  assert.equal(collection.envelope.labelSelector, "app=web");
  assert.equal(
    plan("POST", "/api/v1/namespaces/team-a/configmaps?dryRun=All", "application/json", {
      metadata: { name: "x" },
    }).dryRun,
    true,
  );
});

test("what tenants may not write is refused with a status and a code, before the chain", () => {
  assert.equal(parseKubePath("/api/v1/namespaces").kind, "cluster-scoped");
  assert.equal(
    parseKubePath("/apis/rbac.authorization.k8s.io/v1/clusterroles").kind,
    "cluster-scoped",
  );
  assert.equal(
    parseKubePath("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles").kind,
    "forbidden-resource",
  );
  assert.equal(
    parseKubePath("/api/v1/namespaces/team-a/serviceaccounts/x").kind,
    "forbidden-resource",
  );
  assert.equal(
    parseKubePath("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews").kind,
    "review",
  );
  assert.equal(parseKubePath("/openapi/v2").kind, "other");
  const readOnly = refusal(() =>
    plan("POST", "/api/v1/namespaces/team-a/events", "application/json", {
      metadata: { name: "e" },
    }),
  );
  assert.equal(readOnly.httpStatus, 403);
  assert.equal(readOnly.code, "KUBE_RESOURCE_READ_ONLY");
  const podScale = refusal(() =>
    plan("PUT", "/api/v1/namespaces/team-a/pods/web/status", "application/json", {}),
  );
  assert.equal(podScale.code, "KUBE_RESOURCE_FORBIDDEN");
  const generated = refusal(() =>
    plan("POST", "/api/v1/namespaces/team-a/pods", "application/json", {
      metadata: { generateName: "web-" },
    }),
  );
  assert.equal(generated.code, "KUBE_GENERATE_NAME_UNSUPPORTED");
  const protobuf = refusal(() =>
    plan("POST", "/api/v1/namespaces/team-a/pods", "application/vnd.kubernetes.protobuf", "x"),
  );
  assert.equal(protobuf.httpStatus, 415);
  assert.match(protobuf.toStatus().message, /^KUBE_CONTENT_TYPE_UNSUPPORTED: /);
  assert.equal(protobuf.toStatus().reason, "UnsupportedMediaType");
});
