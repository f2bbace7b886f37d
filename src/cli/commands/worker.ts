import { NETWORK_CHOICES } from "../../chain/network-names.ts";
import type { Command, ParsedArgs } from "../command.ts";
import { usageError } from "../errors.ts";
import { ACTIONS, type Action, DEFAULT_DATA_DIR, KEY_ENV } from "../worker-options.ts";

export const workerCommand: Command = {
  name: "worker",
  summary:
    "Run a worker node: stake and register, join the cluster, heartbeat, leave, withdraw; see and claim what its node earned.",
  usage:
    "k8s-daas worker register|heartbeat|list|leave|withdraw|run|earnings|claim --cluster-id ID [--node-id NAME] [options]",
  example:
    "k8s-daas worker run --cluster-id 0x… --node-id gpu-box-1 --stake 2000000000 --mode simulated",
  actions: ACTIONS,
  options: {
    network: { type: "string" },
    "package-id": { type: "string" },
    "cluster-id": { type: "string" },
    "node-id": { type: "string" },
    stake: { type: "string" },
    mode: { type: "string" },
    "data-dir": { type: "string" },
    keystore: { type: "string" },
    address: { type: "string" },
    "heartbeat-ms": { type: "string" },
    "k3s-binary": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
  optionHelp: {
    network: `${NETWORK_CHOICES} (default local)`,
    "package-id": "the k8s_daas package id (default: the devnet's)",
    "cluster-id": "the Cluster object to work for",
    "node-id": "this worker's node name (a DNS label); every action but list needs it",
    stake: "stake in MIST for register/run (at least the cluster's minimum)",
    mode: "run: simulated (a KWOK node, default) or k3s (runs `k3s agent`)",
    "data-dir": `worker key and journal (default ${DEFAULT_DATA_DIR})`,
    keystore: `Sui keystore of the owner key (default ~/.sui/sui_config/sui.keystore; or ${KEY_ENV})`,
    address: "which keystore key (default the Sui CLI's active address)",
    "heartbeat-ms": "run: heartbeat interval (default a third of the cluster's period)",
    "k3s-binary": "run --mode k3s: the k3s executable (default: from PATH)",
    help: "show this help",
  },
  async run(args: ParsedArgs) {
    const [action, ...extra] = args.positionals;
    if (!action || !(ACTIONS as readonly string[]).includes(action) || extra.length > 0) {
      throw usageError(`expected one action: ${ACTIONS.join(", ")}`, "see: k8s-daas worker --help");
    }
    // The agent, chain and devnet code load only when a worker action runs.
    const { runWorkerAction } = await import("../worker-actions.ts");
    return runWorkerAction(action as Action, args);
  },
};
