import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AdmissionResult,
  admit,
  DEFAULT_ADMISSION_POLICY,
} from "../../../src/control/admission/index.ts";
import { ANNOTATION_REQUEST_ID } from "../../../src/k8s/labels.ts";
import type { AdmittedOperation, KubernetesObject } from "../../../src/k8s/operations.ts";
import { tenantResource } from "../../../src/k8s/resources.ts";
import { deploymentManifest, podManifest } from "../../../src/protocol/index.ts";
import { NAMESPACE, request } from "./requests.ts";

type Json = Record<string, unknown>;

function admitted(result: AdmissionResult): AdmittedOperation {
  if (!result.ok) assert.fail(`refused: ${result.rejection.code} ${result.rejection.message}`);
  return result.operation;
}

function appliedObject(result: AdmissionResult): KubernetesObject {
  const operation = admitted(result);
  assert.equal(operation.kind, "apply");
  return operation.kind === "apply" ? operation.object : assert.fail("not an apply");
}

function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) current = (current as Json)[key as string];
  return current;
}

const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
};
const RESTRICTED_POD = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
const DEFAULT_RESOURCES = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { cpu: "500m", memory: "256Mi" },
};

describe("admit: the seed's manifests", () => {
  it("admits create_pod's exact bytes and makes the pod restricted-compliant", () => {
    const payload = podManifest("web", NAMESPACE, "nginx:1.27");
    const operation = admitted(admit(request("POST", "pods", "web", payload)));
    assert.deepEqual(operation, {
      kind: "apply",
      resource: tenantResource("pods"),
      namespace: NAMESPACE,
      name: "web",
      force: false,
      object: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: "web",
          namespace: NAMESPACE,
          annotations: { [ANNOTATION_REQUEST_ID]: "42" },
        },
        spec: {
          containers: [
            {
              name: "web",
              image: "nginx:1.27",
              securityContext: RESTRICTED_CONTAINER,
              resources: DEFAULT_RESOURCES,
            },
          ],
          securityContext: RESTRICTED_POD,
        },
      },
    });
  });

  it("admits deploy_pods_batch's exact bytes and defaults the pod template", () => {
    const payload = deploymentManifest("web", NAMESPACE, "nginx:1.27", 3);
    const object = appliedObject(admit(request("POST", "deployments", "web", payload)));
    assert.equal(object.apiVersion, "apps/v1");
    assert.equal(object.kind, "Deployment");
    assert.equal(
      object.metadata.annotations && at(object.metadata.annotations, ANNOTATION_REQUEST_ID),
      "42",
    );
    assert.equal(at(object, "spec", "replicas"), 3);
    assert.deepEqual(at(object, "spec", "template", "metadata"), { labels: { app: "web" } });
    const pod = at(object, "spec", "template", "spec");
    assert.deepEqual(at(pod, "securityContext"), RESTRICTED_POD);
    assert.deepEqual(at(pod, "containers", 0, "securityContext"), RESTRICTED_CONTAINER);
    assert.deepEqual(at(pod, "containers", 0, "resources"), DEFAULT_RESOURCES);
  });

  it("reads YAML and JSON alike", () => {
    const yaml = [
      "# the same pod as create_pod's",
      "apiVersion: v1",
      "kind: Pod",
      "metadata:",
      "  name: web",
      `  namespace: ${NAMESPACE}`,
      "spec:",
      "  containers:",
      "    - name: web",
      "      image: nginx:1.27",
      "",
    ].join("\n");
    const json = podManifest("web", NAMESPACE, "nginx:1.27");
    assert.deepEqual(
      admit(request("POST", "pods", "web", yaml)),
      admit(request("POST", "pods", "web", json)),
    );
    const withMarker = admit(request("POST", "pods", "web", `---\n${yaml}...\n`));
    assert.deepEqual(withMarker, admit(request("POST", "pods", "web", json)));
  });
});

