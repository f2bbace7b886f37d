import { access, mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { buildInfo, runsFromSource } from "../../install/index.ts";
import { TestenvError } from "./errors.ts";
import { goModuleDir, projectCacheDir, repoRoot } from "./paths.ts";
import { runCommand } from "./run-command.ts";
import { sourceHash } from "./source-hash.ts";

export interface BuiltBinary {
  /** Absolute path of the kube-testenv binary in the cache. */
  readonly path: string;
  readonly hash: string;
  /** True when this call compiled it (cache miss). */
  readonly built: boolean;
  /** Seconds spent compiling; 0 on a cache hit. */
  readonly buildSeconds: number;
}

export interface EnsureBuiltOptions {
  /** Progress sink; defaults to stderr. Pass `() => {}` to silence. */
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

const PROGRESS_INTERVAL_MS = 15_000;

/**
 * Upstream helm (Helm v3 keeps its command in a main package, so it cannot join the
 * multi-call binary as a library): built by the same `go build`, placed beside kube-testenv,
 * and run through `kube-testenv helm`. Pinned by the `tool` directive in go.mod.
 */
const HELM_PACKAGE = "helm.sh/helm/v3/cmd/helm";
const MAIN_PACKAGES = [".", HELM_PACKAGE];

/**
 * Returns the kube-testenv binary for the current sources, compiling it on a cache miss.
 * The cache lives outside the repo, keyed by a hash of go.mod, go.sum and the sources, so
 * every checkout and worktree on the machine shares one build per source state.
 */
export async function ensureBuilt(options: EnsureBuiltOptions = {}): Promise<BuiltBinary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = { ...(options.env ?? process.env), GOTOOLCHAIN: "local" };
  const goVersion = await goToolchainVersion(env);
  const hash = await sourceHash(goModuleDir, goVersion);
  const dir = join(projectCacheDir(env), "kube-testenv", hash);
  const path = join(dir, "kube-testenv");
  if (await exists(path)) return { path, hash, built: false, buildSeconds: 0 };

  await mkdir(dir, { recursive: true });
  // Built into a private directory and renamed, helm first: kube-testenv at the cached path
  // means both binaries are complete, whatever a concurrent or interrupted build left.
  const partial = await mkdtemp(join(dir, `.partial-${process.pid}-`));
  const started = performance.now();
  const total = await countPackages(env);
  log(
    `kube-testenv: cache miss (${hash}); compiling ${total} Go packages into ${dir} ` +
      "(a cold build takes 10-25 minutes on 2 cores; later builds reuse the Go build cache)",
  );
  let compiled = 0;
  const ticker = setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    log(`kube-testenv: ${seconds}s, ${compiled} packages compiled so far (${total} in total)`);
  }, PROGRESS_INTERVAL_MS);
  try {
    const ldflags = await linkerFlags(hash);
    const result = await runCommand(
      "go",
      ["build", "-trimpath", "-v", "-ldflags", ldflags, "-o", `${partial}/`, ...MAIN_PACKAGES],
      {
        cwd: goModuleDir,
        env,
        onStderrLine: () => {
          compiled += 1;
        },
      },
    );
    if (result.code !== 0) {
      throw new TestenvError(
        "TESTENV_BUILD_FAILED",
        `go build of tools/kube-testenv failed (exit ${result.code}):\n${tail(result.stderr, 40)}`,
      );
    }
    await rename(join(partial, "helm"), join(dir, "helm"));
    await rename(join(partial, "kube-testenv"), path);
  } finally {
    clearInterval(ticker);
    await rm(partial, { recursive: true, force: true });
  }
  const buildSeconds = (performance.now() - started) / 1000;
  log(`kube-testenv: built in ${buildSeconds.toFixed(1)}s -> ${path}`);
  return { path, hash, built: true, buildSeconds };
}

