// `npm run move:build`: compiles move/ with the real Sui compiler (WASM), writes the
// bytecode modules to move/build/k8s_daas/bytecode_modules/ (plus a publish payload
// JSON), and checks that the seed's entry points are present in the bytecode.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { moduleName } from "./bytecode.ts";
import { compileAndCheck } from "./compile.ts";
import { HOW_TO_PROVIDE_FRAMEWORK } from "./framework-location.ts";
import { MOVE_PACKAGE_DIR, prepareMoveInput, SEED_ENTRY_POINTS } from "./move-package.ts";

const prepared = await prepareMoveInput();
if (!prepared.ok) {
  console.error(`move:build: ${prepared.reason}; ${HOW_TO_PROVIDE_FRAMEWORK}`);
  process.exit(2);
}
const outcome = await compileAndCheck(prepared.input);
if (!outcome.ok) {
  console.error(`move:build: ${outcome.message}`);
  process.exit(1);
}
if (outcome.warnings) console.warn(outcome.warnings);

const packageDir = join(MOVE_PACKAGE_DIR, "build", "k8s_daas");
const modulesDir = join(packageDir, "bytecode_modules");
rmSync(modulesDir, { recursive: true, force: true });
mkdirSync(modulesDir, { recursive: true });
for (const bytes of outcome.modules)
  writeFileSync(join(modulesDir, `${moduleName(bytes)}.mv`), bytes);
const payload = {
  modules: outcome.modulesBase64,
  dependencies: outcome.dependencies,
  digest: outcome.digest,
};
writeFileSync(join(packageDir, "publish.json"), `${JSON.stringify(payload, null, 2)}\n`);
console.log(
  `move:build: framework from ${prepared.frameworkFrom}; ${outcome.modules.length} modules (${outcome.modules.map(moduleName).join(", ")}) -> ${modulesDir}; seed entry points present: ${SEED_ENTRY_POINTS.join(", ")}`,
);
