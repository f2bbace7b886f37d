import { resolve } from "node:path";
import { type Command, onePositional, type ParsedArgs, runAction, stringFlag } from "../command.ts";
import {
  type CONTEXT_FIELDS,
  type ContextEntry,
  checkContextName,
  contextNotFound,
  loadConfig,
  writeConfigFile,
} from "../config/index.ts";
import { checkObjectId } from "../context.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { toCliError } from "../failures.ts";
import { checkNamespace } from "../manifests.ts";
import { formatTable, outputFormat, printResult } from "../output.ts";

/** set-context's flags, each one field of a context; an empty value removes the field. */
const FIELD_FLAGS = {
  network: "network",
  "package-id": "packageId",
  "cluster-id": "clusterId",
  "control-url": "controlUrl",
  "insecure-http": "insecureHttp",
  namespace: "namespace",
  kubeconfig: "kubeconfig",
  "sui-config-dir": "suiConfigDir",
  keystore: "keystore",
  address: "address",
} as const satisfies Record<string, (typeof CONTEXT_FIELDS)[number]>;

/** Fields naming files: kept absolute, so the context works from any directory. */
const PATH_FIELDS: ReadonlySet<keyof ContextEntry> = new Set([
  "kubeconfig",
  "suiConfigDir",
  "keystore",
]);

const ACTIONS = [
  "get-contexts",
  "current-context",
  "use-context",
  "set-context",
  "delete-context",
] as const;

export const configCommand: Command = {
  name: "config",
  summary:
    "Named contexts (network, package, cluster, control plane, keys, namespace), like kubeconfig's.",
  usage: `k8s-daas config get-contexts | current-context | use-context NAME | set-context NAME [--network N] [--package-id ID] [--cluster-id ID] [--control-url URL] [-n NAMESPACE] … | delete-context NAME`,
  example:
    "k8s-daas config set-context team-a --network testnet --package-id 0x… --cluster-id 0x… -n team-a && k8s-daas config use-context team-a",
  actions: ACTIONS,
  options: {
    network: { type: "string" },
    "package-id": { type: "string" },
    "cluster-id": { type: "string" },
    "control-url": { type: "string" },
    "insecure-http": { type: "string" },
    namespace: { type: "string", short: "n" },
    kubeconfig: { type: "string" },
    "sui-config-dir": { type: "string" },
    keystore: { type: "string" },
    address: { type: "string" },
    output: { type: "string", short: "o" },
    help: { type: "boolean", short: "h" },
  },
  optionHelp: {
    network: "set-context: local, testnet, mainnet or a full node URL",
    "package-id": "set-context: the k8s_daas package id",
    "cluster-id": "set-context: the Cluster object id",
    "control-url": "set-context: nautilus-control's API (https://)",
    "insecure-http": "set-context: true to allow an http:// control URL (development only)",
    namespace: "set-context: the namespace commands use without -n",
    kubeconfig: "set-context: the cluster's admin kubeconfig (operators)",
    "sui-config-dir": "set-context: a Sui CLI config dir (client.yaml and its keystore)",
    keystore: "set-context: a Sui keystore file",
    address: "set-context: which key of the keystore signs",
    output: "get-contexts: table (default), json, yaml, or name (one name a line)",
    help: "show this help (set-context: an empty value, like --namespace '', removes the field)",
  },
  run: (args) =>
    runAction(configCommand, args, {
      "get-contexts": async ({ values }) => getContexts(values),
      "current-context": async () => {
        const { file, config } = loadConfig();
        if (config.currentContext === undefined) {
          throw new CliError("CONTEXT_NONE", `no current context in ${file}`, {
            hint: "run 'k8s-daas up', or 'k8s-daas config use-context NAME'",
          });
        }
        process.stdout.write(`${config.currentContext}\n`);
        return EXIT.ok;
      },
      "use-context": async (_args, rest) => {
        const name = checkContextName(onePositional(configCommand, rest, "context name"));
        const { file, config } = loadConfig();
        if (!config.contexts[name]) throw contextNotFound(name, file, config);
        writeConfigFile(file, { ...config, currentContext: name });
        process.stdout.write(`switched to context "${name}"\n`);
        return EXIT.ok;
      },
      "set-context": async ({ values }, rest) => setContext(values, rest),
      "delete-context": async (_args, rest) => {
        const name = checkContextName(onePositional(configCommand, rest, "context name"));
        const { file, config } = loadConfig();
        if (!config.contexts[name]) throw contextNotFound(name, file, config);
        const { [name]: _deleted, ...contexts } = config.contexts;
        const wasCurrent = config.currentContext === name;
        writeConfigFile(
          file,
          wasCurrent || config.currentContext === undefined
            ? { contexts }
            : { currentContext: config.currentContext, contexts },
        );
        process.stdout.write(
          `deleted context "${name}" from ${file}${wasCurrent ? " (it was the current one; there is none now)" : ""}\n`,
        );
        return EXIT.ok;
      },
    }),
};

