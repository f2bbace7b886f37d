import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AdmissionResult,
  admit,
  DEFAULT_ADMISSION_POLICY,
} from "../../../src/control/admission/index.ts";
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
        metadata: { name: "web", namespace: NAMESPACE },
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
    // The request id is the executor's to stamp (one owner): admission leaves it out.
    assert.equal(object.metadata.annotations, undefined);
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
      query: { limit: DEFAULT_ADMISSION_POLICY.maxListItems },
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
      metadata: { name: "settings", namespace: NAMESPACE },
      data: { a: "b" },
    });
  });

  it("maps PATCH to a JSON merge patch, as the tenant wrote it", () => {
    const operation = admitted(
      admit(request("PATCH", "deployments", "web", '{"spec":{"replicas":5}}')),
    );
    assert.deepEqual(operation, {
      kind: "patch",
      resource: tenantResource("deployments"),
      namespace: NAMESPACE,
      name: "web",
      patch: { spec: { replicas: 5 } },
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
    assert.deepEqual(object.metadata.annotations, manifest.metadata.annotations);
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
    const object = appliedObject(
      admit(request("POST", "jobs", "batch", JSON.stringify(job)), {
        allowedPriorityClasses: ["tenant-high"],
      }),
    );
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

  it("admits a ClusterIP Service, an Opaque Secret and an Ingress unchanged", () => {
    const cases: [string, Json][] = [
      ["services", { spec: { type: "ClusterIP", ports: [{ port: 80 }], externalIPs: [] } }],
      ["secrets", { type: "Opaque", stringData: { password: "hunter2" } }],
      ["ingresses", { spec: { rules: [{ host: `web.${NAMESPACE}.apps.k8s-daas.local` }] } }],
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

describe("admit: list options", () => {
  /** The query of an admitted list. */
  const list = (payload: string, policy?: Parameters<typeof admit>[1]) => {
    const operation = admitted(admit(request("GET", "pods", "", payload), policy));
    return operation.kind === "list" ? operation.query : assert.fail(operation.kind);
  };

  it("bounds every list, and lets a tenant ask for less, select by label and page on", () => {
    assert.deepEqual(list(""), { limit: 500 });
    const query = list(
      'limit: 20\nlabelSelector: "app=web, tier in (front, back),!canary,env!=dev"\ncontinue: eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ\n',
    );
    assert.deepEqual(query, {
      limit: 20,
      labelSelector: "app=web, tier in (front, back),!canary,env!=dev",
      continue: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ",
    });
    assert.deepEqual(list('{"limit": 500, "labelSelector": ""}'), { limit: 500 });
  });

  it("takes its maximum from the policy", () => {
    assert.deepEqual(list("", { maxListItems: 10 }), { limit: 10 });
    const refused = admit(request("GET", "pods", "", "limit: 11"), { maxListItems: 10 });
    assert.equal(!refused.ok && refused.rejection.code, "ADMISSION_LIST_LIMIT_INVALID");
  });

  it("keeps a GET of one object free of payloads", () => {
    const refused = admit(request("GET", "pods", "web", "limit: 5"));
    assert.equal(!refused.ok && refused.rejection.code, "ADMISSION_PAYLOAD_UNEXPECTED");
  });
});

describe("admit: Ingress", () => {
  const own = `${NAMESPACE}.apps.k8s-daas.local`;
  const ingress = (spec: Json, annotations: Json = {}) =>
    JSON.stringify({ metadata: { name: "web", annotations }, spec });
  const backend = { service: { name: "web", port: { name: "http" } } };

  it("admits the namespace's own hosts, TLS for them and the safe controller annotations", () => {
    const annotations = {
      description: "the shop front",
      "kubernetes.io/ingress.class": "nginx",
      "nginx.ingress.kubernetes.io/rewrite-target": "/$2",
      "nginx.ingress.kubernetes.io/ssl-redirect": "true",
      "nginx.ingress.kubernetes.io/proxy-body-size": "8m",
      "nginx.ingress.kubernetes.io/proxy-read-timeout": "120",
      "nginx.ingress.kubernetes.io/backend-protocol": "GRPC",
      "traefik.ingress.kubernetes.io/router.entrypoints": "web,websecure",
      "traefik.ingress.kubernetes.io/router.tls": "true",
    };
    const spec = {
      ingressClassName: "traefik",
      rules: [own, `shop.${own}`, `a.b.${own}`].map((host) => ({
        host,
        http: { paths: [{ path: "/", pathType: "Prefix", backend }] },
      })),
      tls: [{ hosts: [own, `shop.${own}`], secretName: "shop-tls" }],
    };
    const object = appliedObject(
      admit(request("POST", "ingresses", "web", ingress(spec, annotations))),
    );
    assert.deepEqual(object.spec, spec);
    assert.deepEqual(object.metadata.annotations, annotations);
  });

  it("routes under the configured apps domain, whatever its case or trailing dot", () => {
    const spec = { rules: [{ host: `web.${NAMESPACE}.apps.example.org` }] };
    const payload = ingress(spec);
    const refused = admit(request("POST", "ingresses", "web", payload));
    assert.equal(!refused.ok && refused.rejection.code, "ADMISSION_INGRESS_HOST");
    for (const appsDomain of ["apps.example.org", "Apps.Example.ORG."]) {
      appliedObject(admit(request("POST", "ingresses", "web", payload), { appsDomain }));
    }
  });

  it("lets a patch remove any annotation and change paths under its own hosts", () => {
    const patch = {
      metadata: { annotations: { "nginx.ingress.kubernetes.io/server-snippet": null } },
      spec: { defaultBackend: null, rules: [{ host: `api.${own}` }] },
    };
    const operation = admitted(admit(request("PATCH", "ingresses", "web", JSON.stringify(patch))));
    assert.equal(operation.kind, "patch");
  });
});

describe("admit: scheduling and probes", () => {
  const pod = (spec: Json, policy?: Parameters<typeof admit>[1]) =>
    admit(
      request(
        "POST",
        "pods",
        "web",
        JSON.stringify({ spec: { containers: [{ name: "app", image: "app:1" }], ...spec } }),
      ),
      policy,
    );

  it("admits ordinary placement: zones, own-namespace affinity, lifecycle tolerations", () => {
    const spec = {
      schedulerName: "default-scheduler",
      nodeSelector: { "kubernetes.io/os": "linux", "topology.kubernetes.io/zone": "eu-1a" },
      tolerations: [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 60 },
        { key: "example.com/gpu", operator: "Equal", value: "a100", effect: "NoSchedule" },
      ],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: "kubernetes.io/arch", operator: "In", values: ["arm64"] },
                ],
              },
            ],
          },
        },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            {
              labelSelector: { matchLabels: { app: "web" } },
              namespaces: [NAMESPACE],
              topologyKey: "kubernetes.io/hostname",
            },
          ],
        },
      },
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule" },
      ],
    };
    const object = appliedObject(pod(spec));
    for (const [field, value] of Object.entries(spec)) {
      assert.deepEqual(at(object, "spec", field), value, field);
    }
  });

  it("admits listed priority classes only, and never a system one", () => {
    const policy = { allowedPriorityClasses: ["batch-low", "system-cluster-critical"] };
    appliedObject(pod({ priorityClassName: "batch-low" }, policy));
    appliedObject(pod({ priorityClassName: "" }));
    for (const [name, options] of [
      ["batch-low", undefined],
      ["system-cluster-critical", policy],
    ] as const) {
      const refused = pod({ priorityClassName: name }, options);
      assert.equal(!refused.ok && refused.rejection.code, "ADMISSION_PRIORITY_CLASS", name);
    }
  });

  it("admits probes aimed at the pod itself: no host, grpc, exec", () => {
    const probes = {
      livenessProbe: { httpGet: { path: "/healthz", port: 8080, host: "" } },
      readinessProbe: { grpc: { port: 9090, service: "ready" } },
      startupProbe: { tcpSocket: { port: 8080 } },
      lifecycle: {
        preStop: { exec: { command: ["/bin/drain"] } },
        postStart: { sleep: { seconds: 1 } },
      },
    };
    const object = appliedObject(
      admit(
        request(
          "POST",
          "pods",
          "web",
          JSON.stringify({ spec: { containers: [{ name: "app", image: "app:1", ...probes }] } }),
        ),
      ),
    );
    for (const [field, value] of Object.entries(probes)) {
      assert.deepEqual(at(object, "spec", "containers", 0, field), value, field);
    }
  });

  it("lets a patch drop a hostname selector an older object has, never placement's labels", () => {
    const patch = (selector: Json) =>
      admit(
        request(
          "PATCH",
          "deployments",
          "web",
          JSON.stringify({ spec: { template: { spec: { nodeSelector: selector } } } }),
        ),
      );
    assert.equal(patch({ "kubernetes.io/hostname": null }).ok, true);
    const refused = patch({ "k8s-daas.io/cluster": null });
    assert.equal(!refused.ok && refused.rejection.code, "ADMISSION_NODE_SELECTOR");
  });
});

