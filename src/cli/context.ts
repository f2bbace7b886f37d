import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { parse as parseYaml } from "yaml";
import { defaultDataDir, packageRoot } from "../install/index.ts";
import type { ParsedArgs } from "./command.ts";
import { type ContextEntry, selectContext } from "./config/index.ts";
import { CliError, EXIT, usageError } from "./errors.ts";
import { type OutputFormat, outputFormat } from "./output.ts";

/** The repository root, or the installed package's folder. */
export const REPO_ROOT = packageRoot;
/** `up`'s data dir: `$K8S_DAAS_DATA_DIR`, else `.data` in a clone, else the XDG data dir. */
export const DEFAULT_DATA_DIR = defaultDataDir();

/** Flags every chain-facing command takes. */
export const CONNECTION_OPTIONS = {
  network: { type: "string" },
  "package-id": { type: "string" },
  "cluster-id": { type: "string" },
  "control-url": { type: "string" },
  "insecure-http": { type: "boolean" },
  keystore: { type: "string" },
  address: { type: "string" },
  context: { type: "string" },
  output: { type: "string", short: "o" },
  help: { type: "boolean", short: "h" },
} as const;

export const CONNECTION_HELP: Record<string, string> = {
  network: "local, testnet, mainnet or a full node URL (default: from the context)",
  "package-id": "the k8s_daas package id (default: from the context)",
  "cluster-id": "the Cluster object id (default: from the context)",
  "control-url": "nautilus-control's API, https:// (default: from the context)",
  "insecure-http":
    "accept an http:// control URL (development only: nothing proves the server is the enclave; default: from the context, or K8S_DAAS_INSECURE_HTTP=true)",
  keystore: "Sui keystore file (default: the context's, else the Sui CLI's)",
  address: "which key of the keystore signs (default: the active address)",
  context: "which context of the config file (default $K8S_DAAS_CONTEXT, else the current one)",
  output: "table (default), json or yaml",
  help: "show this help",
};

/** Where to reach the chain and who signs, resolved from flags, environment and context. */
export interface Connection {
  network: string;
  packageId: string;
  clusterId: string;
  controlUrl: string | undefined;
  /** Plain HTTP to the control plane is allowed (an explicit development opt-in). */
  insecureHttp: boolean;
  keystorePath: string;
  /** undefined: the active address of `clientConfigPath`. */
  address: string | undefined;
  clientConfigPath: string;
  output: OutputFormat;
  /** The context used, if any (see `k8s-daas config get-contexts`), and the file it is in. */
  context: string | undefined;
  configFile: string;
  /** The context's default namespace, for commands given no `-n`. */
  namespace: string | undefined;
  /** The cluster's admin kubeconfig, when this is the operator's own stack. */
  kubeconfig: string | undefined;
  /** Where this context keeps local state (one-time reply keys): its own, else the default. */
  dataDir: string;
}

const flagOrEnv = (values: ParsedArgs["values"], flag: string, env: string): string | undefined => {
  const value = values[flag];
  if (typeof value === "string" && value !== "") return value;
  const fromEnv = process.env[env];
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
};

/** `needCluster: false` for commands that make a cluster object rather than use one. */
export function resolveConnection(
  values: ParsedArgs["values"],
  options: { needCluster?: boolean } = {},
): Connection {
  const selected = selectContext(values);
  const context = selected.entry;
  const pick = (flag: string, env: string, fromContext: string | undefined) =>
    flagOrEnv(values, flag, env) ?? fromContext;
  const network = pick("network", "K8S_DAAS_NETWORK", context.network) ?? "local";
  const packageId = objectId(
    "package-id",
    pick("package-id", "K8S_DAAS_PACKAGE_ID", context.packageId),
  );
  const clusterId = objectId(
    "cluster-id",
    pick("cluster-id", "K8S_DAAS_CLUSTER_ID", context.clusterId),
  );
  const needCluster = options.needCluster !== false;
  const missing = [
    !packageId && "--package-id",
    needCluster && !clusterId && "--cluster-id",
  ].filter(Boolean);
  if (missing.length > 0 || !packageId) {
    throw new CliError(
      "CONTEXT_MISSING",
      `no ${missing.join(" or ")} given and ${selected.name === undefined ? `no current context in ${selected.file}` : `context "${selected.name}" has none`}`,
      {
        hint: "start the local stack with 'k8s-daas up', pick a context with 'k8s-daas config use-context NAME', or pass --network, --package-id and --cluster-id",
        exitCode: EXIT.usage,
      },
    );
  }
  const keys = suiKeys(values, context);
  return {
    network,
    packageId,
    clusterId: clusterId ?? "",
    controlUrl: pick("control-url", "K8S_DAAS_CONTROL_URL", context.controlUrl),
    insecureHttp:
      values["insecure-http"] === true ||
      process.env.K8S_DAAS_INSECURE_HTTP === "true" ||
      context.insecureHttp === "true",
    ...keys,
    output: outputFormat(values.output),
    context: selected.name,
    configFile: selected.file,
    namespace: context.namespace,
    kubeconfig: pick("kubeconfig", "K8S_DAAS_KUBECONFIG", context.kubeconfig),
    dataDir: context.dataDir ?? DEFAULT_DATA_DIR,
  };
}

function objectId(flag: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : checkObjectId(flag, value);
}

/** A 0x-prefixed object id, normalized to 64 hex digits, or a usage error naming `--flag`. */
export function checkObjectId(flag: string, value: string): string {
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(value)) {
    throw usageError(`--${flag} must be a 0x-prefixed object id, got "${value}"`);
  }
  return normalizeSuiAddress(value);
}

/**
 * The Sui CLI's rules: config dir `$SUI_CONFIG_DIR` or `~/.sui/sui_config`, keystore named by
 * `client.yaml` (`keystore: { File: … }`), signer its `active_address`. A context's own
 * config dir, keystore and address come first (the local stack's context points at its own
 * config dir, so local work never touches the user's real keys); flags before all.
 */
export function suiKeys(
  values: ParsedArgs["values"],
  context: Pick<ContextEntry, "suiConfigDir" | "keystore" | "address"> = {},
): { keystorePath: string; address: string | undefined; clientConfigPath: string } {
  const configDir =
    context.suiConfigDir ?? process.env.SUI_CONFIG_DIR ?? join(homedir(), ".sui", "sui_config");
  const clientConfigPath = join(configDir, "client.yaml");
  const keystore = flagOrEnv(values, "keystore", "K8S_DAAS_KEYSTORE") ?? context.keystore;
  const address = flagOrEnv(values, "address", "K8S_DAAS_ADDRESS") ?? context.address;
  return {
    keystorePath: keystore
      ? resolve(keystore)
      : (keystoreOfClientConfig(clientConfigPath) ?? join(configDir, "sui.keystore")),
    address,
    clientConfigPath,
  };
}

function keystoreOfClientConfig(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const config = parseYaml(readFileSync(path, "utf8")) as { keystore?: { File?: unknown } };
    const file = config?.keystore?.File;
    return typeof file === "string" ? resolve(dirname(path), file) : undefined;
  } catch {
    return undefined;
  }
}