describe("admit: method mapping", () => {
  it("maps GET with a name to get and without to list", () => {
    assert.deepEqual(admitted(admit(request("GET", "pods", "web"))), {
      kind: "get",
      resource: tenantResource("pods"),
      namespace: NAMESPACE,
      name: "web",
    });
    assert.deepEqual(admitted(admit(request("GET", "deployments.apps", ""))), {
      kind: "list",
      resource: tenantResource("deployments"),
      namespace: NAMESPACE,
    });
  });

  it("lets tenants read read-only resources", () => {
    for (const resource of ["events", "resourcequotas", "limitranges", "networkpolicies"]) {
      assert.equal(admitted(admit(request("GET", resource, ""))).kind, "list");
    }
  });

  it("maps DELETE to delete", () => {
    assert.deepEqual(admitted(admit(request("DELETE", "configmaps", "settings"))), {
      kind: "delete",
      resource: tenantResource("configmaps"),
      namespace: NAMESPACE,
      name: "settings",
    });
  });

  it("maps POST to apply and PUT to forced apply", () => {
    const manifest = '{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"b"}}';
    const post = admitted(admit(request("POST", "configmaps", "settings", manifest)));
    const put = admitted(admit(request("PUT", "configmaps", "settings", manifest)));
    assert.equal(post.kind === "apply" && post.force, false);
    assert.equal(put.kind === "apply" && put.force, true);
    assert.deepEqual(put.kind === "apply" && put.object, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "settings",
        namespace: NAMESPACE,
        annotations: { [ANNOTATION_REQUEST_ID]: "42" },
      },
      data: { a: "b" },
    });
  });

  it("maps PATCH to a merge patch annotated with the request id", () => {
    const operation = admitted(
      admit(request("PATCH", "deployments", "web", '{"spec":{"replicas":5}}')),
    );
    assert.deepEqual(operation, {
      kind: "patch",
      resource: tenantResource("deployments"),
      namespace: NAMESPACE,
      name: "web",
      patch: {
        spec: { replicas: 5 },
        metadata: { annotations: { [ANNOTATION_REQUEST_ID]: "42" } },
      },
    });
  });

  it("lets a patch restate name and namespace and remove one label", () => {
    const patch = { metadata: { name: "web", namespace: NAMESPACE, labels: { tier: null } } };
    const operation = admitted(
      admit(request("PATCH", "deployments", "web", JSON.stringify(patch))),
    );
    assert.equal(operation.kind, "patch");
    assert.deepEqual(at(operation, "patch", "metadata", "labels"), { tier: null });
  });

  it("defaults the containers a patch replaces, but not the pod's merged securityContext", () => {
    const patch = {
      spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } },
    };
    const operation = admitted(
      admit(request("PATCH", "deployments", "web", JSON.stringify(patch))),
    );
    const pod = at(operation, "patch", "spec", "template", "spec");
    assert.deepEqual(at(pod, "containers", 0, "securityContext"), RESTRICTED_CONTAINER);
    assert.deepEqual(at(pod, "containers", 0, "resources"), DEFAULT_RESOURCES);
    assert.equal(at(pod, "securityContext"), undefined);
  });
});

describe("admit: names and namespaces", () => {
  it("takes the name from the request when the manifest has none, and vice versa", () => {
    const fromRequest = appliedObject(
      admit(request("POST", "configmaps", "settings", "data: {a: b}")),
    );
    assert.equal(fromRequest.metadata.name, "settings");
    const fromManifest = admitted(
      admit(request("POST", "configmaps", "", "metadata: {name: settings}")),
    );
    assert.equal(fromManifest.kind === "apply" && fromManifest.name, "settings");
  });

  it("fills in apiVersion, kind and namespace", () => {
    const object = appliedObject(
      admit(request("POST", "services", "api", "spec: {ports: [{port: 80}]}")),
    );
    assert.equal(object.apiVersion, "v1");
    assert.equal(object.kind, "Service");
    assert.equal(object.metadata.namespace, NAMESPACE);
  });

  it("keeps valid labels and annotations, including other well-known prefixes", () => {
    const manifest = {
      metadata: {
        labels: { "app.kubernetes.io/name": "web", empty: "" },
        annotations: { "example.com/note": "any text at all, even: this" },
      },
    };
    const object = appliedObject(
      admit(request("POST", "configmaps", "settings", JSON.stringify(manifest))),
    );
    assert.deepEqual(object.metadata.labels, manifest.metadata.labels);
    assert.deepEqual(object.metadata.annotations, {
      ...manifest.metadata.annotations,
      [ANNOTATION_REQUEST_ID]: "42",
    });
  });
});

