// Compiles move/ with the real Sui Move compiler (WASM) for tests that publish it, optionally
// with source edits, so a test can publish a package that differs from k8s_daas.
import { compileAndCheck } from "../../scripts/move/compile.ts";
import { prepareMoveInput } from "../../scripts/move/move-package.ts";

export interface CompiledPackage {
  modules: string[];
  dependencies: string[];
}

/**
 * The compiled package, or the reason it cannot be compiled here (no Sui framework).
 * `edit` maps a source path (`sources/cluster.move`) to a function of its text.
 */
export async function compilePackage(
  edit: Record<string, (source: string) => string> = {},
): Promise<CompiledPackage | { skip: string }> {
  const prepared = await prepareMoveInput();
  if (!prepared.ok) return { skip: `the Move package cannot be compiled: ${prepared.reason}` };
  const files = { ...prepared.input.files };
  for (const [path, change] of Object.entries(edit)) {
    const source = files[path];
    if (source === undefined) throw new Error(`no ${path} in the Move package`);
    files[path] = change(source);
  }
  const outcome = await compileAndCheck({ ...prepared.input, files });
  if (!outcome.ok) throw new Error(outcome.message);
  return { modules: outcome.modulesBase64, dependencies: outcome.dependencies };
}
