import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ANNOTATION_CLUSTER,
  ANNOTATION_OWNER,
  clusterLabelValue,
  DEFAULT_OBJECT_COUNTS,
  DEFAULT_TENANT_QUOTA,
  LABEL_CLUSTER,
  LABEL_MANAGED,
  qualifiedResourceName,
  TENANT_OBJECT_NAMES,
  TENANT_RESOURCES,
  TENANT_SERVICE_ACCOUNT,
  tenantNamespaceManifests,
  tenantRoleRules,
} from "../../src/k8s/index.ts";

const clusterId = `0x${"ab".repeat(32)}`;
const owner = `0x${"01".repeat(32)}`;
const claimId = `0x${"c1".repeat(32)}`;
const manifests = tenantNamespaceManifests({ namespace: "team-a", owner, clusterId, claimId });
const byKind = (kind: string) =>
  manifests.filter((m) => m.object.kind === kind).map((m) => m.object);

describe("tenant namespace manifests", () => {
  it("label the namespace Pod Security restricted (enforce, warn, audit) and managed", () => {
    const [namespace] = byKind("Namespace");
    const metadata = namespace?.metadata as unknown as {
      labels: Record<string, string>;
      annotations: Record<string, string>;
    };
    for (const mode of ["enforce", "warn", "audit"]) {
      assert.equal(metadata.labels[`pod-security.kubernetes.io/${mode}`], "restricted");
      assert.equal(metadata.labels[`pod-security.kubernetes.io/${mode}-version`], "latest");
    }
    assert.equal(metadata.labels[LABEL_MANAGED], "true");
    assert.equal(metadata.labels[LABEL_CLUSTER], clusterLabelValue(clusterId));
    assert.equal(metadata.annotations[ANNOTATION_OWNER], owner);
    assert.equal(metadata.annotations[ANNOTATION_CLUSTER], clusterId);
  });

  it("fit a 66-character Sui id into a valid label value", () => {
    const value = clusterLabelValue(clusterId);
    assert.ok(value.length <= 63);
    assert.match(value, /^[a-f0-9]+$/);
    assert.equal(clusterLabelValue("dev-cluster"), "dev-cluster");
  });

  it("override quota and limits key by key", () => {
    const custom = tenantNamespaceManifests({
      namespace: "team-a",
      owner,
      clusterId,
      claimId,
      quota: { pods: "5" },
      limits: { max: { cpu: "1" } },
    });
    const quota = custom.find((m) => m.object.kind === "ResourceQuota")?.object as unknown as {
      spec: { hard: Record<string, string> };
    };
    assert.deepEqual(quota.spec.hard, { ...DEFAULT_TENANT_QUOTA, pods: "5" });
    const range = custom.find((m) => m.object.kind === "LimitRange")?.object as unknown as {
      spec: { limits: [{ max: Record<string, string> }] };
    };
    assert.deepEqual(range.spec.limits[0].max, { cpu: "1", memory: "4Gi" });
  });

  it("count the objects of every kind a tenant may write, and only those", () => {
    const [quota] = byKind("ResourceQuota");
    assert.ok(quota);
    const hard = (quota.spec as { hard: Record<string, string> }).hard;
    const counted = Object.keys(hard)
      .filter((key) => key.startsWith("count/"))
      .map((key) => key.slice("count/".length))
      .sort();
    const writable = TENANT_RESOURCES.filter((type) => type.writable)
      .map(qualifiedResourceName)
      .sort();
    assert.deepEqual(counted, writable);
    assert.deepEqual(Object.keys(DEFAULT_OBJECT_COUNTS).sort(), writable);
    for (const name of writable) {
      const limit = Number(hard[`count/${name}`]);
      assert.ok(Number.isInteger(limit) && limit > 0, `count/${name} is ${hard[`count/${name}`]}`);
    }
    // Running pods stay limited apart from all Pod objects (finished Job pods count there).
    assert.ok(Number(hard.pods) <= Number(hard["count/pods"]));
  });

  it("deny all traffic by default, then allow the namespace itself and DNS", () => {
    const policies = byKind("NetworkPolicy").map((p) => p.spec as Record<string, unknown>);
    assert.equal(policies.length, 3);
    assert.deepEqual(policies[0], { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    assert.deepEqual(JSON.parse(JSON.stringify(policies[2])).egress[0].ports, [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
  });

  it("grant the tenant account exactly the tenant resources, in its namespace only", () => {
    const granted = new Map<string, string[]>();
    for (const rule of tenantRoleRules()) {
      for (const resource of rule.resources) {
        granted.set(`${rule.apiGroups[0]}/${resource}`, rule.verbs);
      }
    }
    assert.equal(granted.size, TENANT_RESOURCES.length + 7);
    assert.deepEqual(granted.get("/pods/log"), ["get"]);
    for (const sub of ["deployments/scale", "replicasets/scale", "statefulsets/scale"])
      assert.deepEqual(granted.get(`apps/${sub}`), ["get", "update", "patch"], sub);
    for (const sub of ["pods/exec", "pods/attach", "pods/portforward"])
      assert.deepEqual(granted.get(`/${sub}`), ["get", "create"], sub);
    for (const type of TENANT_RESOURCES) {
      const verbs = granted.get(`${type.group}/${type.plural}`);
      assert.deepEqual(
        verbs,
        type.writable
          ? ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
          : ["get", "list", "watch"],
        type.plural,
      );
    }
    assert.equal(byKind("ClusterRole").length + byKind("ClusterRoleBinding").length, 0);
    const [binding] = byKind("RoleBinding");
    assert.deepEqual(binding?.subjects, [
      { kind: "ServiceAccount", name: TENANT_SERVICE_ACCOUNT, namespace: "team-a" },
    ]);
  });

  it("let the ingress controller's namespace in, and only it, when the cluster names one", () => {
    const spec = { namespace: "team-a", owner: "0x1", clusterId: "0x2", claimId: "0x3" };
    const policies = (manifests: ReturnType<typeof tenantNamespaceManifests>) =>
      manifests.filter((m) => m.object.kind === "NetworkPolicy");
    assert.equal(policies(tenantNamespaceManifests(spec)).length, 3);
    const withIngress = policies(
      tenantNamespaceManifests({ ...spec, ingressControllerNamespace: "ingress-nginx" }),
    );
    assert.equal(withIngress.length, 4);
    const allow = withIngress.find(
      (m) => m.object.metadata.name === TENANT_OBJECT_NAMES.ingressController,
    );
    assert.deepEqual(allow?.object.spec, {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" },
              },
            },
          ],
        },
      ],
    });
  });
});