describe("admit: pod-spec policy keeps what the tenant set", () => {
  it("never overrides safe tenant values and only fills what is missing", () => {
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      spec: {
        template: {
          spec: {
            restartPolicy: "Never",
            securityContext: {
              runAsUser: 1000,
              seccompProfile: { type: "Localhost", localhostProfile: "p.json" },
            },
            initContainers: [{ name: "init", image: "busybox" }],
            containers: [
              {
                name: "main",
                image: "busybox",
                securityContext: {
                  capabilities: { drop: ["NET_RAW", "ALL"] },
                  readOnlyRootFilesystem: true,
                },
                resources: { limits: { cpu: "2" } },
                ports: [{ containerPort: 8080, hostPort: 0 }],
              },
            ],
            volumes: [
              { name: "scratch", emptyDir: {} },
              { name: "config", configMap: { name: "settings" } },
            ],
            tolerations: [{ key: "example.com/gpu", operator: "Exists" }],
            serviceAccountName: "default",
            priorityClassName: "tenant-high",
            hostNetwork: false,
          },
        },
      },
    };
    const object = appliedObject(admit(request("POST", "jobs", "batch", JSON.stringify(job))));
    const pod = at(object, "spec", "template", "spec");
    assert.deepEqual(at(pod, "securityContext"), {
      runAsUser: 1000,
      seccompProfile: { type: "Localhost", localhostProfile: "p.json" },
      runAsNonRoot: true,
    });
    assert.deepEqual(at(pod, "initContainers", 0, "securityContext"), RESTRICTED_CONTAINER);
    assert.deepEqual(at(pod, "containers", 0, "securityContext"), {
      capabilities: { drop: ["NET_RAW", "ALL"] },
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    // cpu has a tenant limit, so only memory gets defaults.
    assert.deepEqual(at(pod, "containers", 0, "resources"), {
      limits: { cpu: "2", memory: "256Mi" },
      requests: { memory: "128Mi" },
    });
  });

  it("defaults a CronJob's pod template", () => {
    const cron = {
      spec: {
        schedule: "@hourly",
        jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", image: "x" }] } } } },
      },
    };
    const object = appliedObject(
      admit(request("POST", "cronjobs", "hourly", JSON.stringify(cron))),
    );
    const pod = at(object, "spec", "jobTemplate", "spec", "template", "spec");
    assert.deepEqual(at(pod, "securityContext"), RESTRICTED_POD);
    assert.deepEqual(at(pod, "containers", 0, "securityContext"), RESTRICTED_CONTAINER);
  });

  it("admits a ClusterIP Service, an Opaque Secret and an Ingress unchanged but annotated", () => {
    const cases: [string, Json][] = [
      ["services", { spec: { type: "ClusterIP", ports: [{ port: 80 }], externalIPs: [] } }],
      ["secrets", { type: "Opaque", stringData: { password: "hunter2" } }],
      ["ingresses", { spec: { rules: [{ host: "web.example" }] } }],
    ];
    for (const [resource, manifest] of cases) {
      const object = appliedObject(
        admit(request("POST", resource, "thing", JSON.stringify(manifest))),
      );
      const { apiVersion: _v, kind: _k, metadata: _m, ...body } = object;
      assert.deepEqual(body, manifest, resource);
    }
  });
});

describe("admit: policy", () => {
  it("documents sane defaults", () => {
    assert.equal(DEFAULT_ADMISSION_POLICY.maxManifestBytes, 16_384);
    assert.equal(DEFAULT_ADMISSION_POLICY.maxDepth, 32);
    assert.equal(DEFAULT_ADMISSION_POLICY.maxAliases, 0);
  });

  it("accepts aliases up to a configured count", () => {
    const yaml = "data:\n  a: &v value\n  b: *v\n  c: *v\n";
    const object = appliedObject(
      admit(request("POST", "configmaps", "cm", yaml), { maxAliases: 2 }),
    );
    assert.deepEqual(object.data, { a: "value", b: "value", c: "value" });
    const refused = admit(request("POST", "configmaps", "cm", yaml), { maxAliases: 1 });
    assert.equal(!refused.ok && refused.rejection.code, "ADMISSION_YAML_ALIAS");
  });

  it("applies configured size, depth and resource defaults", () => {
    const manifest = podManifest("web", NAMESPACE, "nginx");
    const small = admit(request("POST", "pods", "web", manifest), { maxManifestBytes: 50 });
    assert.equal(!small.ok && small.rejection.code, "ADMISSION_PAYLOAD_TOO_LARGE");
    const shallow = admit(request("POST", "pods", "web", manifest), { maxDepth: 3 });
    assert.equal(!shallow.ok && shallow.rejection.code, "ADMISSION_YAML_TOO_DEEP");
    const object = appliedObject(
      admit(request("POST", "pods", "web", manifest), {
        defaultRequests: { cpu: "50m", memory: "64Mi" },
        defaultLimits: { cpu: "1", memory: "1Gi" },
      }),
    );
    assert.deepEqual(at(object, "spec", "containers", 0, "resources"), {
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { cpu: "1", memory: "1Gi" },
    });
  });
});

describe("admit: totality", () => {
  it("answers a structurally broken request instead of throwing", () => {
    const broken = { ...request("POST", "pods", "web"), payload: "not bytes" } as never;
    const result = admit(broken);
    assert.equal(result.ok, false);
    const nothing = admit({} as never);
    assert.equal(nothing.ok, false);
    assert.ok(!nothing.ok && nothing.rejection.code.startsWith("ADMISSION_"));
  });

  it("does not modify the request", () => {
    const original = request("POST", "pods", "web", podManifest("web", NAMESPACE, "nginx"));
    const copy = structuredClone(original);
    admit(original);
    assert.deepEqual(original, copy);
  });
});
