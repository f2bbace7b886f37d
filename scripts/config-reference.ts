// node scripts/config-reference.ts [--check]
//   Writes docs/CONFIG.md, nautilus-control's configuration reference; --check only compares
//   (exit 1 when the file is stale). test/deploy/config-reference.test.ts runs the check.
//
// Everything comes from the code that reads the configuration, so the reference cannot
// drift from it: the settings and their doc comments from the config interfaces, the
// defaults from the default objects, the environment variable names and the accepted values
// by feeding each setting to the real loaders and validators (a name the loader does not
// read, or a setting without a description, is an error here), the flags from the
// `control` command's option table.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { controlCommand } from "../src/cli/commands/control.ts";
import {
  ConfigError,
  configFromEnv,
  defaultConfig,
  envName,
  resolveConfig,
} from "../src/control/config.ts";
import { DEFAULT_WORKER_CONFIG, resolveWorkerConfig } from "../src/control/workers/config.ts";
import { WorkerControlError } from "../src/control/workers/errors.ts";
import { repoRoot } from "../src/k8s/testenv/paths.ts";

export const CONFIG_REFERENCE_PATH = join(repoRoot, "docs", "CONFIG.md");
const CONTROL_CONFIG_SOURCE = "src/control/config.ts";
const WORKER_CONFIG_SOURCE = "src/control/workers/config.ts";

/** One setting as the reference shows it. */
export interface SettingDoc {
  /** The key in the config file (control settings) or in the worker settings. */
  readonly key: string;
  readonly env: string;
  /** Another variable read when `env` is unset (KUBECONFIG for the kubeconfig). */
  readonly envFallback: string | undefined;
  /** `--flag <value>`, when `k8s-daas control` / `nautilus-control` has one. */
  readonly flag: string | undefined;
  /** The built-in default, as text; undefined when there is none. */
  readonly defaultValue: string | undefined;
  readonly required: boolean;
  /** What the validator accepts, in its own words; undefined for free text. */
  readonly accepted: string | undefined;
  readonly description: string;
}

/** A value no validator accepts for a number, an id, a URL or a choice. */
const INVALID = "\u2603not-valid";
/** Valid ids, so probing one setting does not trip the required ones. */
const REQUIRED_SAMPLES = { packageId: "0x1", clusterId: "0x2" };

/** The settings of `ControlConfig`, in declaration order. */
export function controlSettings(): SettingDoc[] {
  const declared = interfaceMembers(CONTROL_CONFIG_SOURCE, "ControlConfig");
  const defaults = defaultConfig();
  const missingRequired = problemsOf(() => resolveConfig(defaultConfig()));
  return declared.map(({ key, doc }) => {
    const env = envName(key);
    if (configFromEnv({ [env]: "x" })[key] !== "x") {
      throw new Error(`${CONTROL_CONFIG_SOURCE}: ${key} is declared but ${env} is not read`);
    }
    const flag = controlFlag(key);
    const problems = problemsOf(() =>
      resolveConfig(defaultConfig(), REQUIRED_SAMPLES, { [key]: INVALID }),
    );
    const help = flag?.help;
    const description =
      doc ?? (help ? `${help.charAt(0).toUpperCase()}${help.slice(1)}.` : undefined);
    if (!description) {
      throw new Error(`${CONTROL_CONFIG_SOURCE}: ${key} has neither a doc comment nor a flag`);
    }
    const fallback = configFromEnv({ KUBECONFIG: "x" })[key] === "x" ? "KUBECONFIG" : undefined;
    return {
      key,
      env,
      envFallback: fallback,
      flag: flag?.usage,
      defaultValue: key in defaults ? String(defaults[key]) : undefined,
      required: missingRequired.some((problem) => problem.startsWith(`${key} is required`)),
      accepted: acceptedValues(problems, key),
      description,
    };
  });
}