function getContexts(values: ParsedArgs["values"]): number {
  const { file, config } = loadConfig();
  const names = Object.keys(config.contexts).sort();
  if (values.output === "name") {
    process.stdout.write(names.map((name) => `${name}\n`).join(""));
    return EXIT.ok;
  }
  const data = {
    configFile: file,
    currentContext: config.currentContext ?? null,
    contexts: names.map((name) => ({ name, ...config.contexts[name] })),
  };
  printResult(outputFormat(values.output), data, () =>
    names.length === 0
      ? `no contexts in ${file}: run 'k8s-daas up' or 'k8s-daas config set-context NAME …'`
      : formatTable(
          ["CURRENT", "NAME", "NETWORK", "PACKAGE", "CLUSTER", "CONTROL PLANE", "NAMESPACE"],
          names.map((name) => {
            const context = config.contexts[name] ?? {};
            return [
              name === config.currentContext ? "*" : "",
              name,
              context.network ?? "",
              shortId(context.packageId),
              shortId(context.clusterId),
              context.controlUrl ?? "",
              context.namespace ?? "",
            ];
          }),
        ),
  );
  return EXIT.ok;
}

async function setContext(values: ParsedArgs["values"], rest: string[]): Promise<number> {
  const name = checkContextName(onePositional(configCommand, rest, "context name"));
  const changes = Object.entries(FIELD_FLAGS).flatMap(([flag, field]) => {
    const value = stringFlag(values, flag);
    return value === undefined ? [] : [{ flag, field, value }];
  });
  const { file, config } = loadConfig();
  const existing = config.contexts[name];
  if (changes.length === 0 && existing) {
    throw usageError(`set-context ${name}: nothing to change`, `usage: ${configCommand.usage}`);
  }
  const entry: ContextEntry = { ...existing };
  for (const { flag, field, value } of changes) {
    if (value === "") delete entry[field];
    else entry[field] = await checkedField(flag, field, value);
  }
  writeConfigFile(file, { ...config, contexts: { ...config.contexts, [name]: entry } });
  process.stdout.write(`context "${name}" ${existing ? "modified" : "created"} in ${file}\n`);
  return EXIT.ok;
}

/** Checked when written, so a typo surfaces here rather than in a later command. */
async function checkedField(
  flag: string,
  field: keyof ContextEntry,
  value: string,
): Promise<string> {
  if (field === "network") {
    // The chain client loads only for this check: listing contexts stays quick (completion).
    const { resolveNetwork } = await import("../../chain/networks.ts");
    try {
      resolveNetwork(value);
    } catch (error) {
      throw toCliError(error);
    }
    return value;
  }
  if (field === "packageId" || field === "clusterId") return checkObjectId(flag, value);
  if (field === "controlUrl" && !/^https?:\/\/[^/]/.test(value)) {
    throw usageError(`--control-url must be an http(s) URL, got "${value}"`);
  }
  if (field === "insecureHttp" && value !== "true" && value !== "false") {
    throw usageError(`--insecure-http must be true or false, got "${value}"`);
  }
  if (field === "namespace") checkNamespace(value);
  return PATH_FIELDS.has(field) ? resolve(value) : value;
}

/** 0x6b38736461617300… → 0x6b3873…7300: tables stay readable; -o json has the full id. */
function shortId(id: string | undefined): string {
  if (!id) return "";
  return id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}
