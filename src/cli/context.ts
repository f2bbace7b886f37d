import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { parse as parseYaml } from "yaml";
import { defaultDataDir, packageRoot } from "../install/index.ts";
import type { ParsedArgs } from "./command.ts";
import { CliError, EXIT, usageError } from "./errors.ts";
import { type OutputFormat, outputFormat } from "./output.ts";

/** The repository root, or the installed package's folder. */
export const REPO_ROOT = packageRoot;
/** `up`'s data dir and the context's home: `$K8S_DAAS_DATA_DIR`, else `.data` in the repo. */
export const DEFAULT_DATA_DIR = defaultDataDir();

/**
 * What `k8s-daas up` leaves behind so later commands need no flags: where the chain and the
 * control plane answer, which package and Cluster object, which keys. Flags and K8S_DAAS_*
 * variables override every field.
 */
export interface CliContext {
  network: string;
  packageId: string;
  clusterId: string;
  controlUrl?: string;
  /** A Sui CLI config dir (client.yaml + keystore); `up` makes its own under its data dir. */
  suiConfigDir?: string;
  /** Admin kubeconfig of the stack's cluster, for kubectl next to the tenant commands. */
  kubeconfig?: string;
  /** The `up` process serving this context, if any. */
  pid?: number;
}

export function contextPath(values: ParsedArgs["values"]): string {
  const flag = values.context;
  if (typeof flag === "string") return resolve(flag);
  if (process.env.K8S_DAAS_CONTEXT) return resolve(process.env.K8S_DAAS_CONTEXT);
  return join(DEFAULT_DATA_DIR, "context.json");
}

export function readContextFile(path: string): Partial<CliContext> {
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error();
    return parsed as Partial<CliContext>;
  } catch {
    throw new CliError("CONTEXT_INVALID", `context file ${path} is not a JSON object`, {
      hint: "delete it and run 'k8s-daas up' again, or pass --context FILE",
    });
  }
}

/** Written atomically: a half-written context would break every later command. */
export function writeContextFile(path: string, context: CliContext): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(context, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/** Flags every chain-facing command takes. */
export const CONNECTION_OPTIONS = {
  network: { type: "string" },
  "package-id": { type: "string" },
  "cluster-id": { type: "string" },
  "control-url": { type: "string" },
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
  "control-url": "nautilus-control's HTTP API (default: from the context)",
  keystore: "Sui keystore file (default: the context's, else the Sui CLI's)",
  address: "which key of the keystore signs (default: the active address)",
  context: "context file (default $K8S_DAAS_CONTEXT, else <data dir>/context.json)",
  output: "table (default), json or yaml",
  help: "show this help",
};

/** Where to reach the chain and who signs, resolved from flags, environment and context. */
export interface Connection {
  network: string;
  packageId: string;
  clusterId: string;
  controlUrl: string | undefined;
  keystorePath: string;
  /** undefined: the active address of `clientConfigPath`. */
  address: string | undefined;
  clientConfigPath: string;
  output: OutputFormat;
  contextFile: string;
  /** The cluster's admin kubeconfig, when this is the operator's own stack. */
  kubeconfig: string | undefined;
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
  const contextFile = contextPath(values);
  const context = readContextFile(contextFile);
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
      `no ${missing.join(" or ")} given and no context at ${contextFile}`,
      {
        hint: "start the local stack with 'k8s-daas up', or pass --network, --package-id and --cluster-id",
        exitCode: EXIT.usage,
      },
    );
  }
  const keys = suiKeys(values, context.suiConfigDir);
  return {
    network,
    packageId,
    clusterId: clusterId ?? "",
    controlUrl: pick("control-url", "K8S_DAAS_CONTROL_URL", context.controlUrl),
    ...keys,
    output: outputFormat(values.output),
    contextFile,
    kubeconfig: pick("kubeconfig", "K8S_DAAS_KUBECONFIG", context.kubeconfig),
  };
}

function objectId(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(value)) {
    throw usageError(`--${flag} must be a 0x-prefixed object id, got "${value}"`);
  }
  return normalizeSuiAddress(value);
}

/**
 * The Sui CLI's rules: config dir `$SUI_CONFIG_DIR` or `~/.sui/sui_config`, keystore named by
 * `client.yaml` (`keystore: { File: … }`), signer its `active_address`. A context written by
 * `up` points at its own config dir first, so local work never touches the user's real keys.
 */
export function suiKeys(
  values: ParsedArgs["values"],
  contextConfigDir: string | undefined,
): { keystorePath: string; address: string | undefined; clientConfigPath: string } {
  const configDir =
    contextConfigDir ?? process.env.SUI_CONFIG_DIR ?? join(homedir(), ".sui", "sui_config");
  const clientConfigPath = join(configDir, "client.yaml");
  const keystoreFlag = flagOrEnv(values, "keystore", "K8S_DAAS_KEYSTORE");
  const address = flagOrEnv(values, "address", "K8S_DAAS_ADDRESS");
  return {
    keystorePath: keystoreFlag
      ? resolve(keystoreFlag)
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
