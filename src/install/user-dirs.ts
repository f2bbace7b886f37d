import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { packageFile, runsFromSource } from "./package-root.ts";

/**
 * Where `k8s-daas up` keeps the local stack's state (ledger, keys, cluster, logs):
 * `$K8S_DAAS_DATA_DIR`; else `.data` in a clone (beside the sources, as before); else, for
 * an installed package, `$XDG_DATA_HOME/k8s-daas` (`~/.local/share/k8s-daas`): never the
 * install folder, which a package manager owns and may replace.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.K8S_DAAS_DATA_DIR) return resolve(env.K8S_DAAS_DATA_DIR);
  if (runsFromSource) return packageFile(".data");
  return join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "k8s-daas");
}

/**
 * The CLI's config file (named contexts): `$K8S_DAAS_CONFIG`, else
 * `$XDG_CONFIG_HOME/k8s-daas/config.json`, else `~/.config/k8s-daas/config.json`.
 */
export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.K8S_DAAS_CONFIG) return resolve(env.K8S_DAAS_CONFIG);
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "k8s-daas", "config.json");
}
