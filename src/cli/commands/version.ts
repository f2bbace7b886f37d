import { buildInfo, defaultConfigFile, defaultDataDir } from "../../install/index.ts";
import type { Command, ParsedArgs } from "../command.ts";
import { selectContext } from "../config/index.ts";
import { CliError, EXIT } from "../errors.ts";
import { outputFormat, printResult } from "../output.ts";

export const versionCommand: Command = {
  name: "version",
  summary:
    "Print the version, the commit it was built from and the package id commands default to.",
  usage: "k8s-daas version [--context NAME] [-o table|json|yaml]   (or: k8s-daas --version)",
  example: "k8s-daas --version",
  options: {
    context: { type: "string" },
    output: { type: "string", short: "o" },
    help: { type: "boolean", short: "h" },
  },
  optionHelp: {
    context: "whose package id to show (default $K8S_DAAS_CONTEXT, else the current context)",
    output: "table (default), json or yaml",
    help: "show this help",
  },
  run: async ({ values }) => {
    const info = buildInfo();
    const defaults = defaultPackage(values);
    const configFile = defaultConfigFile();
    const dataDir = defaultDataDir();
    const data = { ...info, node: process.version, ...defaults, configFile, dataDir };
    printResult(outputFormat(values.output), data, () =>
      [
        `k8s-daas ${info.version}`,
        `commit    ${info.commit}`,
        `package   ${defaults.packageId ?? "none"}${defaults.packageFrom ? `   (${defaults.packageFrom})` : ""}`,
        `node      ${process.version}`,
        `runs from ${info.packageRoot} (${info.installedAs === "clone" ? "a clone: the TypeScript sources" : "the npm package: compiled JavaScript"})`,
        `config    ${configFile}`,
        `data dir  ${dataDir}   (k8s-daas up)`,
      ].join("\n"),
    );
    return EXIT.ok;
  },
};

/**
 * The package id a command given no --package-id would use: `$K8S_DAAS_PACKAGE_ID`, else the
 * context's. `--version` must answer even with a broken config, so a config problem is shown
 * in place of the source rather than failing.
 */
function defaultPackage(values: ParsedArgs["values"]): {
  packageId: string | null;
  packageFrom: string | null;
} {
  if (process.env.K8S_DAAS_PACKAGE_ID) {
    return { packageId: process.env.K8S_DAAS_PACKAGE_ID, packageFrom: "$K8S_DAAS_PACKAGE_ID" };
  }
  try {
    const { name, entry } = selectContext(values);
    return {
      packageId: entry.packageId ?? null,
      packageFrom: name === undefined ? "no current context" : `context "${name}"`,
    };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { packageId: null, packageFrom: `error[${error.code}]: ${error.message}` };
  }
}
