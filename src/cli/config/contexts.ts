import { join } from "node:path";
import { defaultConfigFile, defaultDataDir } from "../../install/index.ts";
import type { ParsedArgs } from "../command.ts";
import { CliError, EXIT } from "../errors.ts";
import {
  type CliConfig,
  type ContextEntry,
  checkContextName,
  readConfigFile,
  writeConfigFile,
} from "./config-file.ts";
import { importLegacyContext } from "./legacy-import.ts";

/** The config file (`$K8S_DAAS_CONFIG`, else the XDG config dir) and its contexts. */
export interface LoadedConfig {
  file: string;
  config: CliConfig;
}

/** Reads the config file, importing a pre-contexts `<data dir>/context.json` the first time. */
export function loadConfig(): LoadedConfig {
  const file = defaultConfigFile();
  const imported = importLegacyContext(file, join(defaultDataDir(), "context.json"), (line) =>
    process.stderr.write(`${line}\n`),
  );
  return { file, config: imported ?? readConfigFile(file) };
}

/** The context a command uses, by name, and where it came from. */
export interface SelectedContext {
  file: string;
  /** undefined: no --context, no K8S_DAAS_CONTEXT and no current context. */
  name: string | undefined;
  entry: ContextEntry;
}

/**
 * `--context NAME`, else `$K8S_DAAS_CONTEXT`, else the config's current context. A name
 * asked for that is not in the config is an error (a typo must not fall back to another
 * cluster); no context at all is an empty one, for flags to fill.
 */
export function selectContext(values: ParsedArgs["values"]): SelectedContext {
  const { file, config } = loadConfig();
  const flag = typeof values.context === "string" && values.context !== "" ? values.context : "";
  const asked = flag || process.env.K8S_DAAS_CONTEXT || undefined;
  const name = asked ?? config.currentContext;
  if (name === undefined) return { file, name, entry: {} };
  checkContextName(name, asked === undefined ? "current context" : "context");
  const entry = config.contexts[name];
  if (!entry) throw contextNotFound(name, file, config);
  return { file, name, entry };
}

export function contextNotFound(name: string, file: string, config: CliConfig): CliError {
  const known = Object.keys(config.contexts);
  return new CliError("CONTEXT_NOT_FOUND", `no context "${name}" in ${file}`, {
    hint:
      known.length > 0
        ? `known contexts: ${known.join(", ")} (k8s-daas config get-contexts)`
        : "there are none yet: run 'k8s-daas up', or 'k8s-daas config set-context NAME --network … --package-id …'",
    exitCode: EXIT.usage,
  });
}

/** Adds or replaces the context `name`; `makeCurrent` also makes it the current one. */
export function saveContext(name: string, entry: ContextEntry, makeCurrent: boolean): string {
  checkContextName(name);
  const { file, config } = loadConfig();
  const updated: CliConfig = {
    ...(makeCurrent ? { currentContext: name } : pickCurrent(config)),
    contexts: { ...config.contexts, [name]: entry },
  };
  writeConfigFile(file, updated);
  return file;
}

function pickCurrent(config: CliConfig): Pick<CliConfig, "currentContext"> {
  return config.currentContext === undefined ? {} : { currentContext: config.currentContext };
}
