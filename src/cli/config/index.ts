// The CLI's named contexts (like kubeconfig's), kept in the user's config dir: the file
// format, reading and writing it, and which context a command uses.
export {
  type CliConfig,
  CONTEXT_FIELDS,
  type ContextEntry,
  checkContextName,
  readConfigFile,
  writeConfigFile,
} from "./config-file.ts";
export {
  contextNotFound,
  type LoadedConfig,
  loadConfig,
  type SelectedContext,
  saveContext,
  selectContext,
} from "./contexts.ts";
export { importLegacyContext, LOCAL_CONTEXT } from "./legacy-import.ts";
