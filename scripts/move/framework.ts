// `npm run move:framework -- <Sui git checkout | git dir>`: copies the Sui framework
// packages (move-stdlib, sui-framework) into the default cache folder, where move:build
// and move:test find them without any environment variable. Reads a git directory with
// plumbing commands (ls-tree, cat-file) so no work tree is needed and unrelated broken
// objects elsewhere in the repository do not matter. Never modifies the source.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  defaultFrameworkCacheDir,
  FRAMEWORK_PACKAGES,
  FRAMEWORK_SUBDIR,
  isFrameworkDir,
} from "./framework-location.ts";

/** Thrown when the argument is neither a Sui checkout nor a Sui git directory. */
class FrameworkSourceError extends Error {
  readonly code = "MOVE_FRAMEWORK_SOURCE";
  constructor(message: string) {
    super(message);
    this.name = "FrameworkSourceError";
  }
}

function isGitDir(path: string): boolean {
  return existsSync(join(path, "HEAD")) && existsSync(join(path, "objects"));
}

function copyFromWorkTree(packagesDir: string, target: string): void {
  for (const name of FRAMEWORK_PACKAGES) {
    cpSync(join(packagesDir, name), join(target, name), { recursive: true });
  }
}

function copyFromGit(gitDir: string, target: string): number {
  const git = (...args: string[]) =>
    execFileSync("git", ["--git-dir", gitDir, ...args], { maxBuffer: 256 * 1024 * 1024 });
  const paths = FRAMEWORK_PACKAGES.map((name) => `${FRAMEWORK_SUBDIR}/${name}`);
  const listing = git("ls-tree", "-r", "-z", "HEAD", "--", ...paths).toString("utf8");
  let copied = 0;
  for (const line of listing.split("\0")) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(line);
    if (!match) continue;
    const [, sha, path] = match as unknown as [string, string, string];
    const out = join(target, path.slice(FRAMEWORK_SUBDIR.length + 1));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, git("cat-file", "blob", sha));
    copied++;
  }
  return copied;
}

function main(): void {
  const source = process.argv[2];
  if (!source) {
    throw new FrameworkSourceError(
      "usage: npm run move:framework -- <path to a Sui git checkout or its git dir>",
    );
  }
  const target = defaultFrameworkCacheDir();
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const packagesDir = [join(source, FRAMEWORK_SUBDIR), source].find(isFrameworkDir);
    if (packagesDir) {
      copyFromWorkTree(packagesDir, staging);
    } else {
      const gitDir = [source, join(source, ".git")].find(isGitDir);
      if (!gitDir) {
        throw new FrameworkSourceError(
          `${source} is neither a Sui checkout (no ${FRAMEWORK_SUBDIR}) nor a git directory`,
        );
      }
      if (copyFromGit(gitDir, staging) === 0) {
        throw new FrameworkSourceError(
          `${gitDir}: HEAD has no ${FRAMEWORK_SUBDIR}/{move-stdlib,sui-framework}`,
        );
      }
    }
    if (!isFrameworkDir(staging)) {
      throw new FrameworkSourceError(
        `${source}: copied files lack a Move.toml per framework package`,
      );
    }
    rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    renameSync(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  console.log(`move:framework: Sui framework packages copied to ${target}`);
}

try {
  main();
} catch (error) {
  console.error(`move:framework: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
