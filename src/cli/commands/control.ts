import { NETWORK_CHOICES } from "../../chain/network-names.ts";
import {
  ConfigError,
  configFromEnv,
  defaultConfig,
  readConfigFile,
  resolveConfig,
} from "../../control/config.ts";
import type { K3sServer } from "../../k8s/k3s.ts";
import type { Command, ParsedArgs } from "../command.ts";
import { CliError, EXIT } from "../errors.ts";

/** Flags that map one-to-one onto configuration settings. */
const SETTING_FLAGS = {
  network: "network",
  "package-id": "packageId",
  "cluster-id": "clusterId",
  kubeconfig: "kubeconfig",
  "data-dir": "dataDir",
  "operator-keystore": "operatorKeystore",
  "operator-address": "operatorAddress",
  "enclave-key-file": "enclaveKeyFile",
  concurrency: "concurrency",
  "log-level": "logLevel",
  "public-hosts": "publicHosts",
  "apps-domain": "appsDomain",
} as const;

export const controlCommand: Command = {
  name: "control",
  summary:
    "Run nautilus-control: execute the cluster's on-chain requests on Kubernetes and answer on chain.",
  usage: "k8s-daas control --package-id ID --cluster-id ID [--config FILE] [options]",
  example:
    "k8s-daas control --network local --package-id 0x…6b38736461617300 --cluster-id 0x… --kubeconfig .data/cluster/admin.kubeconfig",
  options: {
    config: { type: "string" },
    listen: { type: "string" },
    k3s: { type: "boolean" },
    "insecure-http": { type: "boolean" },
    ...Object.fromEntries(
      Object.keys(SETTING_FLAGS).map((flag) => [flag, { type: "string" as const }]),
    ),
    help: { type: "boolean", short: "h" },
  },
  optionHelp: {
    config: "YAML/JSON file of settings (flags and K8S_DAAS_* variables override it)",
    listen: "HOST:PORT of the HTTP API (default 127.0.0.1:8080)",
    k3s: "run and supervise `k3s server` (from PATH) as the cluster, data in <data-dir>/k3s",
    "insecure-http":
      "serve the API over plain HTTP instead of HTTPS with the enclave's TLS key (development only: clients cannot pin it, and must pass --insecure-http too)",
    network: `${NETWORK_CHOICES} (default local)`,
    "package-id": "the k8s_daas package id",
    "cluster-id": "the Cluster object this control plane serves",
    kubeconfig: "admin kubeconfig of the cluster (default $KUBECONFIG, then ~/.kube/config)",
    "data-dir": "inbox, journal and dev enclave key (default .data/control)",
    "operator-keystore":
      "Sui keystore with the operator key (default ~/.sui/sui_config/sui.keystore)",
    "operator-address": "which key of the keystore (default the Sui CLI's active address)",
    "enclave-key-file": "dev enclave key file (default <data-dir>/enclave-dev-key.json)",
    concurrency: "requests executed at once (default 8)",
    "apps-domain":
      "tenant Ingress hosts live under <namespace>.<apps domain> (default apps.k8s-daas.local)",
    "public-hosts":
      "further host[:port] names clients reach the API under, comma-separated (loopback and the listen address always count)",
    "log-level": "debug, info (default), warn or error",
    help: "show this help",
  },
  async run(args: ParsedArgs) {
    const config = (() => {
      try {
        const flags: Record<string, unknown> = {};
        for (const [flag, key] of Object.entries(SETTING_FLAGS)) {
          if (typeof args.values[flag] === "string") flags[key] = args.values[flag];
        }
        if (args.values["insecure-http"] === true) flags.insecureHttp = true;
        if (typeof args.values.listen === "string")
          Object.assign(flags, parseListen(args.values.listen));
        return resolveConfig(
          defaultConfig(),
          typeof args.values.config === "string" ? readConfigFile(args.values.config) : {},
          configFromEnv(process.env),
          flags,
        );
      } catch (error) {
        if (error instanceof ConfigError) {
          throw new CliError("CONFIG_INVALID", error.message, {
            hint: "see: k8s-daas control --help",
            exitCode: EXIT.usage,
          });
        }
        throw error;
      }
    })();
    // Loaded here, not at the top: every other command would pay for the Kubernetes client.
    const [{ startNautilusControl }, { K3sServer }] = await Promise.all([
      import("../../control/nautilus-control.ts"),
      import("../../k8s/k3s.ts"),
    ]);
    let k3s: K3sServer | undefined;
    if (args.values.k3s) {
      k3s = new K3sServer({
        dataDir: `${config.dataDir}/k3s`,
        allowWorkloadsOnServer: config.allowWorkloadsOnServer,
        log: (line) => process.stderr.write(`k3s: ${line}\n`),
      });
      process.stderr.write("starting k3s server...\n");
      await k3s.start();
      config.kubeconfig = k3s.kubeconfigPath;
    }
    const control = await startNautilusControl(config).catch(async (error: unknown) => {
      await k3s?.stop();
      throw error;
    });
    process.stderr.write(
      `nautilus-control serving cluster ${config.clusterId}; API ${control.url} (Ctrl-C to stop)\n`,
    );
    await new Promise<void>((done) => {
      process.once("SIGINT", () => done());
      process.once("SIGTERM", () => done());
    });
    await control.stop();
    await k3s?.stop();
    return EXIT.ok;
  },
};

function parseListen(value: string): { listenHost: string; listenPort: string } {
  const match = /^(.+):(\d{1,5})$/.exec(value);
  if (!match?.[1] || !match[2]) {
    throw new CliError("USAGE", `--listen must be HOST:PORT, got "${value}"`, {
      exitCode: EXIT.usage,
    });
  }
  return { listenHost: match[1], listenPort: match[2] };
}
