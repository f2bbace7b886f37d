// Compiles the package to bytecode and checks the seed's entry points survived; shared by
// move:build (which writes the modules) and move:test (which only checks).
import { dumpMovePackage, type MovePackageInput } from "@zktx.io/sui-move-builder/full";
import { missingIdentifiers } from "./bytecode.ts";
import { SEED_ENTRY_POINTS } from "./move-package.ts";

export type CompileOutcome =
  | {
      ok: true;
      modules: Uint8Array[];
      modulesBase64: string[];
      dependencies: string[];
      digest: number[];
      warnings: string | undefined;
    }
  | { ok: false; message: string };

/** Compiles `input`; fails when the compiler does or when a seed entry point is missing. */
export async function compileAndCheck(input: MovePackageInput): Promise<CompileOutcome> {
  const result = await dumpMovePackage(input);
  if ("error" in result) {
    return {
      ok: false,
      message: `compile failed (${result.category ?? "unknown"}):\n${result.error}`,
    };
  }
  const modules = result.modules.map((b64) => new Uint8Array(Buffer.from(b64, "base64")));
  const missing = missingIdentifiers(modules, SEED_ENTRY_POINTS);
  if (missing.length > 0) {
    return {
      ok: false,
      message: `compiled bytecode lacks seed entry points: ${missing.join(", ")}`,
    };
  }
  return {
    ok: true,
    modules,
    modulesBase64: result.modules,
    dependencies: result.dependencies,
    digest: result.digest,
    warnings: result.warnings,
  };
}
