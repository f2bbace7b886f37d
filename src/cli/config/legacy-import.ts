import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { type CliConfig, type ContextEntry, writeConfigFile } from "./config-file.ts";

/** The name the local stack's context gets, then and now. */
export const LOCAL_CONTEXT = "local";

/**
 * Before contexts moved to the user's config dir, `k8s-daas up` wrote `<data dir>/context.json`.
 * The first time there is no config file but such a file exists, it becomes the context
 * `local` (and the current one), so an existing setup keeps working without a new `up`. The
 * old file is left where it is. Returns the config to use, imported or not.
 */
export function importLegacyContext(
  configFile: string,
  legacyFile: string,
  log: (line: string) => void,
): CliConfig | undefined {
  if (existsSync(configFile) || !existsSync(legacyFile)) return undefined;
  let legacy: unknown;
  try {
    legacy = JSON.parse(readFileSync(legacyFile, "utf8"));
  } catch {
    log(`note: ${legacyFile} is not JSON; not imported as a context`);
    return undefined;
  }
  if (legacy === null || typeof legacy !== "object" || Array.isArray(legacy)) {
    log(`note: ${legacyFile} is not a JSON object; not imported as a context`);
    return undefined;
  }
  const fields = legacy as Record<string, unknown>;
  const entry: ContextEntry = { dataDir: dirname(legacyFile) };
  for (const field of [
    "network",
    "packageId",
    "clusterId",
    "controlUrl",
    "suiConfigDir",
    "kubeconfig",
  ] as const) {
    const value = fields[field];
    if (typeof value === "string") entry[field] = value;
  }
  const config: CliConfig = { currentContext: LOCAL_CONTEXT, contexts: { [LOCAL_CONTEXT]: entry } };
  writeConfigFile(configFile, config);
  log(`note: imported ${legacyFile} as context "${LOCAL_CONTEXT}" into ${configFile}`);
  return config;
}
