import assert from "node:assert/strict";
import { test } from "node:test";
import { withWorkerPlacement } from "../../../src/control/admission/index.ts";
import { LABEL_WORKER_ACTIVE } from "../../../src/control/workers/index.ts";
import { clusterLabelValue, LABEL_CLUSTER, tenantResource } from "../../../src/k8s/index.ts";
import type { AdmittedOperation } from "../../../src/k8s/operations.ts";

const CLUSTER = `0x${"ab".repeat(32)}`;
const CLUSTER_LABEL = clusterLabelValue(CLUSTER);
const place = (operation: AdmittedOperation) => withWorkerPlacement(operation, CLUSTER);

const resource = (name: string) => {
  const found = tenantResource(name);
  if (!found) throw new Error(name);
  return found;
};

test("a pod's spec gets the active-worker selector, keeping the tenant's own keys", () => {
  const operation: AdmittedOperation = {
    kind: "apply",
    resource: resource("pods"),
    namespace: "team-a",
    name: "web",
    force: false,
    object: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "team-a" },
      spec: { nodeSelector: { disk: "ssd", [LABEL_WORKER_ACTIVE]: "false" }, containers: [] },
    },
  };
  const placed = place(operation);
  assert.ok(placed.kind === "apply");
  assert.deepEqual((placed.object.spec as { nodeSelector: unknown }).nodeSelector, {
    disk: "ssd",
    [LABEL_WORKER_ACTIVE]: "true",
    [LABEL_CLUSTER]: CLUSTER_LABEL,
  });
  assert.deepEqual(
    (operation.object.spec as { nodeSelector: unknown }).nodeSelector,
    { disk: "ssd", [LABEL_WORKER_ACTIVE]: "false" },
    "the admitted operation itself is not changed",
  );
});

test("workload templates get it too; kinds without pods are untouched", () => {
  const deployment = place({
    kind: "apply",
    resource: resource("deployments"),
    namespace: "team-a",
    name: "api",
    force: false,
    object: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: "team-a" },
      spec: { template: { metadata: {}, spec: { containers: [] } } },
    },
  });
  assert.ok(deployment.kind === "apply");
  const template = (deployment.object.spec as { template: { spec: { nodeSelector: unknown } } })
    .template;
  assert.deepEqual(template.spec.nodeSelector, {
    [LABEL_WORKER_ACTIVE]: "true",
    [LABEL_CLUSTER]: CLUSTER_LABEL,
  });
  const configMap: AdmittedOperation = {
    kind: "apply",
    resource: resource("configmaps"),
    namespace: "team-a",
    name: "c",
    force: false,
    object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "team-a" } },
  };
  assert.equal(place(configMap), configMap);
});

test("a patch that touches the selector cannot drop it; one that does not is left alone", () => {
  const clearing = place({
    kind: "patch",
    resource: resource("deployments"),
    namespace: "team-a",
    name: "api",
    patch: { spec: { template: { spec: { nodeSelector: null } } } },
  });
  assert.ok(clearing.kind === "patch");
  assert.deepEqual(clearing.patch, {
    spec: {
      template: {
        spec: { nodeSelector: { [LABEL_WORKER_ACTIVE]: "true", [LABEL_CLUSTER]: CLUSTER_LABEL } },
      },
    },
  });
  const scaling: AdmittedOperation = {
    kind: "patch",
    resource: resource("deployments"),
    namespace: "team-a",
    name: "api",
    patch: { spec: { replicas: 3 } },
  };
  assert.equal(place(scaling), scaling);
});
