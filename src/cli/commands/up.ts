import type { Command } from "../command.ts";

export const upCommand: Command = {
  name: "up",
  summary:
    "Run the whole local stack: devnet, a Kubernetes cluster, a cluster object, nautilus-control.",
  usage:
    "k8s-daas up [--data-dir DIR] [--kube auto|kubeconfig|k3s|testenv] [--network testnet|mainnet|URL --package-id ID [--cluster-id ID] [--allow-dev-enclave]]",
  example: "k8s-daas up   # then, in another terminal: k8s-daas namespace claim demo",
  options: {
    "data-dir": { type: "string" },
    kube: { type: "string" },
    kubeconfig: { type: "string" },
    network: { type: "string" },
    "package-id": { type: "string" },
    "cluster-id": { type: "string" },
    "allow-dev-enclave": { type: "boolean" },
    keystore: { type: "string" },
    address: { type: "string" },
    "devnet-port": { type: "string" },
    "control-port": { type: "string" },
    "context-name": { type: "string" },
    output: { type: "string", short: "o" },
    help: { type: "boolean", short: "h" },
  },
  optionHelp: {
    "data-dir":
      "ledger, keys, cluster, control plane state and logs (default $K8S_DAAS_DATA_DIR, else .data in a clone, else ~/.local/share/k8s-daas)",
    kube: "which cluster: auto (default: KUBECONFIG, else k3s on PATH, else kube-testenv)",
    kubeconfig: "admin kubeconfig of an existing cluster (default $KUBECONFIG)",
    network: "local (default: run the devnet), or testnet, mainnet or a full node URL",
    "package-id": "the k8s_daas package on a real network",
    "cluster-id": "an existing Cluster object on a real network (default: create one)",
    "allow-dev-enclave":
      "real networks: register the local dev enclave key (not attested) on the cluster object; for tests only",
    keystore: "real networks: Sui keystore of the operator key (default the Sui CLI's)",
    address: "real networks: the operator's address (default the active address)",
    "devnet-port": "devnet port (default 9000; 0 picks a free one)",
    "control-port": "nautilus-control API port (default 8080; 0 picks a free one)",
    "context-name":
      "the context written to the config file and made current (default local; on a real network its name or host)",
    output: "table (default) or json: one ready line with every endpoint, for scripts",
    help: "show this help",
  },
  // The stack pulls in the control plane, the Kubernetes client and kube-testenv: loaded only
  // when `up` runs, so every other command starts fast.
  run: async (args) => (await import("../stack/up-stack.ts")).up(args),
};
