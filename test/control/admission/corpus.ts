// Requests admission must refuse, each with the exact code it must refuse with. Exported so
// an end-to-end test can replay the ones the chain accepts (`onChain`) against a real
// cluster and check that none of them creates an object.
import type { TenantRequest } from "../../../src/control/tenant-request.ts";
import {
  isDnsSubdomain,
  isResource,
  LIMITS,
  podManifest,
  REQUEST_METHODS,
} from "../../../src/protocol/index.ts";

export interface CorpusCase {
  name: string;
  request: TenantRequest;
  /** The `Rejection.code` admission must answer with. */
  code: string;
  /** Whether `requests::submit` accepts it, so it can be replayed on chain. */
  onChain: boolean;
}

type RequestShape = Pick<TenantRequest, "method" | "resource" | "name"> & {
  namespace?: string;
  payload?: string | Uint8Array;
};
type Json = Record<string, unknown>;

const encoder = new TextEncoder();

/** A container and pod spec that pass every check, to be spoiled one field at a time. */
const container = (name = "app"): Json => ({ name, image: "registry.example/app:1.0" });
const goodPodSpec = (): Json => ({ containers: [container()] });

interface TemplateKind {
  resource: string;
  apiVersion: string;
  kind: string;
  /** A whole object of this kind around `spec` (a pod spec). */
  object(name: string, spec: Json): Json;
  /** A merge patch that replaces parts of the pod spec with `spec`. */
  patch(spec: Json): Json;
}

const templated = (resource: string, apiVersion: string, kind: string): TemplateKind => ({
  resource,
  apiVersion,
  kind,
  object: (name, spec) => ({
    apiVersion,
    kind,
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec },
    },
  }),
  patch: (spec) => ({ spec: { template: { spec } } }),
});

/** Every kind that carries a pod template, and where. */
export const POD_TEMPLATE_KINDS: readonly TemplateKind[] = [
  {
    resource: "pods",
    apiVersion: "v1",
    kind: "Pod",
    object: (name, spec) => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec }),
    patch: (spec) => ({ spec }),
  },
  templated("deployments", "apps/v1", "Deployment"),
  templated("replicasets", "apps/v1", "ReplicaSet"),
  templated("statefulsets", "apps/v1", "StatefulSet"),
  templated("jobs", "batch/v1", "Job"),
  {
    resource: "cronjobs",
    apiVersion: "batch/v1",
    kind: "CronJob",
    object: (name, spec) => ({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name },
      spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec } } } },
    }),
    patch: (spec) => ({ spec: { jobTemplate: { spec: { template: { spec } } } } }),
  },
];

const first = (spec: Json): Json => (spec.containers as Json[])[0] as Json;
const containerSecurity = (spec: Json, context: Json) => {
  first(spec).securityContext = context;
};
const podSecurity = (spec: Json, context: Json) => {
  spec.securityContext = context;
};

/** One forbidden pod-spec change: applied to a good pod spec, it must be refused with `code`. */
interface PodSpecViolation {
  name: string;
  code: string;
  spoil(spec: Json): void;
}

/** Taints that keep pods off the control plane, cordoned, pressured or add-on nodes. */
const TOLERATION_VIOLATIONS: readonly PodSpecViolation[] = [
  ["cordoned node", { key: "node.kubernetes.io/unschedulable", operator: "Exists" }],
  ["add-on nodes", { key: "CriticalAddonsOnly", operator: "Exists" }],
  ["legacy master", { key: "node-role.kubernetes.io/master", effect: "NoSchedule" }],
  ["memory pressure", { key: "node.kubernetes.io/memory-pressure", operator: "Exists" }],
  [
    "uninitialized cloud node",
    { key: "node.cloudprovider.kubernetes.io/uninitialized", operator: "Exists" },
  ],
  ["a k8s-daas.io taint", { key: "k8s-daas.io/draining", operator: "Exists" }],
  ["every NoSchedule taint", { operator: "Exists", effect: "NoSchedule" }],
].map(([what, toleration]) => ({
  name: `toleration of ${what as string}`,
  code: "ADMISSION_TOLERATION",
  spoil: (s: Json) => {
    s.tolerations = [{ key: "example.com/gpu", operator: "Exists" }, toleration];
  },
}));

const requiredNodeTerm = (term: Json): Json => ({
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } },
});

/** Node selection aimed at one node, the control plane, or placement's own labels. */
const NODE_SELECTION_VIOLATIONS: readonly PodSpecViolation[] = [
  ...[
    ["kubernetes.io/hostname", "worker-1"],
    ["node-role.kubernetes.io/control-plane", "true"],
    ["node-role.kubernetes.io/master", "true"],
    ["node-role.kubernetes.io/etcd", ""],
    ["k3s.io/hostname", "server"],
    ["k8s-daas.io/cluster", "other"],
    ["k8s-daas.io/worker-active", "false"],
  ].map(([key, value]) => ({
    name: `nodeSelector ${key}`,
    code: "ADMISSION_NODE_SELECTOR",
    spoil: (s: Json) => {
      s.nodeSelector = { "kubernetes.io/os": "linux", [key as string]: value };
    },
  })),
  {
    name: "required node affinity on the hostname",
    code: "ADMISSION_NODE_SELECTOR",
    spoil: (s) => {
      s.affinity = requiredNodeTerm({
        matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["srv"] }],
      });
    },
  },
  {
    name: "required node affinity on the control-plane role",
    code: "ADMISSION_NODE_SELECTOR",
    spoil: (s) => {
      s.affinity = requiredNodeTerm({
        matchExpressions: [
          { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
          { key: "node-role.kubernetes.io/control-plane", operator: "Exists" },
        ],
      });
    },
  },
  {
    name: "node affinity against placement's cluster label",
    code: "ADMISSION_NODE_SELECTOR",
    spoil: (s) => {
      s.affinity = requiredNodeTerm({
        matchExpressions: [{ key: "k8s-daas.io/cluster", operator: "DoesNotExist" }],
      });
    },
  },
  {
    name: "node affinity matchFields on the node name",
    code: "ADMISSION_NODE_SELECTOR",
    spoil: (s) => {
      s.affinity = requiredNodeTerm({
        matchFields: [{ key: "metadata.name", operator: "In", values: ["server"] }],
      });
    },
  },
  {
    name: "preferred node affinity for the master",
    code: "ADMISSION_NODE_SELECTOR",
    spoil: (s) => {
      s.affinity = {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              preference: {
                matchExpressions: [{ key: "node-role.kubernetes.io/master", operator: "Exists" }],
              },
            },
          ],
        },
      };
    },
  },
  ...[
    ["to kube-system pods", { namespaces: ["kube-system"] }],
    ["over every namespace", { namespaceSelector: {} }],
  ].map(([what, scope]) => ({
    name: `pod affinity ${what as string}`,
    code: "ADMISSION_POD_AFFINITY_NAMESPACE",
    spoil: (s: Json) => {
      const term = {
        labelSelector: { matchLabels: { app: "victim" } },
        topologyKey: "kubernetes.io/hostname",
        ...(scope as Json),
      };
      s.affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
    },
  })),
  {
    name: "preferred pod anti-affinity with a namespace selector",
    code: "ADMISSION_POD_AFFINITY_NAMESPACE",
    spoil: (s) => {
      s.affinity = {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 1,
              podAffinityTerm: {
                labelSelector: { matchLabels: { app: "x" } },
                namespaceSelector: { matchLabels: { team: "b" } },
                topologyKey: "kubernetes.io/hostname",
              },
            },
          ],
        },
      };
    },
  },
  {
    name: "nodeSelector a list",
    code: "ADMISSION_FIELD_INVALID",
    spoil: (s) => {
      s.nodeSelector = ["kubernetes.io/hostname=srv"];
    },
  },
];

/** Probe and lifecycle actions that would make the kubelet connect to another host. */
const PROBE_HOST_VIOLATIONS: readonly PodSpecViolation[] = [
  ["livenessProbe", "httpGet", "169.254.169.254"],
  ["readinessProbe", "tcpSocket", "10.0.0.1"],
  ["startupProbe", "httpGet", "kubernetes.default.svc"],
  ["lifecycle.postStart", "httpGet", "other.team-b.svc"],
  ["lifecycle.preStop", "tcpSocket", "127.0.0.1"],
].map(([where, action, host]) => ({
  name: `${where} ${action}.host`,
  code: "ADMISSION_PROBE_HOST",
  spoil: (s: Json) => {
    const handler = {
      [action as string]: { host, port: 80, ...(action === "httpGet" ? { path: "/" } : {}) },
    };
    const [field, hook] = (where as string).split(".");
    first(s)[field as string] = hook === undefined ? handler : { [hook]: handler };
  },
}));

