// The layering of DESIGN.md, checked on the source itself: every import of a file under
// src/ points to its own folder or to a lower layer, and no chain of imports (static or
// lazy `import()`) leads back to where it started.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** Layer of each top-level folder of src/: a folder may import only from lower layers. */
const LAYERS: Record<string, number> = {
  shared: 0,
  install: 0,
  protocol: 1,
  chain: 2,
  devnet: 2,
  tee: 2,
  k8s: 3,
  seal: 3,
  worker: 4,
  control: 4,
  gateway: 5,
  // The CLI runs the gateway (`k8s-daas proxy`) and shares its sealing and reply keys.
  cli: 6,
};

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Relative imports of `file`, resolved to absolute paths (packages are not ours to check). */
export function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2];
    if (specifier?.startsWith(".")) found.push(resolve(dirname(file), specifier));
  }
  return found;
}

function folderOf(file: string): string {
  return relative(SRC, file).split("/")[0] ?? "";
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file, readFileSync(file, "utf8"))]));

test("every src folder has a layer", () => {
  const folders = new Set(files.map(folderOf).filter((folder) => !folder.endsWith(".ts")));
  for (const folder of folders) assert.ok(folder in LAYERS, `src/${folder} has no layer`);
});

test("imports point to the same folder or down", () => {
  const upward: string[] = [];
  for (const [file, imports] of graph) {
    const from = folderOf(file);
    for (const target of imports) {
      const to = folderOf(target);
      if (!target.startsWith(`${SRC}/`)) {
        upward.push(`${relative(SRC, file)} imports ${relative(SRC, target)} (outside src/)`);
      } else if (to !== from && (LAYERS[to] ?? 99) >= (LAYERS[from] ?? -1)) {
        upward.push(`${relative(SRC, file)} (${from}) imports ${relative(SRC, target)} (${to})`);
      }
    }
  }
  assert.deepEqual(upward, [], `imports against the layering:\n${upward.join("\n")}`);
});

test("no import cycles between files", () => {
  const cycles = findCycles(graph);
  const shown = cycles.map((cycle) => cycle.map((file) => relative(SRC, file)).join(" -> "));
  assert.deepEqual(shown, [], `import cycles:\n${shown.join("\n")}`);
});

/** Strongly connected components with more than one file (or a file importing itself). */
function findCycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowLinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lowLinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        lowLinks.set(node, Math.min(lowLinks.get(node) ?? 0, lowLinks.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowLinks.set(node, Math.min(lowLinks.get(node) ?? 0, indices.get(next) ?? 0));
      }
    }
    if (lowLinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      const selfLoop = (edges.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) cycles.push(component.reverse());
    }
  };
  for (const node of edges.keys()) if (!indices.has(node)) visit(node);
  return cycles;
}

test("the checker sees an upward import and a cycle", () => {
  const a = join(SRC, "k8s/a.ts");
  const b = join(SRC, "k8s/b.ts");
  assert.deepEqual(importsOf(a, 'import { x } from "../control/y.ts";\nawait import("./b.ts");'), [
    join(SRC, "control/y.ts"),
    b,
  ]);
  assert.equal(
    findCycles(
      new Map([
        [a, [b]],
        [b, [a]],
      ]),
    ).length,
    1,
  );
});
