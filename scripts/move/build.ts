// `npm run move:build`: compiles move/ with the real Sui compiler (WASM), writes the
// bytecode modules to move/build/k8s_daas/bytecode_modules/, and checks that the seed's
// entry points are present in the bytecode.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dumpMovePackage } from "@zktx.io/sui-move-builder/full";
import { missingIdentifiers, moduleName } from "./bytecode.ts";
import { HOW_TO_PROVIDE_FRAMEWORK } from "./framework-location.ts";
import { MOVE_PACKAGE_DIR, prepareMoveInput, SEED_ENTRY_POINTS } from "./move-package.ts";

const prepared = await prepareMoveInput();
if (!prepared.ok) {
  console.error(`move:build: ${prepared.reason}; ${HOW_TO_PROVIDE_FRAMEWORK}`);
  process.exit(2);
}
const result = await dumpMovePackage(prepared.input);
if ("error" in result) {
  console.error(`move:build failed (${result.category ?? "unknown"}):\n${result.error}`);
  process.exit(1);
}
if (result.warnings) console.warn(result.warnings);

const outDir = join(MOVE_PACKAGE_DIR, "build", "k8s_daas", "bytecode_modules");
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const modules = result.modules.map((b64) => Buffer.from(b64, "base64"));
for (const bytes of modules) writeFileSync(join(outDir, `${moduleName(bytes)}.mv`), bytes);
writeFileSync(
  join(MOVE_PACKAGE_DIR, "build", "k8s_daas", "package.json"),
  `${JSON.stringify({ modules: result.modules, dependencies: result.dependencies, digest: result.digest }, null, 2)}\n`,
);

const missing = missingIdentifiers(modules, SEED_ENTRY_POINTS);
if (missing.length > 0) {
  console.error(`move:build: compiled bytecode lacks seed entry points: ${missing.join(", ")}`);
  process.exit(1);
}
console.log(
  `move:build: ${modules.length} modules (${modules.map(moduleName).join(", ")}) -> ${outDir}; seed entry points present: ${SEED_ENTRY_POINTS.join(", ")}`,
);