const POD_SPEC_VIOLATIONS: readonly PodSpecViolation[] = [
  {
    name: "hostPath volume",
    code: "ADMISSION_HOST_PATH",
    spoil: (s) => {
      s.volumes = [{ name: "root", hostPath: { path: "/" } }];
    },
  },
  {
    name: "hostPath as second volume",
    code: "ADMISSION_HOST_PATH",
    spoil: (s) => {
      s.volumes = [
        { name: "ok", emptyDir: {} },
        { name: "docker", hostPath: { path: "/var/run" } },
      ];
    },
  },
  {
    name: "nfs volume",
    code: "ADMISSION_VOLUME_TYPE",
    spoil: (s) => {
      s.volumes = [{ name: "n", nfs: { server: "10.0.0.1", path: "/" } }];
    },
  },
  {
    name: "hostNetwork",
    code: "ADMISSION_HOST_NETWORK",
    spoil: (s) => {
      s.hostNetwork = true;
    },
  },
  {
    name: "hostNetwork as a string",
    code: "ADMISSION_HOST_NETWORK",
    spoil: (s) => {
      s.hostNetwork = "true";
    },
  },
  {
    name: "hostPID",
    code: "ADMISSION_HOST_PID",
    spoil: (s) => {
      s.hostPID = true;
    },
  },
  {
    name: "hostIPC",
    code: "ADMISSION_HOST_IPC",
    spoil: (s) => {
      s.hostIPC = true;
    },
  },
  {
    name: "nodeName pinning",
    code: "ADMISSION_NODE_NAME",
    spoil: (s) => {
      s.nodeName = "worker-1";
    },
  },
  {
    name: "runtimeClassName",
    code: "ADMISSION_RUNTIME_CLASS",
    spoil: (s) => {
      s.runtimeClassName = "runc-unconfined";
    },
  },
  {
    name: "tenant service account",
    code: "ADMISSION_SERVICE_ACCOUNT",
    spoil: (s) => {
      s.serviceAccountName = "k8s-daas-tenant";
    },
  },
  {
    name: "deprecated serviceAccount field",
    code: "ADMISSION_SERVICE_ACCOUNT",
    spoil: (s) => {
      s.serviceAccount = "admin";
    },
  },
  {
    name: "system priority class",
    code: "ADMISSION_PRIORITY_CLASS",
    spoil: (s) => {
      s.priorityClassName = "system-node-critical";
    },
  },
  {
    name: "control-plane toleration",
    code: "ADMISSION_TOLERATION",
    spoil: (s) => {
      s.tolerations = [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }];
    },
  },
  {
    name: "tolerate every taint",
    code: "ADMISSION_TOLERATION",
    spoil: (s) => {
      s.tolerations = [{ operator: "Exists" }];
    },
  },
  {
    name: "ephemeral containers",
    code: "ADMISSION_EPHEMERAL_CONTAINERS",
    spoil: (s) => {
      s.ephemeralContainers = [{ name: "debug", image: "busybox" }];
    },
  },
  {
    name: "pod runAsNonRoot false",
    code: "ADMISSION_RUN_AS_ROOT",
    spoil: (s) => podSecurity(s, { runAsNonRoot: false }),
  },
  {
    name: "pod runAsUser 0",
    code: "ADMISSION_RUN_AS_ROOT",
    spoil: (s) => podSecurity(s, { runAsUser: 0 }),
  },
  {
    name: "pod seccomp Unconfined",
    code: "ADMISSION_SECCOMP_PROFILE",
    spoil: (s) => podSecurity(s, { seccompProfile: { type: "Unconfined" } }),
  },
  {
    name: "pod AppArmor Unconfined",
    code: "ADMISSION_APPARMOR_PROFILE",
    spoil: (s) => podSecurity(s, { appArmorProfile: { type: "Unconfined" } }),
  },
  {
    name: "pod SELinux user",
    code: "ADMISSION_SELINUX_OPTIONS",
    spoil: (s) => podSecurity(s, { seLinuxOptions: { user: "system_u" } }),
  },
  {
    name: "pod SELinux spc_t",
    code: "ADMISSION_SELINUX_OPTIONS",
    spoil: (s) => podSecurity(s, { seLinuxOptions: { type: "spc_t" } }),
  },
  {
    name: "unsafe sysctl",
    code: "ADMISSION_SYSCTL",
    spoil: (s) => podSecurity(s, { sysctls: [{ name: "kernel.msgmax", value: "65536" }] }),
  },
  {
    name: "pod Windows hostProcess",
    code: "ADMISSION_HOST_PROCESS",
    spoil: (s) => podSecurity(s, { windowsOptions: { hostProcess: true } }),
  },
  {
    name: "privileged container",
    code: "ADMISSION_PRIVILEGED",
    spoil: (s) => containerSecurity(s, { privileged: true }),
  },
  {
    name: "privileged init container",
    code: "ADMISSION_PRIVILEGED",
    spoil: (s) => {
      s.initContainers = [{ ...container("init"), securityContext: { privileged: true } }];
    },
  },
  {
    name: "privileged second container",
    code: "ADMISSION_PRIVILEGED",
    spoil: (s) => {
      s.containers = [container("a"), { ...container("b"), securityContext: { privileged: true } }];
    },
  },
  {
    name: "allowPrivilegeEscalation true",
    code: "ADMISSION_PRIVILEGE_ESCALATION",
    spoil: (s) => containerSecurity(s, { allowPrivilegeEscalation: true }),
  },
  {
    name: "added SYS_ADMIN",
    code: "ADMISSION_CAPABILITIES_ADD",
    spoil: (s) => containerSecurity(s, { capabilities: { add: ["SYS_ADMIN"] } }),
  },
  {
    name: "added NET_BIND_SERVICE",
    code: "ADMISSION_CAPABILITIES_ADD",
    spoil: (s) =>
      containerSecurity(s, { capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] } }),
  },
  {
    name: "drop without ALL",
    code: "ADMISSION_CAPABILITIES_DROP",
    spoil: (s) => containerSecurity(s, { capabilities: { drop: ["NET_RAW"] } }),
  },
  {
    name: "container runAsUser 0",
    code: "ADMISSION_RUN_AS_ROOT",
    spoil: (s) => containerSecurity(s, { runAsUser: 0 }),
  },
  {
    name: "container runAsNonRoot false",
    code: "ADMISSION_RUN_AS_ROOT",
    spoil: (s) => containerSecurity(s, { runAsNonRoot: false }),
  },
  {
    name: "container seccomp Unconfined",
    code: "ADMISSION_SECCOMP_PROFILE",
    spoil: (s) => containerSecurity(s, { seccompProfile: { type: "Unconfined" } }),
  },
  {
    name: "unmasked procMount",
    code: "ADMISSION_PROC_MOUNT",
    spoil: (s) => containerSecurity(s, { procMount: "Unmasked" }),
  },
  {
    name: "hostPort",
    code: "ADMISSION_HOST_PORT",
    spoil: (s) => {
      first(s).ports = [{ containerPort: 80, hostPort: 80 }];
    },
  },
  ...TOLERATION_VIOLATIONS,
  ...NODE_SELECTION_VIOLATIONS,
  ...PROBE_HOST_VIOLATIONS,
  {
    name: "another scheduler",
    code: "ADMISSION_SCHEDULER_NAME",
    spoil: (s) => {
      s.schedulerName = "my-scheduler";
    },
  },
  {
    name: "priority class not on the allowlist",
    code: "ADMISSION_PRIORITY_CLASS",
    spoil: (s) => {
      s.priorityClassName = "high-priority";
    },
  },
  {
    name: "containers not a list",
    code: "ADMISSION_FIELD_INVALID",
    spoil: (s) => {
      s.containers = { name: "app", image: "x" };
    },
  },
  {
    name: "securityContext not a mapping",
    code: "ADMISSION_FIELD_INVALID",
    spoil: (s) => containerSecurity(s, "privileged" as unknown as Json),
  },
];

