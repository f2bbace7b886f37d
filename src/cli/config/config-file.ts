import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { CliError, EXIT } from "../errors.ts";

/**
 * One named place to work, like a kubeconfig context: which chain, which package and
 * Cluster object, where nautilus-control answers, which keys sign, which namespace. Every
 * field is a default that flags and K8S_DAAS_* variables override.
 */
export interface ContextEntry {
  /** local, testnet, mainnet or a full node URL (the local stack records its devnet's URL). */
  network?: string;
  packageId?: string;
  /** The `0x2::package::UpgradeCap` of `packageId`, when `package publish` made it here. */
  upgradeCapId?: string;
  clusterId?: string;
  controlUrl?: string;
  /** "true": `controlUrl` is plain HTTP on purpose (a development stack whose TLS could not start). */
  insecureHttp?: string;
  /** Admin kubeconfig of the cluster, for operators (`cluster status`, kubectl). */
  kubeconfig?: string;
  /** A Sui CLI config dir (client.yaml + keystore); `up` makes its own under its data dir. */
  suiConfigDir?: string;
  /** A Sui keystore file, when not the one `suiConfigDir`'s client.yaml names. */
  keystore?: string;
  /** Which key of the keystore signs (default: the active address). */
  address?: string;
  /** The namespace commands work in when `-n` is not given. */
  namespace?: string;
  /** The data dir of the `k8s-daas up` that wrote this context (its up.pid says if it runs). */
  dataDir?: string;
}

/** The fields of a context, in the order tables and help list them. */
export const CONTEXT_FIELDS = [
  "network",
  "packageId",
  "upgradeCapId",
  "clusterId",
  "controlUrl",
  "insecureHttp",
  "kubeconfig",
  "suiConfigDir",
  "keystore",
  "address",
  "namespace",
  "dataDir",
] as const satisfies readonly (keyof ContextEntry)[];

/** `config.json` in the user's config dir: several named contexts and the current one. */
export interface CliConfig {
  currentContext?: string;
  contexts: Record<string, ContextEntry>;
}

const FORMAT_VERSION = 1;
const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Context names are kubeconfig-like words, so a file path can never pass for one. */
export function checkContextName(name: string, what = "context name"): string {
  if (CONTEXT_NAME.test(name)) return name;
  throw new CliError(
    "CONTEXT_NAME_INVALID",
    `${what} "${name}" must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    {
      hint: name.includes("/")
        ? "contexts are named entries of the config file now, not files: see 'k8s-daas config get-contexts'"
        : "see 'k8s-daas config get-contexts'",
      exitCode: EXIT.usage,
    },
  );
}

/** Reads and validates the config file; a missing file is an empty config. */
export function readConfigFile(path: string): CliConfig {
  if (!existsSync(path)) return { contexts: {} };
  const invalid = (why: string) =>
    new CliError("CONFIG_INVALID", `config file ${path}: ${why}`, {
      hint: "fix or delete it ('k8s-daas up' and 'k8s-daas config set-context' write a new one)",
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw invalid(`not JSON (${(error as Error).message})`);
  }
  if (!isRecord(parsed)) throw invalid("not a JSON object");
  if (parsed.version !== FORMAT_VERSION) {
    throw invalid(`"version" is ${JSON.stringify(parsed.version)}; this k8s-daas reads version 1`);
  }
  const current = parsed.currentContext;
  if (current !== undefined && typeof current !== "string") {
    throw invalid('"currentContext" is not a string');
  }
  if (!isRecord(parsed.contexts)) throw invalid('"contexts" is not an object');
  const contexts: Record<string, ContextEntry> = {};
  for (const [name, entry] of Object.entries(parsed.contexts)) {
    if (!CONTEXT_NAME.test(name)) throw invalid(`context name "${name}" is not valid`);
    if (!isRecord(entry)) throw invalid(`context "${name}" is not an object`);
    const context: ContextEntry = {};
    for (const field of CONTEXT_FIELDS) {
      const value = entry[field];
      if (value === undefined) continue;
      if (typeof value !== "string") throw invalid(`context "${name}": "${field}" is not a string`);
      context[field] = value;
    }
    contexts[name] = context;
  }
  return current === undefined ? { contexts } : { currentContext: current, contexts };
}

/** Written atomically and private (it names key files): a half-written config breaks every command. */
export function writeConfigFile(path: string, config: CliConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  const file = {
    version: FORMAT_VERSION,
    ...(config.currentContext === undefined ? {} : { currentContext: config.currentContext }),
    contexts: config.contexts,
  };
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