async function goToolchainVersion(env: NodeJS.ProcessEnv): Promise<string> {
  let result: Awaited<ReturnType<typeof runCommand>>;
  try {
    result = await runCommand("go", ["env", "GOVERSION"], { cwd: goModuleDir, env });
  } catch (error) {
    throw new TestenvError(
      "TESTENV_GO_MISSING",
      "the Go toolchain (go 1.26+) is needed to build tools/kube-testenv but `go` was not found on PATH",
      { cause: error },
    );
  }
  if (result.code !== 0) {
    throw new TestenvError(
      "TESTENV_GO_MISSING",
      `go env GOVERSION failed: ${result.stderr.trim()}`,
    );
  }
  return result.stdout.trim();
}

async function countPackages(env: NodeJS.ProcessEnv): Promise<number> {
  const result = await runCommand("go", ["list", "-deps", ...MAIN_PACKAGES], {
    cwd: goModuleDir,
    env,
  });
  return result.code === 0 ? result.stdout.trim().split("\n").length : 0;
}

/** Versions of the upstream modules, read from go.mod so the binary reports what it holds. */
export async function moduleVersions(): Promise<{
  kubernetes: string;
  etcd: string;
  kwok: string;
  helm: string;
}> {
  const goMod = await readFile(join(goModuleDir, "go.mod"), "utf8");
  const versionOf = (module: string): string => {
    const escaped = module.replaceAll(".", "\\.").replaceAll("/", "\\/");
    const match = new RegExp(`^\\s*${escaped}\\s+(v\\S+)`, "m").exec(goMod);
    return match?.[1] ?? "unknown";
  };
  return {
    kubernetes: versionOf("k8s.io/kubernetes"),
    etcd: versionOf("go.etcd.io/etcd/server/v3"),
    kwok: versionOf("sigs.k8s.io/kwok"),
    helm: versionOf("helm.sh/helm/v3"),
  };
}

async function linkerFlags(hash: string): Promise<string> {
  const versions = await moduleVersions();
  const git = await gitState();
  const [major = "", minor = ""] = versions.kubernetes.replace(/^v/, "").split(".");
  const componentBase = "k8s.io/component-base/version";
  const stamps: Record<string, string> = {
    [`${componentBase}.gitVersion`]: versions.kubernetes,
    [`${componentBase}.gitMajor`]: major,
    [`${componentBase}.gitMinor`]: minor,
    [`${componentBase}.gitTreeState`]: "clean",
    [`${componentBase}.buildDate`]: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    "sigs.k8s.io/kwok/pkg/consts.Version": versions.kwok.replace(/^v/, ""),
    // As Helm's Makefile stamps them: its version, and the Kubernetes release its libraries
    // are (what `helm template` and `helm lint` assume when no cluster is asked).
    "helm.sh/helm/v3/internal/version.version": versions.helm,
    "helm.sh/helm/v3/internal/version.gitTreeState": "clean",
    "helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor": major,
    "helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor": minor,
    "helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor": major,
    "helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor": minor,
    "main.kubernetesVersion": versions.kubernetes,
    "main.etcdVersion": versions.etcd,
    "main.kwokVersion": versions.kwok,
    "main.helmVersion": versions.helm,
    "main.sourceHash": hash,
    "main.gitState": git,
  };
  const assignments = Object.entries(stamps).map(([name, value]) => `-X '${name}=${value}'`);
  // -s -w: no symbol table or DWARF; the binary is a test tool and this saves ~40% size.
  return ["-s", "-w", ...assignments].join(" ");
}

/** Commit of this repo and whether tools/kube-testenv had uncommitted changes when built. */
async function gitState(): Promise<string> {
  // An installed package is no checkout (git would answer for whatever repo encloses it).
  if (!runsFromSource) return buildInfo().commit;
  try {
    const head = await runCommand("git", ["rev-parse", "--short=12", "HEAD"], { cwd: repoRoot });
    if (head.code !== 0) return "unknown";
    const status = await runCommand("git", ["status", "--porcelain", "--", "tools/kube-testenv"], {
      cwd: repoRoot,
    });
    const dirty = status.stdout.trim() !== "" ? "-dirty" : "";
    return `${head.stdout.trim()}${dirty}`;
  } catch {
    return "unknown";
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function tail(text: string, lines: number): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}
