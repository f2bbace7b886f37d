import type { ApiResource } from "./api-client.ts";
import {
  ANNOTATION_CLAIM,
  ANNOTATION_CLUSTER,
  ANNOTATION_OWNER,
  clusterLabelValue,
  LABEL_CLUSTER,
  LABEL_MANAGED,
  TENANT_SERVICE_ACCOUNT,
} from "./labels.ts";
import { TENANT_RESOURCES } from "./resources.ts";

// What a tenant namespace consists of, as plain manifests (no I/O): the namespace with Pod
// Security "restricted", quota and default container resources, network isolation, and
// the ServiceAccount + Role + RoleBinding whose identity tenant operations run under.

/** ResourceQuota `spec.hard`. */
export type TenantQuota = Readonly<Record<string, string>>;

/** LimitRange for containers: defaults fill what a pod leaves out; `max` caps one container. */
export interface ContainerLimits {
  readonly default?: Readonly<Record<string, string>>;
  readonly defaultRequest?: Readonly<Record<string, string>>;
  readonly max?: Readonly<Record<string, string>>;
}

/**
 * How many objects of each writable tenant kind one namespace may hold, by
 * `qualifiedResourceName` (the name ResourceQuota uses in `count/<name>`): what one tenant
 * stores in etcd and gives controllers to do stays bounded. Every writable kind of
 * `TENANT_RESOURCES` has an entry (a test checks it).
 */
export const DEFAULT_OBJECT_COUNTS: Readonly<Record<string, number>> = {
  // Every Pod object, finished Job pods included; the `pods` quota below counts running ones.
  pods: 100,
  services: 20,
  configmaps: 100,
  secrets: 100,
  persistentvolumeclaims: 10,
  "deployments.apps": 20,
  // A Deployment keeps up to 10 old ReplicaSets (revisionHistoryLimit) besides its current one.
  "replicasets.apps": 200,
  "statefulsets.apps": 10,
  "jobs.batch": 50,
  // A CronJob keeps 3 successful and 1 failed Job by default.
  "cronjobs.batch": 10,
  "horizontalpodautoscalers.autoscaling": 20,
  "poddisruptionbudgets.policy": 20,
  "ingresses.networking.k8s.io": 20,
};

/**
 * Defaults sized for a small shared cluster: one tenant can run a few dozen small pods but
 * cannot take the whole machine, nor fill etcd with objects. No LoadBalancer or NodePort
 * services: those reach past the namespace's network isolation. Keys given in `quota`
 * replace these one by one.
 */
export const DEFAULT_TENANT_QUOTA: TenantQuota = {
  pods: "50",
  "requests.cpu": "4",
  "requests.memory": "8Gi",
  "limits.cpu": "8",
  "limits.memory": "16Gi",
  "requests.storage": "50Gi",
  "services.loadbalancers": "0",
  "services.nodeports": "0",
  ...Object.fromEntries(
    Object.entries(DEFAULT_OBJECT_COUNTS).map(([name, count]) => [`count/${name}`, String(count)]),
  ),
};

/**
 * Because the quota limits requests and limits, every container must state them; these
 * defaults let a pod that omits them still be admitted. Keys given in `limits` replace
 * these one by one.
 */
export const DEFAULT_CONTAINER_LIMITS: Required<ContainerLimits> = {
  default: { cpu: "500m", memory: "512Mi" },
  defaultRequest: { cpu: "100m", memory: "128Mi" },
  max: { cpu: "2", memory: "4Gi" },
};

export interface TenantNamespaceSpec {
  readonly namespace: string;
  /** The Sui address that owns the namespace on chain. */
  readonly owner: string;
  readonly clusterId: string;
  /** The NamespaceCap id of the claim this namespace serves (`ANNOTATION_CLAIM`). */
  readonly claimId: string;
  readonly quota?: TenantQuota;
  readonly limits?: ContainerLimits;
  /**
   * The namespace the cluster's ingress controller runs in: its pods (and only they, besides
   * the tenant's own) may reach the tenant's pods, so an Ingress can route to a Service.
   * Absent: no ingress from outside the namespace.
   */
  readonly ingressControllerNamespace?: string;
}

