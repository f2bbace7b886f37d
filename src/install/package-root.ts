import { existsSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Whether this copy runs from its TypeScript sources (a clone) rather than from the
 * JavaScript compiled into an npm package: Node strips types only outside node_modules, so
 * an installed package always runs compiled code.
 */
export const runsFromSource: boolean = import.meta.url.endsWith(".ts");

/**
 * The folder holding k8s-daas' package.json: the clone's root, or the installed package's
 * folder. Found by walking up, because compiled code sits one level deeper (dist/) than the
 * sources it came from.
 */
export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) {
      throw new Error(`no package.json above ${start}: k8s-daas is not installed as a package`);
    }
  }
}

/** A file of the package by its path in the repository (`tools/kube-testenv`, `move/…`). */
export function packageFile(...segments: string[]): string {
  return join(packageRoot, ...segments);
}

/**
 * The path of another module of this package, relative to `base` (a module's
 * `import.meta.url`) and without extension: it gets the caller's own extension, so a
 * process spawned from the sources runs sources and one spawned from the compiled package
 * runs compiled code.
 */
export function moduleBeside(base: string, relative: string): string {
  return fileURLToPath(new URL(`${relative}${extname(fileURLToPath(base))}`, base));
}