export function buildAdmissionCorpus(namespace = "corpus-tenant"): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const add = (name: string, code: string, shape: RequestShape) => {
    const request = tenantRequest(namespace, shape, BigInt(cases.length + 1));
    cases.push({ name, request, code, onChain: acceptedOnChain(request, namespace) });
  };
  const json = (value: unknown) => JSON.stringify(value);

  // Every forbidden pod-spec field in every kind that carries a pod, as object and patch.
  for (const kind of POD_TEMPLATE_KINDS) {
    for (const violation of POD_SPEC_VIOLATIONS) {
      const spec = goodPodSpec();
      violation.spoil(spec);
      add(`${kind.kind} POST: ${violation.name}`, violation.code, {
        method: "POST",
        resource: kind.resource,
        name: "spoiled",
        payload: json(kind.object("spoiled", spec)),
      });
      add(`${kind.kind} PATCH: ${violation.name}`, violation.code, {
        method: "PATCH",
        resource: kind.resource,
        name: "spoiled",
        payload: json(kind.patch(spec)),
      });
    }
    add(`${kind.kind} PATCH: deletes pod securityContext`, "ADMISSION_PATCH_CLEARS_GUARDED_FIELD", {
      method: "PATCH",
      resource: kind.resource,
      name: "spoiled",
      payload: json(kind.patch({ securityContext: null })),
    });
    add(`${kind.kind} PATCH: deletes runAsNonRoot`, "ADMISSION_PATCH_CLEARS_GUARDED_FIELD", {
      method: "PATCH",
      resource: kind.resource,
      name: "spoiled",
      payload: json(kind.patch({ securityContext: { runAsNonRoot: null } })),
    });
    add(`${kind.kind} PUT: apiVersion v2`, "ADMISSION_API_VERSION_MISMATCH", {
      method: "PUT",
      resource: kind.resource,
      name: "wrong",
      payload: json({ ...kind.object("wrong", goodPodSpec()), apiVersion: "v2" }),
    });
    add(`${kind.kind} POST: kind ClusterRole`, "ADMISSION_KIND_MISMATCH", {
      method: "POST",
      resource: kind.resource,
      name: "wrong",
      payload: json({ ...kind.object("wrong", goodPodSpec()), kind: "ClusterRole" }),
    });
  }
  // The pod spec of a Pod has no separate template metadata; the others do.
  for (const kind of POD_TEMPLATE_KINDS.filter((k) => k.kind !== "Pod")) {
    const object = kind.object("tpl", goodPodSpec());
    const template = findTemplate(object);
    template.metadata = { labels: { "k8s-daas.io/managed": "true" } };
    add(`${kind.kind}: reserved label in pod template`, "ADMISSION_RESERVED_KEY", {
      method: "POST",
      resource: kind.resource,
      name: "tpl",
      payload: json(object),
    });
    template.metadata = { name: "x" };
    add(`${kind.kind}: name in pod template metadata`, "ADMISSION_METADATA_FIELD", {
      method: "POST",
      resource: kind.resource,
      name: "tpl",
      payload: json(object),
    });
    for (const [field, value] of TEMPLATE_METADATA_EXTRAS) {
      template.metadata = { labels: { app: "tpl" }, [field]: value };
      add(`${kind.kind}: ${field} in pod template metadata`, "ADMISSION_METADATA_FIELD", {
        method: "POST",
        resource: kind.resource,
        name: "tpl",
        payload: json(object),
      });
      const patch = kind.patch(goodPodSpec());
      findTemplate(patch).metadata = { [field]: value };
      delete findTemplate(patch).spec;
      add(`${kind.kind} PATCH: ${field} in pod template metadata`, "ADMISSION_METADATA_FIELD", {
        method: "PATCH",
        resource: kind.resource,
        name: "tpl",
        payload: json(patch),
      });
    }
  }
  for (const [field, value] of TEMPLATE_METADATA_EXTRAS) {
    add(`CronJob: ${field} in job template metadata`, "ADMISSION_METADATA_FIELD", {
      method: "POST",
      resource: "cronjobs",
      name: "cron",
      payload: json({
        spec: { schedule: "@daily", jobTemplate: { metadata: { [field]: value }, spec: {} } },
      }),
    });
    add(`StatefulSet: ${field} in volume claim template`, "ADMISSION_METADATA_FIELD", {
      method: "POST",
      resource: "statefulsets",
      name: "db",
      payload: json({
        spec: {
          volumeClaimTemplates: [
            { metadata: { name: "data" } },
            { metadata: { name: "logs", [field]: value } },
          ],
        },
      }),
    });
    add(`StatefulSet PATCH: ${field} in volume claim template`, "ADMISSION_METADATA_FIELD", {
      method: "PATCH",
      resource: "statefulsets",
      name: "db",
      payload: json({
        spec: { volumeClaimTemplates: [{ metadata: { name: "d", [field]: value } }] },
      }),
    });
    add(`Pod: ${field} in an ephemeral volume's claim template`, "ADMISSION_METADATA_FIELD", {
      method: "POST",
      resource: "pods",
      name: "web",
      payload: json({
        spec: {
          containers: [container()],
          volumes: [
            {
              name: "scratch",
              ephemeral: { volumeClaimTemplate: { metadata: { [field]: value }, spec: {} } },
            },
          ],
        },
      }),
    });
  }
  add("StatefulSet: namespace in volume claim template", "ADMISSION_METADATA_FIELD", {
    method: "POST",
    resource: "statefulsets",
    name: "db",
    payload: json({
      spec: { volumeClaimTemplates: [{ metadata: { name: "data", namespace: "kube-system" } }] },
    }),
  });
  add("Deployment: invalid label in pod template", "ADMISSION_LABEL_INVALID", {
    method: "POST",
    resource: "deployments",
    name: "web",
    payload: json({ spec: { template: { metadata: { labels: { app: "a b" } }, spec: {} } } }),
  });

  add("CronJob: reserved label in job template", "ADMISSION_RESERVED_KEY", {
    method: "POST",
    resource: "cronjobs",
    name: "cron",
    payload: json({
      spec: {
        schedule: "@daily",
        jobTemplate: { metadata: { labels: { "k8s-daas.io/managed": "true" } }, spec: {} },
      },
    }),
  });
  add("StatefulSet: reserved annotation in volume claim template", "ADMISSION_RESERVED_KEY", {
    method: "POST",
    resource: "statefulsets",
    name: "db",
    payload: json({
      spec: {
        volumeClaimTemplates: [
          { metadata: { name: "data", annotations: { "k8s-daas.io/request-id": "1" } } },
        ],
      },
    }),
  });
  add("PATCH: reserved label in pod template", "ADMISSION_RESERVED_KEY", {
    method: "PATCH",
    resource: "deployments",
    name: "web",
    payload: json({
      spec: { template: { metadata: { labels: { "k8s-daas.io/managed": null } } } },
    }),
  });

  // Resources tenants may not touch, read or write.
  const forbiddenResources: [string, string][] = [
    ["roles", "ADMISSION_RESOURCE_RBAC"],
    ["rolebindings", "ADMISSION_RESOURCE_RBAC"],
    ["clusterroles", "ADMISSION_RESOURCE_RBAC"],
    ["clusterrolebindings", "ADMISSION_RESOURCE_RBAC"],
    ["roles.rbac.authorization.k8s.io", "ADMISSION_RESOURCE_RBAC"],
    ["namespaces", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["nodes", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["persistentvolumes", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["storageclasses", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["customresourcedefinitions", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["customresourcedefinitions.apiextensions.k8s.io", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["mutatingwebhookconfigurations", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["validatingwebhookconfigurations", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["validatingadmissionpolicies", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["priorityclasses", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["runtimeclasses", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["certificatesigningrequests", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["apiservices", "ADMISSION_RESOURCE_CLUSTER_SCOPED"],
    ["serviceaccounts", "ADMISSION_RESOURCE_FORBIDDEN"],
    ["endpoints", "ADMISSION_RESOURCE_FORBIDDEN"],
    ["endpointslices", "ADMISSION_RESOURCE_FORBIDDEN"],
    ["leases", "ADMISSION_RESOURCE_FORBIDDEN"],
    ["replicationcontrollers", "ADMISSION_RESOURCE_FORBIDDEN"],
    ["pods/exec", "ADMISSION_RESOURCE_FORBIDDEN"],
    ["pods/log", "ADMISSION_RESOURCE_FORBIDDEN"],
    ["deployments/scale", "ADMISSION_RESOURCE_FORBIDDEN"],
    ["widgets", "ADMISSION_RESOURCE_UNKNOWN"],
    ["widgets.example.com", "ADMISSION_RESOURCE_UNKNOWN"],
    ["pod", "ADMISSION_RESOURCE_UNKNOWN"],
    ["Pods", "ADMISSION_RESOURCE_UNKNOWN"],
    ["deployments.extensions", "ADMISSION_RESOURCE_UNKNOWN"],
    ["", "ADMISSION_RESOURCE_UNKNOWN"],
  ];
  for (const [resource, code] of forbiddenResources) {
    add(`GET ${resource || "(empty resource)"}`, code, { method: "GET", resource, name: "" });
    add(`DELETE ${resource || "(empty resource)"}`, code, {
      method: "DELETE",
      resource,
      name: "victim",
    });
    add(`POST ${resource || "(empty resource)"}`, code, {
      method: "POST",
      resource,
      name: "obj",
      payload: json({ metadata: { name: "obj" } }),
    });
  }
  for (const resource of ["events", "resourcequotas", "limitranges", "networkpolicies"]) {
    for (const method of ["POST", "PUT", "PATCH"]) {
      add(`${method} read-only ${resource}`, "ADMISSION_RESOURCE_READ_ONLY", {
        method,
        resource,
        name: "x",
        payload: json({ metadata: { name: "x" } }),
      });
    }
    add(`DELETE read-only ${resource}`, "ADMISSION_RESOURCE_READ_ONLY", {
      method: "DELETE",
      resource,
      name: "x",
    });
  }

  // Methods and payload presence.
  const pod = podManifest("web", namespace, "nginx:1.27");
  for (const method of ["get", "post", "OPTIONS", "HEAD", "CONNECT", "", "POST ", "WATCH"]) {
    add(`method ${JSON.stringify(method)}`, "ADMISSION_METHOD_UNKNOWN", {
      method,
      resource: "pods",
      name: "web",
      payload: pod,
    });
  }
  add("GET with a payload", "ADMISSION_PAYLOAD_UNEXPECTED", {
    method: "GET",
    resource: "pods",
    name: "web",
    payload: pod,
  });
  add("LIST with a comment for a payload", "ADMISSION_PAYLOAD_UNEXPECTED", {
    method: "GET",
    resource: "pods",
    name: "",
    payload: "# limit: 10\n",
  });
  add("GET with a single space", "ADMISSION_PAYLOAD_UNEXPECTED", {
    method: "GET",
    resource: "configmaps",
    name: "",
    payload: " ",
  });
  add("DELETE with a payload", "ADMISSION_PAYLOAD_UNEXPECTED", {
    method: "DELETE",
    resource: "pods",
    name: "web",
    payload: '{"propagationPolicy":"Orphan"}',
  });
  for (const method of ["POST", "PUT", "PATCH"]) {
    for (const [label, payload] of [
      ["empty", ""],
      ["whitespace", " \n\t\n"],
      ["a comment", "# nothing here\n"],
      ["YAML null", "null"],
      ["a bare document marker", "---\n"],
    ] as const) {
      add(`${method} with ${label} payload`, "ADMISSION_PAYLOAD_MISSING", {
        method,
        resource: "pods",
        name: "web",
        payload,
      });
    }
  }
  add("DELETE without a name", "ADMISSION_NAME_REQUIRED", {
    method: "DELETE",
    resource: "pods",
    name: "",
  });
  add("PATCH without a name", "ADMISSION_NAME_REQUIRED", {
    method: "PATCH",
    resource: "deployments",
    name: "",
    payload: '{"spec":{"replicas":2}}',
  });
  add("POST without any name", "ADMISSION_NAME_REQUIRED", {
    method: "POST",
    resource: "configmaps",
    name: "",
    payload: json({ apiVersion: "v1", kind: "ConfigMap", data: { a: "b" } }),
  });
  add("PUT with generateName only", "ADMISSION_NAME_REQUIRED", {
    method: "PUT",
    resource: "configmaps",
    name: "",
    payload: json({ metadata: { generateName: "cm-" } }),
  });

  // Names and namespaces.
  const badRequestNames = ["Web", "-web", "web-", "web_1", "web..x", "a".repeat(254), "ä", "web/x"];
  for (const name of badRequestNames) {
    add(`GET bad name ${JSON.stringify(name.slice(0, 20))}`, "ADMISSION_NAME_INVALID", {
      method: "GET",
      resource: "pods",
      name,
    });
  }
  const badObjectNames: [string, string, string][] = [
    ["services", "Service", "1svc"],
    ["services", "Service", "svc.example"],
    ["statefulsets", "StatefulSet", "db.primary"],
    ["cronjobs", "CronJob", "c".repeat(53)],
    ["configmaps", "ConfigMap", "Config"],
    ["pods", "Pod", "pod_1"],
  ];
  for (const [resource, kind, name] of badObjectNames) {
    add(`${kind} named ${JSON.stringify(name.slice(0, 20))}`, "ADMISSION_NAME_INVALID", {
      method: "POST",
      resource,
      name: "",
      payload: json({ kind, metadata: { name } }),
    });
  }
  add("metadata.name is a number", "ADMISSION_NAME_INVALID", {
    method: "POST",
    resource: "configmaps",
    name: "",
    payload: json({ metadata: { name: 42 } }),
  });
  add("metadata.name differs from the request", "ADMISSION_NAME_MISMATCH", {
    method: "POST",
    resource: "pods",
    name: "web",
    payload: podManifest("other", namespace, "nginx:1.27"),
  });
  add("PUT metadata.name differs", "ADMISSION_NAME_MISMATCH", {
    method: "PUT",
    resource: "configmaps",
    name: "a",
    payload: "metadata:\n  name: b\n",
  });
  for (const bad of ["Team", "team_a", "-team", "a".repeat(64), ""]) {
    add(`namespace ${JSON.stringify(bad.slice(0, 20))}`, "ADMISSION_NAMESPACE_INVALID", {
      method: "GET",
      resource: "pods",
      name: "",
      namespace: bad,
    });
  }
  for (const reserved of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    add(`GET in ${reserved}`, "ADMISSION_NAMESPACE_RESERVED", {
      method: "GET",
      resource: "pods",
      name: "",
      namespace: reserved,
    });
    add(`POST into ${reserved}`, "ADMISSION_NAMESPACE_RESERVED", {
      method: "POST",
      resource: "pods",
      name: "web",
      namespace: reserved,
      payload: podManifest("web", reserved, "nginx:1.27"),
    });
  }
  for (const other of ["kube-system", "default", "someone-else"]) {
    add(`manifest namespace ${other}`, "ADMISSION_NAMESPACE_MISMATCH", {
      method: "POST",
      resource: "pods",
      name: "web",
      payload: podManifest("web", other, "nginx:1.27"),
    });
  }
  add("manifest namespace is a list", "ADMISSION_NAMESPACE_MISMATCH", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: json({ metadata: { namespace: [namespace] } }),
  });

  // Type meta.
  const typeMeta: [string, string, string, string][] = [
    ["deployments", "extensions/v1beta1", "Deployment", "ADMISSION_API_VERSION_MISMATCH"],
    ["deployments", "apps/v1beta2", "Deployment", "ADMISSION_API_VERSION_MISMATCH"],
    ["pods", "apps/v1", "Pod", "ADMISSION_API_VERSION_MISMATCH"],
    [
      "horizontalpodautoscalers",
      "autoscaling/v1",
      "HorizontalPodAutoscaler",
      "ADMISSION_API_VERSION_MISMATCH",
    ],
    ["configmaps", "v1", "Secret", "ADMISSION_KIND_MISMATCH"],
    ["pods", "v1", "pod", "ADMISSION_KIND_MISMATCH"],
    ["services", "v1", "Namespace", "ADMISSION_KIND_MISMATCH"],
    ["secrets", "v1", "ServiceAccount", "ADMISSION_KIND_MISMATCH"],
  ];
  for (const [resource, apiVersion, kind, code] of typeMeta) {
    add(`${resource} as ${apiVersion} ${kind}`, code, {
      method: "POST",
      resource,
      name: "obj",
      payload: json({ apiVersion, kind, metadata: { name: "obj" } }),
    });
  }
  add("PATCH changes kind", "ADMISSION_KIND_MISMATCH", {
    method: "PATCH",
    resource: "configmaps",
    name: "cm",
    payload: json({ kind: "Secret" }),
  });

  // Metadata.
  const metadataCases: [string, Json, string][] = [
    [
      "reserved request-id annotation",
      { annotations: { "k8s-daas.io/request-id": "1" } },
      "ADMISSION_RESERVED_KEY",
    ],
    [
      "reserved owner annotation",
      { annotations: { "k8s-daas.io/owner": "0x1" } },
      "ADMISSION_RESERVED_KEY",
    ],
    [
      "reserved managed label",
      { labels: { "k8s-daas.io/managed": "true" } },
      "ADMISSION_RESERVED_KEY",
    ],
    [
      "reserved subdomain label",
      { labels: { "team.k8s-daas.io/x": "y" } },
      "ADMISSION_RESERVED_KEY",
    ],
    ["reserved prefix in capitals", { labels: { "K8S-DAAS.IO/x": "y" } }, "ADMISSION_RESERVED_KEY"],
    ["label value too long", { labels: { app: "v".repeat(64) } }, "ADMISSION_LABEL_INVALID"],
    ["label value with a space", { labels: { app: "my app" } }, "ADMISSION_LABEL_INVALID"],
    ["label value a number", { labels: { version: 2 } }, "ADMISSION_LABEL_INVALID"],
    ["label key with a space", { labels: { "my key": "v" } }, "ADMISSION_LABEL_INVALID"],
    ["label key prefix invalid", { labels: { "Example.com/x": "v" } }, "ADMISSION_LABEL_INVALID"],
    ["labels a list", { labels: ["app=web"] }, "ADMISSION_LABEL_INVALID"],
    [
      "annotation value a mapping",
      { annotations: { note: { a: 1 } } },
      "ADMISSION_ANNOTATION_INVALID",
    ],
    ["annotation key empty", { annotations: { "": "v" } }, "ADMISSION_ANNOTATION_INVALID"],
    ["annotations a string", { annotations: "x" }, "ADMISSION_ANNOTATION_INVALID"],
    ["finalizers", { finalizers: ["example.com/block"] }, "ADMISSION_METADATA_FIELD"],
    ["ownerReferences", { ownerReferences: [] }, "ADMISSION_METADATA_FIELD"],
    ["uid", { uid: "1234" }, "ADMISSION_METADATA_FIELD"],
    ["resourceVersion", { resourceVersion: "99" }, "ADMISSION_METADATA_FIELD"],
    ["managedFields", { managedFields: [] }, "ADMISSION_METADATA_FIELD"],
    [
      "creationTimestamp",
      { creationTimestamp: "2026-01-01T00:00:00Z" },
      "ADMISSION_METADATA_FIELD",
    ],
    [
      "deletionTimestamp",
      { deletionTimestamp: "2026-01-01T00:00:00Z" },
      "ADMISSION_METADATA_FIELD",
    ],
  ];
  for (const [label, extra, code] of metadataCases) {
    add(`POST metadata: ${label}`, code, {
      method: "POST",
      resource: "configmaps",
      name: "cm",
      payload: json({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", ...extra } }),
    });
    add(`PATCH metadata: ${label}`, code, {
      method: "PATCH",
      resource: "configmaps",
      name: "cm",
      payload: json({ metadata: extra }),
    });
  }
  add("metadata is a string", "ADMISSION_FIELD_INVALID", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: json({ metadata: "cm" }),
  });
  add("PATCH metadata null", "ADMISSION_FIELD_INVALID", {
    method: "PATCH",
    resource: "configmaps",
    name: "cm",
    payload: json({ metadata: null }),
  });
  add("PATCH renames", "ADMISSION_PATCH_IMMUTABLE_FIELD", {
    method: "PATCH",
    resource: "configmaps",
    name: "cm",
    payload: json({ metadata: { name: "other" } }),
  });
  add("PATCH moves namespace", "ADMISSION_PATCH_IMMUTABLE_FIELD", {
    method: "PATCH",
    resource: "configmaps",
    name: "cm",
    payload: json({ metadata: { namespace: "kube-system" } }),
  });
  add("PATCH deletes the name", "ADMISSION_PATCH_IMMUTABLE_FIELD", {
    method: "PATCH",
    resource: "configmaps",
    name: "cm",
    payload: json({ metadata: { name: null } }),
  });
  for (const field of ["labels", "annotations"]) {
    add(`PATCH deletes all ${field}`, "ADMISSION_PATCH_CLEARS_GUARDED_FIELD", {
      method: "PATCH",
      resource: "configmaps",
      name: "cm",
      payload: json({ metadata: { [field]: null } }),
    });
  }
  add("PATCH deletes the request-id annotation", "ADMISSION_RESERVED_KEY", {
    method: "PATCH",
    resource: "configmaps",
    name: "cm",
    payload: json({ metadata: { annotations: { "k8s-daas.io/request-id": null } } }),
  });
  add("PATCH pod template is null", "ADMISSION_PATCH_CLEARS_GUARDED_FIELD", {
    method: "PATCH",
    resource: "deployments",
    name: "web",
    payload: json({ spec: { template: null } }),
  });
  add("Deployment template a string", "ADMISSION_FIELD_INVALID", {
    method: "POST",
    resource: "deployments",
    name: "web",
    payload: json({ spec: { template: "nginx" } }),
  });

  // Services and Secrets.
  for (const type of ["NodePort", "LoadBalancer", "ExternalName", "nodeport"]) {
    add(`Service type ${type}`, "ADMISSION_SERVICE_TYPE", {
      method: "POST",
      resource: "services",
      name: "svc",
      payload: json({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "svc" },
        spec: { type },
      }),
    });
  }
  add("PATCH Service to NodePort", "ADMISSION_SERVICE_TYPE", {
    method: "PATCH",
    resource: "services",
    name: "svc",
    payload: json({ spec: { type: "NodePort" } }),
  });
  add("Service externalIPs", "ADMISSION_SERVICE_EXTERNAL_IPS", {
    method: "POST",
    resource: "services",
    name: "svc",
    payload: json({
      kind: "Service",
      spec: { externalIPs: ["203.0.113.7"], ports: [{ port: 80 }] },
    }),
  });
  add("PATCH Service externalIPs", "ADMISSION_SERVICE_EXTERNAL_IPS", {
    method: "PATCH",
    resource: "services",
    name: "svc",
    payload: json({ spec: { externalIPs: ["10.0.0.1"] } }),
  });
  add("Service spec a list", "ADMISSION_FIELD_INVALID", {
    method: "POST",
    resource: "services",
    name: "svc",
    payload: json({ spec: [] }),
  });
  add("Secret of type service-account-token", "ADMISSION_SECRET_TYPE", {
    method: "POST",
    resource: "secrets",
    name: "token",
    payload: json({
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/service-account-token",
      metadata: {
        name: "token",
        annotations: { "kubernetes.io/service-account.name": "k8s-daas-tenant" },
      },
    }),
  });

  // Ingress: own hosts only, Service backends only, safe controller annotations only.
  const own = `${namespace}.apps.k8s-daas.local`;
  const ingress = (spec: Json, annotations?: Json): string =>
    json({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "web", ...(annotations ? { annotations } : {}) },
      spec,
    });
  const serviceBackend = { service: { name: "web", port: { number: 80 } } };
  const rule = (host?: unknown, backend: Json = serviceBackend): Json => ({
    ...(host === undefined ? {} : { host }),
    http: { paths: [{ path: "/", pathType: "Prefix", backend }] },
  });
  const badHosts: [string, unknown][] = [
    ["a wildcard under its own domain", `*.${own}`],
    ["a bare wildcard", "*"],
    ["another namespace's domain", "web.other-team.apps.k8s-daas.local"],
    ["a suffix that only looks like its own", `web.x${own}`],
    ["the apps domain itself", "apps.k8s-daas.local"],
    ["a foreign domain", "www.example.com"],
    ["its domain in capitals", own.toUpperCase()],
    ["an IP address", "10.0.0.1.nip.io"],
    ["an empty host", ""],
    ["a number", 42],
  ];
  for (const [label, host] of badHosts) {
    add(`Ingress host: ${label}`, "ADMISSION_INGRESS_HOST", {
      method: "POST",
      resource: "ingresses",
      name: "web",
      payload: ingress({ rules: [rule(`app.${own}`), rule(host)] }),
    });
  }
  add("Ingress rule without a host", "ADMISSION_INGRESS_HOST", {
    method: "POST",
    resource: "ingresses",
    name: "web",
    payload: ingress({ rules: [rule()] }),
  });
  add("Ingress PATCH adds a rule without a host", "ADMISSION_INGRESS_HOST", {
    method: "PATCH",
    resource: "ingresses.networking.k8s.io",
    name: "web",
    payload: json({ spec: { rules: [rule(own), rule(null)] } }),
  });
  add("Ingress TLS for another host", "ADMISSION_INGRESS_HOST", {
    method: "POST",
    resource: "ingresses",
    name: "web",
    payload: ingress({
      rules: [rule(own)],
      tls: [{ hosts: [own, "bank.example.com"], secretName: "tls" }],
    }),
  });
  add("Ingress TLS wildcard", "ADMISSION_INGRESS_HOST", {
    method: "POST",
    resource: "ingresses",
    name: "web",
    payload: ingress({ rules: [rule(own)], tls: [{ hosts: [`*.${own}`], secretName: "tls" }] }),
  });
  add("Ingress TLS without hosts", "ADMISSION_INGRESS_HOST", {
    method: "POST",
    resource: "ingresses",
    name: "web",
    payload: ingress({ rules: [rule(own)], tls: [{ secretName: "tls" }] }),
  });
  add("Ingress default backend", "ADMISSION_INGRESS_DEFAULT_BACKEND", {
    method: "POST",
    resource: "ingresses",
    name: "web",
    payload: ingress({ defaultBackend: serviceBackend }),
  });
  add("Ingress PATCH sets a default backend", "ADMISSION_INGRESS_DEFAULT_BACKEND", {
    method: "PATCH",
    resource: "ingresses",
    name: "web",
    payload: json({ spec: { defaultBackend: serviceBackend } }),
  });
  add("Ingress resource backend", "ADMISSION_INGRESS_BACKEND", {
    method: "POST",
    resource: "ingresses",
    name: "web",
    payload: ingress({
      rules: [rule(own, { resource: { apiGroup: "k8s.example.com", kind: "Bucket", name: "b" } })],
    }),
  });
  const badPaths: [string, unknown][] = [
    ["a directive injection", "/x;}location ~* ^/secret { alias /var/run/secrets/; }#"],
    ["a quote", '/a"b'],
    ["a regex", "/api(/|$)(.*)"],
    ["a relative path", "api"],
    ["a number", 7],
  ];
  for (const [label, path] of badPaths) {
    add(`Ingress path: ${label}`, "ADMISSION_INGRESS_PATH", {
      method: "POST",
      resource: "ingresses",
      name: "web",
      payload: ingress({
        rules: [
          {
            host: own,
            http: {
              paths: [
                { path: "/", pathType: "Prefix", backend: serviceBackend },
                { path, pathType: "ImplementationSpecific", backend: serviceBackend },
              ],
            },
          },
        ],
      }),
    });
  }
  const badAnnotations: [string, string, unknown][] = [
    ["configuration snippet", "nginx.ingress.kubernetes.io/configuration-snippet", "return 200;"],
    ["server snippet", "nginx.ingress.kubernetes.io/server-snippet", "location / {}"],
    ["auth-url", "nginx.ingress.kubernetes.io/auth-url", "http://evil/#;\n}"],
    ["auth-tls-match-cn", "nginx.ingress.kubernetes.io/auth-tls-match-cn", "CN=x"],
    ["mirror-target", "nginx.ingress.kubernetes.io/mirror-target", "http://10.0.0.1"],
    [
      "traefik middlewares",
      "traefik.ingress.kubernetes.io/router.middlewares",
      "kube-system-x@kubernetescrd",
    ],
    ["an unknown controller", "haproxy.org/backend-config-snippet", "x"],
    ["rewrite-target with a line break", "nginx.ingress.kubernetes.io/rewrite-target", "/\n}"],
    ["rewrite-target with a semicolon", "nginx.ingress.kubernetes.io/rewrite-target", "/; evil"],
    ["proxy-body-size in words", "nginx.ingress.kubernetes.io/proxy-body-size", "lots"],
    ["ssl-redirect yes", "nginx.ingress.kubernetes.io/ssl-redirect", "yes"],
    ["an internal entry point", "traefik.ingress.kubernetes.io/router.entrypoints", "traefik"],
  ];
  for (const [label, key, value] of badAnnotations) {
    add(`Ingress annotation: ${label}`, "ADMISSION_INGRESS_ANNOTATION", {
      method: "POST",
      resource: "ingresses",
      name: "web",
      payload: ingress({ rules: [rule(own)] }, { note: "fine", [key]: value }),
    });
  }
  add("Ingress PATCH adds a snippet annotation", "ADMISSION_INGRESS_ANNOTATION", {
    method: "PATCH",
    resource: "ingresses",
    name: "web",
    payload: json({
      metadata: {
        annotations: { "nginx.ingress.kubernetes.io/server-snippet": "location /x {}" },
      },
    }),
  });

  // List options (a GET without a name may carry them as its payload).
  const list = (payload: string): RequestShape => ({
    method: "GET",
    resource: "configmaps",
    name: "",
    payload,
  });
  const badLimits: [string, string][] = [
    ["zero", "limit: 0"],
    ["negative", "limit: -5"],
    ["fractional", "limit: 2.5"],
    ["a string", 'limit: "10"'],
    ["above the maximum", "limit: 501"],
    ["a huge number", '{"limit": 9007199254740991}'],
    ["a boolean", "limit: true"],
  ];
  for (const [label, payload] of badLimits) {
    add(`list limit ${label}`, "ADMISSION_LIST_LIMIT_INVALID", list(payload));
  }
  const badOptions: [string, string][] = [
    ["watch", "watch: true"],
    ["fieldSelector", 'fieldSelector: "metadata.name=x"'],
    ["resourceVersion", 'resourceVersion: "0"'],
    ["a selector that is a mapping", "labelSelector: {app: web}"],
    ["a selector with two operators", 'labelSelector: "a=b=c"'],
    ["a selector with an empty set", 'labelSelector: "tier in ()"'],
    ["a selector with an open set", 'labelSelector: "tier in (a,b"'],
    ["a selector with a bad key", 'labelSelector: "my key=x"'],
    ["a selector with a bad value", 'labelSelector: "app=a b"'],
    ["a selector with an empty requirement", 'labelSelector: "app=web,,tier"'],
    ["a selector with an ordering operator", 'labelSelector: "replicas>3"'],
    ["a selector too long", `labelSelector: "${"a".repeat(1100)}"`],
    ["a continue token with a slash", 'continue: "../../secrets"'],
    ["a continue token with a space", 'continue: "a b"'],
    ["a numeric continue token", "continue: 42"],
  ];
  for (const [label, payload] of badOptions) {
    add(`list option: ${label}`, "ADMISSION_LIST_OPTION_INVALID", list(payload));
  }
  add("list options not a mapping", "ADMISSION_MANIFEST_NOT_MAPPING", list("[10]"));
  // KubeWrite payloads (the kubectl gateway's verbs): the envelope, its agreement with the
  // on-chain method/resource/name, and its bodies through the same policy as manifests.
  const kubeWrite = (fields: Json) =>
    json({ apiVersion: "k8s-daas.io/v1", kind: "KubeWrite", ...fields });
  const configMap = { metadata: { name: "cm" }, data: { a: "1" } };
  const badEnvelopes: [string, string, Json][] = [
    ["an unknown verb", "PATCH", { verb: "replace", body: configMap }],
    ["a patch without patchType", "PATCH", { verb: "patch", body: { data: {} } }],
    [
      "a JSON patch whose body is a mapping",
      "PATCH",
      { verb: "patch", patchType: "json", body: {} },
    ],
    [
      "a merge patch whose body is a list",
      "PATCH",
      { verb: "patch", patchType: "merge", body: [] },
    ],
    [
      "force on a merge patch",
      "PATCH",
      { verb: "patch", patchType: "merge", force: true, body: {} },
    ],
    [
      "an apply patch without fieldManager",
      "PATCH",
      { verb: "patch", patchType: "apply", body: configMap },
    ],
    ["an unknown envelope field", "POST", { verb: "create", body: configMap, dryRun: "All" }],
    ["a create without a body", "POST", { verb: "create" }],
    [
      "a label selector on a create",
      "POST",
      { verb: "create", body: configMap, labelSelector: "a" },
    ],
    [
      "a fieldManager with a newline",
      "POST",
      { verb: "create", body: configMap, fieldManager: "a\nb" },
    ],
    ["the status subresource", "PUT", { verb: "update", subresource: "status", body: configMap }],
    ["a delete with a list as options", "DELETE", { verb: "delete", body: [] }],
  ];
  for (const [label, method, fields] of badEnvelopes) {
    add(`KubeWrite: ${label}`, "ADMISSION_KUBE_WRITE_INVALID", {
      method,
      resource: "configmaps",
      name: "cm",
      payload: kubeWrite(fields),
    });
  }
  const mismatches: [string, RequestShape][] = [
    [
      "a create submitted as PUT",
      {
        method: "PUT",
        resource: "configmaps",
        name: "cm",
        payload: kubeWrite({ verb: "create", body: configMap }),
      },
    ],
    [
      "an update submitted as PATCH",
      {
        method: "PATCH",
        resource: "configmaps",
        name: "cm",
        payload: kubeWrite({ verb: "update", body: configMap }),
      },
    ],
    [
      "a delete naming no object",
      {
        method: "DELETE",
        resource: "configmaps",
        name: "",
        payload: kubeWrite({ verb: "delete" }),
      },
    ],
    [
      "a deletecollection naming an object",
      {
        method: "DELETE",
        resource: "configmaps",
        name: "cm",
        payload: kubeWrite({ verb: "deletecollection" }),
      },
    ],
    [
      "a scale resource without the subresource in the envelope",
      {
        method: "PATCH",
        resource: "deployments/scale",
        name: "web",
        payload: kubeWrite({ verb: "patch", patchType: "merge", body: { spec: { replicas: 2 } } }),
      },
    ],
    [
      "a scale envelope on the plain resource",
      {
        method: "PATCH",
        resource: "deployments",
        name: "web",
        payload: kubeWrite({
          verb: "patch",
          subresource: "scale",
          patchType: "merge",
          body: { spec: { replicas: 2 } },
        }),
      },
    ],
  ];
  for (const [label, shape] of mismatches)
    add(`KubeWrite: ${label}`, "ADMISSION_KUBE_WRITE_MISMATCH", shape);
  add("KubeWrite: scale of a ConfigMap", "ADMISSION_RESOURCE_FORBIDDEN", {
    method: "PUT",
    resource: "configmaps/scale",
    name: "cm",
    payload: kubeWrite({ verb: "update", subresource: "scale", body: { spec: { replicas: 1 } } }),
  });
  add("KubeWrite: create of a Role", "ADMISSION_RESOURCE_RBAC", {
    method: "POST",
    resource: "roles",
    name: "admin",
    payload: kubeWrite({ verb: "create", body: { metadata: { name: "admin" }, rules: [] } }),
  });
  for (const [label, replicas] of [
    ["negative", -1],
    ["fractional", 1.5],
    ["a string", "3"],
  ] as const) {
    add(`KubeWrite: Scale with ${label} replicas`, "ADMISSION_SCALE_INVALID", {
      method: "PUT",
      resource: "deployments.apps/scale",
      name: "web",
      payload: kubeWrite({
        verb: "update",
        subresource: "scale",
        body: { kind: "Scale", spec: { replicas } },
      }),
    });
  }
  add("KubeWrite: Scale naming another object", "ADMISSION_SCALE_INVALID", {
    method: "PUT",
    resource: "deployments/scale",
    name: "web",
    payload: kubeWrite({
      verb: "update",
      subresource: "scale",
      body: { metadata: { name: "other" }, spec: { replicas: 1 } },
    }),
  });
  for (const [label, options] of [
    ["dryRun", { dryRun: ["All"] }],
    ["an unknown propagation", { propagationPolicy: "Eventually" }],
    ["a negative grace period", { gracePeriodSeconds: -1 }],
    ["a precondition on the name", { preconditions: { name: "x" } }],
  ] as const) {
    add(`KubeWrite: DeleteOptions with ${label}`, "ADMISSION_DELETE_OPTIONS_INVALID", {
      method: "DELETE",
      resource: "configmaps",
      name: "cm",
      payload: kubeWrite({ verb: "delete", body: options }),
    });
  }
  add("KubeWrite: deletecollection with a bad label selector", "ADMISSION_LIST_OPTION_INVALID", {
    method: "DELETE",
    resource: "configmaps",
    name: "",
    payload: kubeWrite({ verb: "deletecollection", labelSelector: "a=b=c" }),
  });
  add("KubeWrite: update with a numeric resourceVersion", "ADMISSION_RESOURCE_VERSION_INVALID", {
    method: "PUT",
    resource: "configmaps",
    name: "cm",
    payload: kubeWrite({ verb: "update", body: { metadata: { name: "cm", resourceVersion: 7 } } }),
  });
  add("KubeWrite: update keeping finalizers", "ADMISSION_METADATA_FIELD", {
    method: "PUT",
    resource: "configmaps",
    name: "cm",
    payload: kubeWrite({ verb: "update", body: { metadata: { name: "cm", finalizers: ["x/y"] } } }),
  });
  add("KubeWrite: create of a Deployment with a hostPath volume", "ADMISSION_HOST_PATH", {
    method: "POST",
    resource: "deployments.apps",
    name: "web",
    payload: kubeWrite({
      verb: "create",
      body: POD_TEMPLATE_KINDS[1]?.object("web", {
        ...goodPodSpec(),
        volumes: [{ name: "root", hostPath: { path: "/" } }],
      }),
    }),
  });
  add("KubeWrite: apply patch of a privileged Pod", "ADMISSION_PRIVILEGED", {
    method: "PATCH",
    resource: "pods",
    name: "p",
    payload: kubeWrite({
      verb: "patch",
      patchType: "apply",
      fieldManager: "kubectl",
      body: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p" },
        spec: { containers: [{ ...container(), securityContext: { privileged: true } }] },
      },
    }),
  });
  add("KubeWrite: a Helm release Secret with a reserved label", "ADMISSION_RESERVED_KEY", {
    method: "POST",
    resource: "secrets",
    name: "sh.helm.release.v1.web.v1",
    payload: kubeWrite({
      verb: "create",
      body: {
        type: "helm.sh/release.v1",
        metadata: {
          name: "sh.helm.release.v1.web.v1",
          labels: { owner: "helm", "k8s-daas.io/x": "y" },
        },
        data: { release: "SDRzSUFBQUFBQUFBLw==" },
      },
    }),
  });

  add("list options with an alias", "ADMISSION_YAML_ALIAS", list("limit: &n 5\nx: *n\n"));

  // Decoding: encodings, sizes, YAML features that have no place in a manifest.
  const invalidUtf8: [string, number[]][] = [
    ["0xff", [0x7b, 0xff, 0x7d]],
    ["lone continuation byte", [0x80]],
    ["overlong slash", [0x61, 0x3a, 0x20, 0xc0, 0xaf]],
    ["UTF-16 surrogate", [0x61, 0x3a, 0x20, 0xed, 0xa0, 0x80]],
    ["truncated sequence", [0x61, 0x3a, 0x20, 0xe2, 0x82]],
    ["UTF-16LE BOM", [0xff, 0xfe, 0x61, 0x00]],
  ];
  for (const [label, bytes] of invalidUtf8) {
    add(`invalid UTF-8: ${label}`, "ADMISSION_PAYLOAD_ENCODING", {
      method: "POST",
      resource: "configmaps",
      name: "cm",
      payload: Uint8Array.from(bytes),
    });
  }
  const padding = (bytes: number) => `data:\n  pad: "${"x".repeat(bytes)}"\n`;
  add("payload one byte over 16 KiB", "ADMISSION_PAYLOAD_TOO_LARGE", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: padding(LIMITS.maxPayloadBytes + 1 - padding(0).length),
  });
  add("payload of 1 MiB", "ADMISSION_PAYLOAD_TOO_LARGE", {
    method: "PATCH",
    resource: "configmaps",
    name: "cm",
    payload: padding(1 << 20),
  });
  add("billion laughs", "ADMISSION_YAML_ALIAS", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: billionLaughs(),
  });
  add("one alias", "ADMISSION_YAML_ALIAS", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: "data:\n  a: &v value\n  b: *v\n",
  });
  add("merge key with alias", "ADMISSION_YAML_ALIAS", {
    method: "POST",
    resource: "deployments",
    name: "web",
    payload: "x: &base {replicas: 1}\nspec:\n  <<: *base\n",
  });
  add("self-referencing anchor", "ADMISSION_YAML_ALIAS", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: "data: &loop\n  a: *loop\n",
  });
  add("deep flow nesting", "ADMISSION_YAML_TOO_DEEP", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: `x: ${"[".repeat(5000)}${"]".repeat(5000)}`,
  });
  add("deep JSON object nesting", "ADMISSION_YAML_TOO_DEEP", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: `${'{"a":'.repeat(1000)}1${"}".repeat(1000)}`,
  });
  add("deep block sequences", "ADMISSION_YAML_TOO_DEEP", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: `x:\n${"- ".repeat(200)}leaf\n`,
  });
  add("33 levels of mappings", "ADMISSION_YAML_TOO_DEEP", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: json(nest(33)),
  });
  add("unbalanced deep nesting", "ADMISSION_YAML_TOO_DEEP", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: "[".repeat(16_000),
  });
  const multiDocuments = [
    ["two YAML documents", `${pod}\n---\n${pod}`],
    ["document then empty document", "metadata: {name: web}\n---\n"],
    ["leading empty document", "---\n---\nmetadata: {name: web}\n"],
    ["three documents", "a: 1\n---\nb: 2\n---\nc: 3\n"],
  ];
  for (const [label, payload] of multiDocuments) {
    add(`multi-document: ${label}`, "ADMISSION_YAML_MULTIPLE_DOCUMENTS", {
      method: "POST",
      resource: "pods",
      name: "web",
      payload: payload as string,
    });
  }
  const notMappings = [
    ["a sequence", "- a\n- b\n"],
    ["a JSON array", `[${pod}]`],
    ["a string", '"hello"'],
    ["a plain scalar", "hello"],
    ["a number", "42"],
    ["a boolean", "true"],
  ];
  for (const [label, payload] of notMappings) {
    add(`root is ${label}`, "ADMISSION_MANIFEST_NOT_MAPPING", {
      method: "POST",
      resource: "pods",
      name: "web",
      payload: payload as string,
    });
    add(`PATCH root is ${label}`, "ADMISSION_MANIFEST_NOT_MAPPING", {
      method: "PATCH",
      resource: "pods",
      name: "web",
      payload: payload as string,
    });
  }
  const tagged = [
    ["!!binary", "data:\n  a: !!binary aGVsbG8=\n"],
    ["!!set", "data: !!set {a, b}\n"],
    ["!!omap", "data: !!omap [a: 1]\n"],
    ["!!timestamp", "data:\n  a: !!timestamp 2026-01-01\n"],
    ["a custom local tag", "data:\n  a: !secret value\n"],
    ["a custom global tag", "data:\n  a: !<tag:example.com,2026:x> value\n"],
    ["a %TAG-declared tag", "%TAG !e! tag:example.com,2026:\n---\ndata:\n  a: !e!x value\n"],
    ["a tagged key", "data:\n  !custom a: value\n"],
  ];
  for (const [label, payload] of tagged) {
    add(`tag: ${label}`, "ADMISSION_YAML_TAG", {
      method: "POST",
      resource: "configmaps",
      name: "cm",
      payload: payload as string,
    });
  }
  add("%YAML 1.1 directive", "ADMISSION_YAML_VERSION", {
    method: "POST",
    resource: "configmaps",
    name: "cm",
    payload: "%YAML 1.1\n---\ndata:\n  a: yes\n",
  });
  const duplicates = [
    ["YAML duplicate key", "metadata:\n  name: a\n  name: b\n"],
    ["JSON duplicate key", '{"metadata":{"name":"cm"},"metadata":{"name":"cm"}}'],
    ["duplicate key at the top", "kind: ConfigMap\nkind: Secret\n"],
  ];
  for (const [label, payload] of duplicates) {
    add(label as string, "ADMISSION_YAML_DUPLICATE_KEY", {
      method: "POST",
      resource: "configmaps",
      name: "cm",
      payload: payload as string,
    });
  }
  const syntaxErrors = [
    ["unterminated JSON", '{"apiVersion": "v1", "kind": "Pod"'],
    ["unterminated string", 'data:\n  a: "open\n'],
    ["bad indentation", "metadata:\n  name: a\n labels: {}\n"],
    ["mapping value in a plain scalar", "a: b: c\n"],
    ["tab indentation", "metadata:\n\tname: a\n"],
    ["unclosed flow mapping", "{a: 1"],
    ["NUL byte", "a: \u0000\n"],
    ["escape character", "a: \u001b[31m\n"],
    ["C1 control", "a: \u009b\n"],
    ["non-character U+FFFF", "a: \uffff\n"],
    ["undefined alias", "a: *nowhere\n"],
  ];
  for (const [label, payload] of syntaxErrors) {
    add(
      `syntax: ${label}`,
      label === "undefined alias" ? "ADMISSION_YAML_ALIAS" : "ADMISSION_YAML_SYNTAX",
      {
        method: "POST",
        resource: "configmaps",
        name: "cm",
        payload: payload as string,
      },
    );
  }
  const numbers = [
    [".inf", "spec:\n  replicas: .inf\n"],
    ["-.Inf", "spec:\n  replicas: -.Inf\n"],
    [".nan", "spec:\n  replicas: .nan\n"],
    ["1e999 in JSON", '{"spec":{"replicas":1e999}}'],
    ["2^64 integer", '{"spec":{"replicas":18446744073709551616}}'],
    ["2^53 + 1 integer", "spec:\n  replicas: 9007199254740993\n"],
  ];
  for (const [label, payload] of numbers) {
    add(`number: ${label}`, "ADMISSION_YAML_NUMBER", {
      method: "POST",
      resource: "deployments",
      name: "web",
      payload: payload as string,
    });
  }
  const keys = [
    ["sequence key", "? [a, b]\n: c\n"],
    ["mapping key", "? {a: 1}\n: c\n"],
    ["integer key", "data:\n  1: one\n"],
    ["boolean key", "true: yes\n"],
    ["null key", "~: x\n"],
    ["__proto__ key", '{"__proto__": {"polluted": true}}'],
  ];
  for (const [label, payload] of keys) {
    add(`key: ${label}`, "ADMISSION_YAML_KEY", {
      method: "POST",
      resource: "configmaps",
      name: "cm",
      payload: payload as string,
    });
  }
  return cases;
}