export interface Manifest {
  readonly resource: ApiResource;
  readonly object: Record<string, unknown> & { metadata: { name: string; [key: string]: unknown } };
}

const core = (plural: string, namespaced = true): ApiResource => ({
  group: "",
  version: "v1",
  plural,
  namespaced,
});

export const NAMESPACES: ApiResource = core("namespaces", false);
export const RESOURCE_QUOTAS = core("resourcequotas");
const LIMIT_RANGES = core("limitranges");
const SERVICE_ACCOUNTS = core("serviceaccounts");
const NETWORK_POLICIES: ApiResource = {
  group: "networking.k8s.io",
  version: "v1",
  plural: "networkpolicies",
  namespaced: true,
};
const rbac = (plural: string): ApiResource => ({
  group: "rbac.authorization.k8s.io",
  version: "v1",
  plural,
  namespaced: true,
});

/** Names of the objects provisioning creates in every tenant namespace. */
export const TENANT_OBJECT_NAMES = {
  quota: "k8s-daas-quota",
  limitRange: "k8s-daas-limits",
  denyAll: "k8s-daas-default-deny",
  sameNamespace: "k8s-daas-allow-same-namespace",
  dns: "k8s-daas-allow-dns",
  ingressController: "k8s-daas-allow-ingress-controller",
  role: "k8s-daas-tenant",
  roleBinding: "k8s-daas-tenant",
} as const;

const WRITE_VERBS = [
  "get",
  "list",
  "watch",
  "create",
  "update",
  "patch",
  "delete",
  "deletecollection",
];
const READ_VERBS = ["get", "list", "watch"];

const POD_SECURITY_RESTRICTED: Readonly<Record<string, string>> = Object.fromEntries(
  ["enforce", "warn", "audit"].flatMap((mode) => [
    [`pod-security.kubernetes.io/${mode}`, "restricted"],
    [`pod-security.kubernetes.io/${mode}-version`, "latest"],
  ]),
);

export function tenantNamespaceManifests(spec: TenantNamespaceSpec): Manifest[] {
  const { namespace } = spec;
  const managed = { [LABEL_MANAGED]: "true", [LABEL_CLUSTER]: clusterLabelValue(spec.clusterId) };
  const metadata = (name: string) => ({ name, namespace, labels: managed });
  return [
    {
      resource: NAMESPACES,
      object: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: namespace,
          labels: { ...managed, ...POD_SECURITY_RESTRICTED },
          annotations: {
            [ANNOTATION_OWNER]: spec.owner,
            [ANNOTATION_CLUSTER]: spec.clusterId,
            [ANNOTATION_CLAIM]: spec.claimId,
          },
        },
      },
    },
    {
      resource: RESOURCE_QUOTAS,
      object: {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: metadata(TENANT_OBJECT_NAMES.quota),
        spec: { hard: { ...DEFAULT_TENANT_QUOTA, ...spec.quota } },
      },
    },
    {
      resource: LIMIT_RANGES,
      object: {
        apiVersion: "v1",
        kind: "LimitRange",
        metadata: metadata(TENANT_OBJECT_NAMES.limitRange),
        spec: {
          limits: [
            {
              type: "Container",
              default: { ...DEFAULT_CONTAINER_LIMITS.default, ...spec.limits?.default },
              defaultRequest: {
                ...DEFAULT_CONTAINER_LIMITS.defaultRequest,
                ...spec.limits?.defaultRequest,
              },
              max: { ...DEFAULT_CONTAINER_LIMITS.max, ...spec.limits?.max },
            },
          ],
        },
      },
    },
    networkPolicy(metadata(TENANT_OBJECT_NAMES.denyAll), {
      // Selects every pod for both directions and allows nothing: the baseline.
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    }),
    networkPolicy(metadata(TENANT_OBJECT_NAMES.sameNamespace), {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
    networkPolicy(metadata(TENANT_OBJECT_NAMES.dns), {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": "kube-system" },
              },
            },
          ],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    }),
    ...(spec.ingressControllerNamespace
      ? [
          networkPolicy(metadata(TENANT_OBJECT_NAMES.ingressController), {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [
              {
                from: [
                  {
                    namespaceSelector: {
                      matchLabels: {
                        "kubernetes.io/metadata.name": spec.ingressControllerNamespace,
                      },
                    },
                  },
                ],
              },
            ],
          }),
        ]
      : []),
    // Nothing runs as this account; it is only the identity the executor impersonates.
    serviceAccount(metadata(TENANT_SERVICE_ACCOUNT)),
    // Tenant pods run as "default". Applying it ourselves means a pod created right after
    // provisioning does not race the ServiceAccount controller, and tenant pods get no API
    // token mounted unless they ask for one.
    serviceAccount(metadata("default")),
    {
      resource: rbac("roles"),
      object: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: metadata(TENANT_OBJECT_NAMES.role),
        rules: tenantRoleRules(),
      },
    },
    {
      resource: rbac("rolebindings"),
      object: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: metadata(TENANT_OBJECT_NAMES.roleBinding),
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "Role",
          name: TENANT_OBJECT_NAMES.role,
        },
        subjects: [{ kind: "ServiceAccount", name: TENANT_SERVICE_ACCOUNT, namespace }],
      },
    },
  ];
}