/** The worker-management settings (`K8S_DAAS_WORKERS_*`), in declaration order. */
export function workerSettings(): SettingDoc[] {
  const declared = interfaceMembers(WORKER_CONFIG_SOURCE, "WorkerControlConfig");
  const envNames = workerEnvNames();
  const defaults: Record<string, unknown> = { ...DEFAULT_WORKER_CONFIG };
  const settings: SettingDoc[] = [];
  for (const { key, doc } of declared) {
    const env = envNames.get(key);
    if (!env) continue; // set by the caller only (e.g. simulated node size), not configurable
    if (!doc) throw new Error(`${WORKER_CONFIG_SOURCE}: ${key} has no doc comment`);
    // A number or a switch refuses the probe and names the variable; free text takes it.
    const problems = problemsOf(() => resolveWorkerConfig({}, { [env]: INVALID }));
    const named = problems.filter((problem) => problem.startsWith(`${env} `));
    if (named.length === 0) {
      const taken = resolveWorkerConfig({}, { [env]: INVALID }) as unknown as Record<
        string,
        unknown
      >;
      if (taken[key] !== INVALID) {
        throw new Error(`${WORKER_CONFIG_SOURCE}: ${env} does not reach the ${key} setting`);
      }
    }
    settings.push({
      key,
      env,
      envFallback: undefined,
      flag: undefined,
      defaultValue: defaults[key] === undefined ? undefined : String(defaults[key]),
      required: false,
      accepted: acceptedValues(named, env),
      description: doc,
    });
  }
  return settings;
}

/** The reference as Markdown. */
export function renderConfigReference(): string {
  const overview = interfaceDoc(CONTROL_CONFIG_SOURCE, "ControlConfig");
  const workersOverview = interfaceDoc(WORKER_CONFIG_SOURCE, "WorkerControlConfig");
  const otherFlags = Object.keys(controlCommand.options).filter(
    (name) => name !== "help" && !isSettingFlag(name),
  );
  const lines = [
    "# nautilus-control configuration",
    "",
    "<!-- Generated by `node scripts/config-reference.ts` from src/control/config.ts,",
    "     src/control/workers/config.ts and the `control` command; do not edit.",
    "     test/deploy/config-reference.test.ts fails when this file is stale. -->",
    "",
    `${overview}`,
    "",
    "`nautilus-control` is `k8s-daas control`. The config file is YAML or JSON with the keys",
    "below (`--config FILE`; an unknown key is refused). The container image sets",
    "`K8S_DAAS_DATA_DIR`, `K8S_DAAS_LISTEN_HOST=0.0.0.0` and `K8S_DAAS_LISTEN_PORT`; the Helm",
    "chart writes a config file (deploy/helm/nautilus-control).",
    "",
    "## Settings",
    "",
    table(controlSettings(), "key"),
    "",
    "Flags that are not settings:",
    "",
    ...otherFlags.map(
      (name) =>
        `- \`--${name}${controlCommand.options[name]?.type === "string" ? " <value>" : ""}\`: ${controlCommand.optionHelp[name] ?? ""}`,
    ),
    "",
    "## Worker management",
    "",
    `${workersOverview}`,
    "",
    "These are read from the environment only.",
    "",
    table(workerSettings(), "env"),
    "",
  ];
  return lines.join("\n");
}

function table(settings: readonly SettingDoc[], first: "key" | "env"): string {
  const header =
    first === "key"
      ? ["key", "environment", "flag", "default", "accepted", "description"]
      : ["environment", "setting", "default", "accepted", "description"];
  const rows = settings.map((setting) => {
    const code = (text: string | undefined) => (text === undefined ? "" : `\`${text}\``);
    const defaultText = setting.required
      ? "**required**"
      : setting.defaultValue === undefined
        ? "none"
        : code(setting.defaultValue);
    const cells =
      first === "key"
        ? [
            code(setting.key),
            setting.envFallback
              ? `${code(setting.env)}, else ${code(setting.envFallback)}`
              : code(setting.env),
            code(setting.flag),
          ]
        : [code(setting.env), code(setting.key)];
    return [...cells, defaultText, setting.accepted ?? "text", setting.description];
  });
  return [header, header.map(() => "---"), ...rows]
    .map((cells) => `| ${cells.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`)
    .join("\n");
}

/** `--kebab-name <value>` with its help text, or the shared `--listen HOST:PORT`. */
function controlFlag(key: string): { usage: string; help: string | undefined } | undefined {
  if (key === "listenHost" || key === "listenPort") {
    return { usage: "--listen HOST:PORT", help: undefined };
  }
  const name = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const option = controlCommand.options[name];
  if (!option) return undefined;
  const usage = option.type === "boolean" ? `--${name}` : `--${name} <value>`;
  return { usage, help: controlCommand.optionHelp[name] };
}

