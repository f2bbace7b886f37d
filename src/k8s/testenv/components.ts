import { join } from "node:path";
import type { ClusterLayout } from "./paths.ts";
import type { ComponentName } from "./state.ts";

export interface ClusterPorts {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
  readonly controllerManager: number;
  readonly scheduler: number;
  readonly kwok: number;
}

/** One component to launch: the binary subcommand, its flags and where it reports health. */
export interface ComponentSpec {
  readonly name: ComponentName;
  readonly args: readonly string[];
  readonly healthUrl: string;
}

const SERVICE_CIDR = "10.0.0.0/24";
const SERVICE_IP = "10.0.0.1";
const POD_CIDR = "10.244.0.0/16";
// The API server dials a node's kubelet at its InternalIP: KWOK serves every simulated
// node's kubelet endpoints (logs, exec, attach) on its own loopback port.
const SIMULATED_NODE_IP = "127.0.0.1";
const LOOPBACK = "127.0.0.1";
// The in-cluster name of the API server, as a real cluster advertises it.
const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

export const serviceClusterIp: string = SERVICE_IP;

/** Flags shared by controller-manager and scheduler: their own kubeconfig for everything. */
function delegatedClientFlags(kubeconfig: string, port: number, certDir: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOOPBACK}`,
    `--secure-port=${port}`,
    `--cert-dir=${certDir}`,
    // A single instance; leader election only adds startup latency here.
    "--leader-elect=false",
  ];
}

/** Every component of a complete cluster, in launch order. */
export const componentNames: readonly ComponentName[] = [
  "etcd",
  "apiserver",
  "controller-manager",
  "scheduler",
  "kwok",
];

/** The launch order (as componentNames); stop goes in reverse. */
export function componentSpecs(layout: ClusterLayout, ports: ClusterPorts): ComponentSpec[] {
  const pki = (file: string): string => join(layout.pkiDir, file);
  const etcdUrl = `http://${LOOPBACK}:${ports.etcdClient}`;
  return [
    {
      name: "etcd",
      healthUrl: `${etcdUrl}/health`,
      args: [
        "etcd",
        `--data-dir=${layout.etcdDir}`,
        `--listen-client-url=${etcdUrl}`,
        `--listen-peer-url=http://${LOOPBACK}:${ports.etcdPeer}`,
      ],
    },
    {
      name: "apiserver",
      healthUrl: `https://${LOOPBACK}:${ports.apiserver}/readyz`,
      args: [
        "apiserver",
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${LOOPBACK}`,
        `--advertise-address=${LOOPBACK}`,
        `--secure-port=${ports.apiserver}`,
        `--tls-cert-file=${pki("apiserver.crt")}`,
        `--tls-private-key-file=${pki("apiserver.key")}`,
        `--client-ca-file=${pki("ca.crt")}`,
        "--anonymous-auth=false",
        "--authorization-mode=Node,RBAC",
        // PodSecurity is on by default; naming it keeps that a visible decision.
        "--enable-admission-plugins=NodeRestriction,PodSecurity",
        // Privileged pods are allowed by the server so that Pod Security admission, not a
        // global flag, is what rejects them in restricted namespaces.
        "--allow-privileged=true",
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
        `--service-account-key-file=${pki("sa.pub")}`,
        `--service-account-signing-key-file=${pki("sa.key")}`,
        `--cert-dir=${layout.certDirFor("apiserver")}`,
        "--profiling=false",
      ],
    },
    {
      name: "controller-manager",
      healthUrl: `https://${LOOPBACK}:${ports.controllerManager}/healthz`,
      args: [
        "controller-manager",
        ...delegatedClientFlags(
          layout.kubeconfigFor("controller-manager"),
          ports.controllerManager,
          layout.certDirFor("controller-manager"),
        ),
        `--service-account-private-key-file=${pki("sa.key")}`,
        `--root-ca-file=${pki("ca.crt")}`,
        // Each controller acts as its own ServiceAccount, so RBAC is exercised as in production.
        "--use-service-account-credentials=true",
        `--cluster-signing-cert-file=${pki("ca.crt")}`,
        `--cluster-signing-key-file=${pki("ca.key")}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        "--profiling=false",
      ],
    },
    {
      name: "scheduler",
      healthUrl: `https://${LOOPBACK}:${ports.scheduler}/healthz`,
      args: [
        "scheduler",
        ...delegatedClientFlags(
          layout.kubeconfigFor("scheduler"),
          ports.scheduler,
          layout.certDirFor("scheduler"),
        ),
        "--profiling=false",
      ],
    },
    {
      name: "kwok",
      healthUrl: `http://${LOOPBACK}:${ports.kwok}/healthz`,
      args: [
        "kwok",
        `--kubeconfig=${layout.kubeconfigFor("kwok")}`,
        "--manage-all-nodes=false",
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
        // Explicit loopback address: left empty, KWOK would serve on 0.0.0.0.
        `--server-address=${LOOPBACK}:${ports.kwok}`,
        `--node-ip=${SIMULATED_NODE_IP}`,
        // The node's kubelet port: KWOK serves HTTPS there too (the API server speaks TLS to
        // kubelets; it verifies nothing without --kubelet-certificate-authority).
        `--node-port=${ports.kwok}`,
        `--tls-cert-file=${pki("apiserver.crt")}`,
        `--tls-private-key-file=${pki("apiserver.key")}`,
        // A second config file beside the embedded stages: the simulated endpoints' objects.
        `--config=${layout.kwokDebuggingConfig}`,
        `--cidr=${POD_CIDR}`,
        "--node-lease-duration-seconds=40",
      ],
    },
  ];
}

/** Nodes carrying this annotation (value "fake") are simulated by KWOK. */
export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";