function networkPolicy(metadata: Manifest["object"]["metadata"], spec: unknown): Manifest {
  return {
    resource: NETWORK_POLICIES,
    object: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata, spec },
  };
}

function serviceAccount(metadata: Manifest["object"]["metadata"]): Manifest {
  return {
    resource: SERVICE_ACCOUNTS,
    object: {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata,
      automountServiceAccountToken: false,
    },
  };
}

export interface PolicyRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

/**
 * The pod subresources a tenant's streams use (logs, exec, attach, port-forward), which
 * nautilus-control opens as the tenant's ServiceAccount. `get` reads a log; the streaming
 * ones are upgraded requests the API server authorizes as `create` (and `get` for older
 * clients' GET upgrade).
 */
export const TENANT_STREAM_RULES: readonly PolicyRule[] = [
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
  {
    apiGroups: [""],
    resources: ["pods/exec", "pods/attach", "pods/portforward"],
    verbs: ["get", "create"],
  },
];

/** The scale subresource of the scalable tenant kinds (`kubectl scale`, through the gateway). */
export const TENANT_SCALE_RULES: readonly PolicyRule[] = [
  {
    apiGroups: ["apps"],
    resources: ["deployments/scale", "replicasets/scale", "statefulsets/scale"],
    verbs: ["get", "update", "patch"],
  },
];

/**
 * Exactly `TENANT_RESOURCES` — full verbs on the writable kinds, read on the others, one rule
 * per (API group, access) — the scale subresource (`TENANT_SCALE_RULES`) and the stream
 * subresources (`TENANT_STREAM_RULES`). Nothing
 * else, and nothing cluster-wide (a Role, not a ClusterRole).
 */
export function tenantRoleRules(): PolicyRule[] {
  const rules = new Map<string, PolicyRule>();
  for (const type of TENANT_RESOURCES) {
    const key = `${type.group}|${type.writable}`;
    let rule = rules.get(key);
    if (!rule) {
      rule = {
        apiGroups: [type.group],
        resources: [],
        verbs: type.writable ? WRITE_VERBS : READ_VERBS,
      };
      rules.set(key, rule);
    }
    rule.resources.push(type.plural);
  }
  return [
    ...rules.values(),
    ...[...TENANT_SCALE_RULES, ...TENANT_STREAM_RULES].map((rule) => ({
      apiGroups: [...rule.apiGroups],
      resources: [...rule.resources],
      verbs: [...rule.verbs],
    })),
  ];
}