function isSettingFlag(name: string): boolean {
  if (name === "listen") return true;
  const key = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return interfaceMembers(CONTROL_CONFIG_SOURCE, "ControlConfig").some((m) => m.key === key);
}

/** The validator's complaint about `name`, without the value it got. */
function acceptedValues(problems: readonly string[], name: string): string | undefined {
  const problem = problems.find((text) => text.startsWith(`${name} `));
  return problem
    ?.slice(name.length + 1)
    .replace(/, got .*$/s, "")
    .replace(/^must be /, "");
}

function problemsOf(load: () => unknown): string[] {
  try {
    load();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    if (error instanceof WorkerControlError) {
      return error.message
        .split("\n")
        .filter((line) => line.startsWith("  - "))
        .map((line) => line.slice(4));
    }
    throw error;
  }
}

/** `K8S_DAAS_WORKERS_*` names, from the source's ENV table (each is then probed). */
function workerEnvNames(): Map<string, string> {
  const source = readSource(WORKER_CONFIG_SOURCE);
  const table = /const ENV[^=]*=\s*\{([^}]*)\}/.exec(source)?.[1];
  if (!table) throw new Error(`${WORKER_CONFIG_SOURCE}: no ENV table found`);
  return new Map(
    [...table.matchAll(/^\s*(\w+):\s*"(K8S_DAAS_\w+)"/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]),
  );
}

interface Member {
  readonly key: string;
  readonly doc: string | undefined;
}

/** The members of `export interface NAME { … }` with their doc comments (one per line). */
function interfaceMembers(file: string, name: string): Member[] {
  const body = interfaceBody(file, name);
  const members: Member[] = [];
  let doc: string | undefined;
  const pending: string[] = [];
  let inComment = false;
  for (const line of body.split("\n")) {
    const text = line.trim();
    if (text.startsWith("/**")) {
      inComment = true;
      pending.length = 0;
    }
    if (inComment) {
      pending.push(text.replace(/^\/\*\*\s?|^\*\/|^\*\s?|\s*\*\/$/g, ""));
      if (text.endsWith("*/")) {
        inComment = false;
        doc = pending.join(" ").replace(/\s+/g, " ").trim();
      }
      continue;
    }
    const member = /^(\w+)\??:/.exec(text);
    if (member?.[1]) {
      members.push({ key: member[1], doc });
      doc = undefined;
    }
  }
  if (members.length === 0) throw new Error(`${file}: interface ${name} has no members`);
  return members;
}

/** The doc comment on `export interface NAME`. */
function interfaceDoc(file: string, name: string): string {
  const source = readSource(file);
  const at = source.indexOf(`export interface ${name} {`);
  const before = source.slice(0, Math.max(at, 0));
  const start = before.lastIndexOf("/**");
  const end = before.lastIndexOf("*/");
  if (at < 0 || start < 0 || end < start || before.slice(end + 2).trim() !== "") {
    throw new Error(`${file}: interface ${name} has no doc comment`);
  }
  return before
    .slice(start + 3, end)
    .split("\n")
    .map((line) => line.replace(/^\s*\*\s?/, "").trim())
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
}

function interfaceBody(file: string, name: string): string {
  const source = readSource(file);
  const start = source.indexOf(`export interface ${name} {`);
  if (start < 0) throw new Error(`${file}: no interface ${name}`);
  const end = source.indexOf("\n}", start);
  return source.slice(source.indexOf("{", start) + 1, end);
}

function readSource(file: string): string {
  return readFileSync(join(repoRoot, file), "utf8");
}

if (import.meta.main) {
  const rendered = renderConfigReference();
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(CONFIG_REFERENCE_PATH, "utf8");
    } catch {}
    if (current !== rendered) {
      process.stderr.write(
        `${CONFIG_REFERENCE_PATH} is stale: run node scripts/config-reference.ts\n`,
      );
      process.exitCode = 1;
    }
  } else {
    writeFileSync(CONFIG_REFERENCE_PATH, rendered);
    process.stdout.write(`wrote ${CONFIG_REFERENCE_PATH}\n`);
  }
}