/** Metadata fields a template may not carry, with a value that would pin or confuse. */
const TEMPLATE_METADATA_EXTRAS: readonly [string, unknown][] = [
  ["finalizers", ["example.com/block-deletion"]],
  [
    "ownerReferences",
    [{ apiVersion: "v1", kind: "Namespace", name: "kube-system", uid: "1", controller: true }],
  ],
  ["generateName", "x-"],
  ["uid", "0000"],
  ["deletionGracePeriodSeconds", 0],
];

/** The corpus in its default namespace. */
export const ADMISSION_CORPUS: readonly CorpusCase[] = buildAdmissionCorpus();

function tenantRequest(namespace: string, shape: RequestShape, requestId: bigint): TenantRequest {
  const payload = shape.payload ?? "";
  return {
    requestId,
    clusterId: "0x0",
    method: shape.method,
    resource: shape.resource,
    namespace: shape.namespace ?? namespace,
    name: shape.name,
    payload: typeof payload === "string" ? encoder.encode(payload) : payload,
    priority: 0,
    requester: "0x0",
  };
}

/** What `requests::submit` checks before it records a request (see move/sources/requests.move). */
function acceptedOnChain(request: TenantRequest, tenantNamespace: string): boolean {
  return (
    (REQUEST_METHODS as readonly string[]).includes(request.method) &&
    isResource(request.resource) &&
    (request.name === "" || isDnsSubdomain(request.name)) &&
    request.payload.length <= LIMITS.maxPayloadBytes &&
    request.namespace === tenantNamespace
  );
}

function findTemplate(object: Json): Json {
  let spec = object.spec as Json;
  if (spec.jobTemplate !== undefined) spec = (spec.jobTemplate as Json).spec as Json;
  return spec.template as Json;
}

function nest(levels: number): Json {
  let value: Json = { leaf: "x" };
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
}

function billionLaughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 9; level++) {
    const previous = String.fromCharCode(96 + level);
    const current = String.fromCharCode(97 + level);
    lines.push(`${current}: &${current} [${Array(9).fill(`*${previous}`).join(",")}]`);
  }
  return `${lines.join("\n")}\n`;
}
