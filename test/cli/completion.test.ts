// `k8s-daas completion bash|zsh|fish`: generated from the command table, so each script
// names every command, parses in its shell, and completes what the CLI really accepts. The
// shells themselves run the scripts (bash always; zsh and fish where installed).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { COMMANDS } from "../../src/cli/command-table.ts";
import { BIN, errorLine, ISOLATED_ENV, runCli } from "./harness.ts";

const SHELLS = ["bash", "zsh", "fish"] as const;
const dir = mkdtempSync(join(tmpdir(), "k8s-daas-completion-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An executable named k8s-daas (the scripts call it back for context names). */
const program = join(dir, "bin", "k8s-daas");
mkdirSync(join(dir, "bin"));
writeFileSync(program, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
chmodSync(program, 0o755);
const env = {
  ...process.env,
  ...ISOLATED_ENV,
  XDG_CONFIG_HOME: join(dir, "config"),
  PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}`,
};

function installed(shell: string): boolean {
  return spawnSync(shell, ["-c", "exit 0"]).status === 0;
}

async function script(shell: string): Promise<string> {
  const run = await runCli(["completion", shell]);
  assert.equal(run.code, 0, run.stderr);
  const file = join(dir, `completion.${shell}`);
  writeFileSync(file, run.stdout);
  return file;
}

/** Runs `code` in `shell` with the script loaded; returns its stdout. */
function inShell(shell: string, code: string): string {
  const run = spawnSync(shell, shell === "zsh" ? ["-f", "-c", code] : ["-c", code], {
    env,
    encoding: "utf8",
  });
  assert.equal(run.status, 0, `${shell}: ${run.stderr}`);
  return run.stdout;
}

test("each shell's script names every command in the main help and parses in its shell", async (t) => {
  const help = (await runCli(["--help"])).stdout;
  const listed = [...help.matchAll(/^ {2}([a-z][a-z-]*) {2,}/gm)].map((match) => match[1]);
  assert.deepEqual(
    listed,
    COMMANDS.map((command) => command.name),
  );
  for (const shell of SHELLS) {
    const file = await script(shell);
    const text = spawnSync("cat", [file], { encoding: "utf8" }).stdout;
    for (const name of listed) {
      assert.match(text, new RegExp(`(^|[\\s"'(])${name}([\\s:)"']|$)`, "m"), `${shell}: ${name}`);
    }
    if (!installed(shell)) {
      t.diagnostic(`${shell} is not installed here: its script's syntax is not checked`);
      continue;
    }
    const check = spawnSync(shell, shell === "fish" ? ["--no-execute", file] : ["-n", file], {
      encoding: "utf8",
    });
    assert.equal(check.status, 0, `${shell} rejects its script: ${check.stderr}`);
  }
});

test("the actions a script completes are the ones each command accepts", async () => {
  const withActions = COMMANDS.filter((command) => (command.actions ?? []).length > 0);
  assert.ok(withActions.length >= 6, "namespace, pod, cluster, keys, worker, config, completion");
  for (const command of withActions) {
    // The CLI lists what it accepts when given an action it does not know.
    const run = await runCli([command.name, "no-such-action"]);
    assert.equal(run.code, 2, command.name);
    const accepted = /(?:; use|action:) (.+)$/.exec(errorLine(run))?.[1]?.split(", ");
    assert.deepEqual(accepted, [...(command.actions ?? [])], command.name);
  }
});

test("bash completes commands, actions, flags, paths and context names", async () => {
  const file = await script("bash");
  const made = await runCli(["config", "set-context", "alpha", "--network", "local"], { env });
  assert.equal(made.code, 0, made.stderr);
  await runCli(["config", "set-context", "beta", "--network", "local"], { env });
  const complete = (...words: string[]) =>
    inShell(
      "bash",
      `source ${file}; COMP_WORDS=(${["k8s-daas", ...words].map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length}; _k8s_daas; printf '%s\\n' "\${COMPREPLY[@]}"`,
    )
      .split("\n")
      .filter(Boolean);
  assert.deepEqual(complete("na"), ["namespace"]);
  assert.deepEqual(complete("namespace", ""), ["claim", "list", "release"]);
  assert.deepEqual(complete("namespace", "--network", "local", ""), ["claim", "list", "release"]);
  assert.deepEqual(complete("namespace", "claim", ""), [], "a namespace name is free text");
  assert.deepEqual(complete("pod", "create", "web", "--ima"), ["--image"]);
  assert.deepEqual(complete("get", "pods", "--context", ""), ["alpha", "beta"]);
  assert.deepEqual(complete("config", "use-context", "b"), ["beta"]);
  assert.deepEqual(complete("config", ""), [
    ...(COMMANDS.find((c) => c.name === "config")?.actions ?? []),
  ]);
  assert.deepEqual(complete("apply", "-f", join(dir, "completion.ba")), [file]);
  assert.deepEqual(complete("get", "--network", ""), [], "a flag's free value");
  assert.deepEqual(complete("completion", ""), ["bash", "zsh", "fish"]);
});

test("zsh and fish complete commands, actions, flags and context names", async (t) => {
  await runCli(["config", "set-context", "alpha", "--network", "local"], { env });
  const contexts = (await runCli(["config", "get-contexts", "-o", "name"], { env })).stdout
    .split("\n")
    .filter(Boolean);
  assert.ok(contexts.includes("alpha"));
  if (installed("zsh")) {
    const file = await script("zsh");
    // The completion system's builtins, stubbed to print what they were offered.
    const stubs = [
      "compdef() { : }",
      'compadd() { [[ $1 == -- ]] && shift; print -r -- "$*" }',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh parameter expansion
      '_describe() { print -r -- "${(j: :)${(@)${(P)4}%%:*}}" }',
      '_files() { print -r -- "(files)" }',
    ].join("\n");
    const complete = (...words: string[]) =>
      inShell(
        "zsh",
        `${stubs}\nsource ${file}\nwords=(${["k8s-daas", ...words].map((word) => `'${word}'`).join(" ")}); CURRENT=${words.length + 1}; _k8s-daas || print "(none)"`,
      ).trim();
    assert.equal(complete(""), COMMANDS.map((command) => command.name).join(" "));
    assert.equal(complete("keys", ""), "new import list");
    assert.match(complete("deploy", "api", "--re"), /(^| )--replicas( |$)/);
    assert.equal(complete("namespace", "list", "--context", ""), contexts.join(" "));
    assert.equal(complete("apply", "-f", ""), "(files)");
    assert.equal(complete("get", "--network", ""), "(none)");
  } else t.diagnostic("zsh is not installed here: its completion is not exercised");
  if (installed("fish")) {
    const file = await script("fish");
    const complete = (line: string) =>
      inShell("fish", `source ${file}; complete -C '${line}'`)
        .split("\n")
        .filter(Boolean)
        .map((entry) => entry.split("\t")[0]);
    assert.deepEqual(complete("k8s-daas nam"), ["namespace"]);
    assert.deepEqual(complete("k8s-daas cluster "), ["create", "enclave", "prices", "status"]);
    assert.deepEqual(complete("k8s-daas pod create web --ima"), ["--image"]);
    assert.deepEqual(complete("k8s-daas config use-context "), contexts);
    assert.deepEqual(complete("k8s-daas get pods --context "), contexts);
  } else t.diagnostic("fish is not installed here: its completion is not exercised");
});
