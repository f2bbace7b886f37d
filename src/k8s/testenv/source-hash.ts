import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

/** Files whose content decides the binary: module files, Go sources and embedded stages. */
function isBuildInput(name: string): boolean {
  return name === "go.mod" || name === "go.sum" || name.endsWith(".go") || name.endsWith(".yaml");
}

async function listBuildInputs(dir: string, root: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "bin") files.push(...(await listBuildInputs(path, root)));
    } else if (isBuildInput(entry.name)) {
      files.push(relative(root, path));
    }
  }
  return files.sort();
}

/**
 * A short content hash of the Go module plus the toolchain version: the cache key of a
 * built binary. Any change to go.mod, go.sum, a Go source or a stage file gives a new key.
 */
export async function sourceHash(moduleDir: string, goVersion: string): Promise<string> {
  const hash = createHash("sha256");
  hash.update(`toolchain ${goVersion}\n`);
  for (const file of await listBuildInputs(moduleDir, moduleDir)) {
    hash.update(`file ${file}\n`);
    hash.update(await readFile(join(moduleDir, file)));
    hash.update("\n");
  }
  return hash.digest("hex").slice(0, 16);
}