describe("admit: nested metadata", () => {
  it("admits named volume claim templates with labels, and labelled job templates", () => {
    const statefulSet = {
      spec: {
        serviceName: "db",
        selector: { matchLabels: { app: "db" } },
        template: {
          metadata: { labels: { app: "db" } },
          spec: { containers: [{ name: "db", image: "db:1" }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data", labels: { tier: "db" } },
            spec: { accessModes: ["ReadWriteOnce"] },
          },
        ],
      },
    };
    const object = appliedObject(
      admit(request("POST", "statefulsets", "db", JSON.stringify(statefulSet))),
    );
    assert.deepEqual(
      at(object, "spec", "volumeClaimTemplates"),
      statefulSet.spec.volumeClaimTemplates,
    );
    const cron = {
      spec: {
        schedule: "@hourly",
        jobTemplate: {
          metadata: { labels: { job: "report" } },
          spec: { template: { spec: { containers: [] } } },
        },
      },
    };
    appliedObject(admit(request("POST", "cronjobs", "report", JSON.stringify(cron))));
  });

  it("leaves a ConfigMap's data key called metadata alone", () => {
    const object = appliedObject(
      admit(request("POST", "configmaps", "cm", JSON.stringify({ data: { metadata: "x: 1" } }))),
    );
    assert.deepEqual(object.data, { metadata: "x: 1" });
  });
});

describe("admit: policy", () => {
  it("documents sane defaults", () => {
    assert.equal(DEFAULT_ADMISSION_POLICY.maxManifestBytes, 16_384);
    assert.equal(DEFAULT_ADMISSION_POLICY.maxDepth, 32);
    assert.equal(DEFAULT_ADMISSION_POLICY.maxAliases, 0);
    assert.equal(DEFAULT_ADMISSION_POLICY.appsDomain, "apps.k8s-daas.local");
    assert.deepEqual(DEFAULT_ADMISSION_POLICY.allowedPriorityClasses, []);
    assert.equal(DEFAULT_ADMISSION_POLICY.maxListItems, 500);
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
