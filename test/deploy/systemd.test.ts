// The systemd units in deploy/systemd: systemd's own parser accepts them without a warning,
// nautilus-control's unit stays hardened, and their config files name only settings the
// programs read.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { controlSettings, workerSettings } from "../../scripts/config-reference.ts";
import { workerCommand } from "../../src/cli/commands/worker.ts";
import { KEY_ENV } from "../../src/cli/worker-options.ts";
import { defaultConfig } from "../../src/control/config.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";
import { runCommand } from "../../src/k8s/testenv/run-command.ts";

const UNITS_DIR = join(repoRoot, "deploy", "systemd");
const UNITS = ["nautilus-control.service", "k8s-daas-worker.service"];
/** Where the distribution keeps its units (sysinit.target and the rest a unit depends on). */
const SYSTEM_UNITS = ["/usr/lib/systemd/system", "/lib/systemd/system"];

function hasSystemdAnalyze(): boolean {
  try {
    execFileSync("systemd-analyze", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** `KEY=VALUE` lines of an environment file. */
function envFile(text: string): Map<string, string> {
  const entries = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return new Map(entries);
}

/** The directives of a unit file, continuation lines joined. */
function directives(text: string): [string, string][] {
  return text
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .filter((line) => /^[A-Z]\w*=/.test(line))
    .map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at), line.slice(at + 1)];
    });
}

const analyze = hasSystemdAnalyze();

describe("systemd units", { skip: analyze ? false : "systemd-analyze is not installed" }, () => {
  let root: string;

  before(async () => {
    // An alternate root for systemd-analyze: the units where systemd looks for them, the
    // distribution's units they depend on, and an empty executable at each path the units
    // run (verify checks that those exist; the programs are not installed on this machine).
    root = await mkdtemp(join(tmpdir(), "k8s-daas-systemd-"));
    await mkdir(join(root, "etc/systemd/system"), { recursive: true });
    const systemUnits = SYSTEM_UNITS.find((dir) => existsSync(join(dir, "sysinit.target")));
    assert.ok(systemUnits, "no distribution units found");
    await cp(systemUnits, join(root, "usr/lib/systemd/system"), { recursive: true });
    for (const unit of UNITS) {
      const text = await readFile(join(UNITS_DIR, unit), "utf8");
      await writeFile(join(root, "etc/systemd/system", unit), text);
      for (const [key, value] of directives(text)) {
        if (!key.startsWith("Exec")) continue;
        const program = value.replace(/^[-@:+!]+/, "").split(/\s+/)[0] ?? "";
        await mkdir(join(root, dirname(program)), { recursive: true });
        await writeFile(join(root, program), "#!/bin/sh\n");
        await chmod(join(root, program), 0o755);
      }
    }
  });

  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("systemd-analyze verify accepts both units without a single complaint", async () => {
    const result = await runCommand("systemd-analyze", ["verify", `--root=${root}`, ...UNITS]);
    // A misspelt directive or value is only a warning ("…, ignoring"): any output fails.
    assert.equal(`${result.stdout}${result.stderr}`.trim(), "");
    assert.equal(result.code, 0);
  });

  it("nautilus-control's unit keeps a low exposure score; the worker's is what k3s needs", async (t) => {
    const score = async (unit: string) => {
      const result = await runCommand("systemd-analyze", [
        "security",
        "--offline=yes",
        `--root=${root}`,
        "--no-pager",
        unit,
      ]);
      const match = /Overall exposure level for \S+: ([\d.]+)/.exec(result.stdout);
      assert.ok(match?.[1], result.stdout + result.stderr);
      return Number(match[1]);
    };
    const control = await score("nautilus-control.service");
    const worker = await score("k8s-daas-worker.service");
    t.diagnostic(`exposure: nautilus-control ${control}, k8s-daas-worker ${worker} (k3s agent)`);
    assert.ok(control <= 2, `nautilus-control.service exposure ${control} > 2`);
  });
});

describe("the units' config files", () => {
  it("nautilus-control.env and the unit set only settings nautilus-control reads", async () => {
    const known = new Set([
      ...controlSettings().map((setting) => setting.env),
      ...workerSettings().map((setting) => setting.env),
      // Where the operator key is read from by default (the operatorKeyEnv setting).
      String(defaultConfig().operatorKeyEnv),
    ]);
    const env = envFile(await readFile(join(UNITS_DIR, "nautilus-control.env"), "utf8"));
    const unit = directives(await readFile(join(UNITS_DIR, "nautilus-control.service"), "utf8"));
    const fromUnit = unit
      .filter(([key, value]) => key === "Environment" && value.startsWith("K8S_DAAS_"))
      .map(([, value]) => value.slice(0, value.indexOf("=")));
    const names = [...env.keys(), ...fromUnit];
    assert.ok(names.includes("K8S_DAAS_PACKAGE_ID") && names.includes("K8S_DAAS_OPERATOR_KEY"));
    assert.deepEqual(
      names.filter((name) => !known.has(name)),
      [],
    );
  });

  it("the worker unit passes only flags `k8s-daas worker` has, from variables its env file sets", async () => {
    const env = envFile(await readFile(join(UNITS_DIR, "k8s-daas-worker.env"), "utf8"));
    const unit = directives(await readFile(join(UNITS_DIR, "k8s-daas-worker.service"), "utf8"));
    const start = unit.find(([key]) => key === "ExecStart")?.[1] ?? "";
    assert.match(start, /\bworker run\b/);
    const flags = [...start.matchAll(/--([a-z][\w-]*)/g)].map((m) => m[1] ?? "");
    assert.deepEqual(
      flags.filter((flag) => !(flag in workerCommand.options)),
      [],
    );
    const variables = [...start.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] ?? "");
    assert.deepEqual(
      variables.filter((name) => !env.has(name)),
      [],
    );
    assert.ok(env.has(KEY_ENV), `${KEY_ENV} (the owner key) is in the env file`);
  });
});
