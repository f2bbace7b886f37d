// `npm pack`: the tarball holds compiled JavaScript for every module (no TypeScript, which
// Node will not strip under node_modules), kube-testenv's Go sources exactly as the cache key
// sees them, the commit it was packed from, and it runs. (.ci/pack.sh installs it globally
// and runs the demo with it.)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { locateFramework } from "../../scripts/move/framework-location.ts";
import { packageRoot } from "../../src/install/index.ts";
import { goModuleDir } from "../../src/k8s/testenv/paths.ts";
import { sourceHash } from "../../src/k8s/testenv/source-hash.ts";

const dir = mkdtempSync(join(tmpdir(), "k8s-daas-pack-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, args: string[], options: { cwd?: string; env?: object } = {}) {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? dir,
    env: { ...process.env, ...options.env },
    encoding: "utf8",
  });
  assert.equal(result.status, 0, `${command} ${args.join(" ")}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function typescriptModules(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(packageRoot, join(entry.parentPath, entry.name)));
}

test("npm pack ships compiled JavaScript for every module, kube-testenv's sources and the commit, and it runs", async () => {
  const [packed] = JSON.parse(
    run("npm", ["pack", "--pack-destination", dir, "--json"], { cwd: packageRoot }),
  ) as { filename: string; files: { path: string }[] }[];
  assert.ok(packed);
  const files = new Set(packed.files.map((file) => file.path));

  assert.deepEqual(
    [...files].filter((path) => path.endsWith(".ts")),
    [],
    "no TypeScript: Node will not strip types under node_modules",
  );
  for (const module of [...typescriptModules(join(packageRoot, "src")), "bin/k8s-daas.ts"]) {
    const compiled = `dist/${module.replace(/\.ts$/, ".js")}`;
    assert.ok(files.has(compiled), `${module} is compiled into ${compiled}`);
  }
  for (const path of ["bin/k8s-daas.js", "bin/nautilus-control.js", "package.json", "README.md"]) {
    assert.ok(files.has(path), path);
  }
  if (locateFramework().found) {
    assert.ok(files.has("move/build/k8s_daas/publish.json"), "the compiled Move package");
  }

  const extracted = join(dir, "extracted");
  mkdirSync(extracted);
  run("tar", ["-xzf", join(dir, packed.filename), "-C", extracted]);
  const installed = join(extracted, "package");
  assert.equal(
    await sourceHash(join(installed, "tools", "kube-testenv"), "go"),
    await sourceHash(goModuleDir, "go"),
    "the installed CLI finds the kube-testenv binary the clone built (same cache key)",
  );

  const head = run("git", ["rev-parse", "--short=12", "HEAD"], { cwd: packageRoot }).trim();
  const { commit } = JSON.parse(
    readFileSync(join(installed, "dist", "src", "install", "build-info.json"), "utf8"),
  ) as { commit: string };
  assert.match(commit, new RegExp(`^${head}(-dirty)?$`));

  // The dependencies npm would install beside it; then the package's own launchers run.
  symlinkSync(join(packageRoot, "node_modules"), join(installed, "node_modules"));
  const env = {
    XDG_CONFIG_HOME: join(dir, "config"),
    XDG_DATA_HOME: join(dir, "data"),
    K8S_DAAS_CONFIG: undefined,
    K8S_DAAS_CONTEXT: undefined,
    K8S_DAAS_DATA_DIR: undefined,
    K8S_DAAS_PACKAGE_ID: undefined,
  };
  const k8sDaas = (...args: string[]) => run(join(installed, "bin", "k8s-daas.js"), args, { env });
  assert.match(k8sDaas("--help"), /^Usage: k8s-daas <command>/m);
  assert.match(k8sDaas("config", "set-context", "t", "--package-id", "0x5"), /created in /);
  assert.equal(k8sDaas("config", "use-context", "t"), 'switched to context "t"\n');
  const version = k8sDaas("--version");
  assert.match(version, new RegExp(`^commit {4}${commit}$`, "m"));
  assert.match(version, /^package {3}0x0{63}5 {3}\(context "t"\)$/m);
  assert.match(version, /\(the npm package: compiled JavaScript\)$/m);
  assert.match(
    version,
    new RegExp(`^config {4}${join(dir, "config", "k8s-daas", "config.json")}$`, "m"),
  );
  assert.match(version, new RegExp(`^data dir  ${join(dir, "data", "k8s-daas")} `, "m"));
  assert.match(
    run(join(installed, "bin", "nautilus-control.js"), ["--help"], { env }),
    /^Usage: k8s-daas control /m,
  );
});
