// `npm run move:test`: runs the package's Move unit tests with the real Sui test runner
// (WASM), then compiles the package for publishing and checks the seed's entry points are
// in the bytecode. Without framework sources it prints one SKIPPED line and exits 0, so
// `npm test` still works on a machine that has never fetched them.
import { testMovePackage } from "@zktx.io/sui-move-builder/full";
import { compileAndCheck } from "./compile.ts";
import { HOW_TO_PROVIDE_FRAMEWORK } from "./framework-location.ts";
import { prepareMoveInput, SEED_ENTRY_POINTS } from "./move-package.ts";

const prepared = await prepareMoveInput();
if (!prepared.ok) {
  console.log(`move:test: SKIPPED: ${prepared.reason}; ${HOW_TO_PROVIDE_FRAMEWORK}`);
  process.exit(0);
}
console.log(`move:test: framework from ${prepared.frameworkFrom}`);
const result = await testMovePackage(prepared.input);
if ("error" in result) {
  console.error(`move:test could not run (${result.category ?? "unknown"}):\n${result.error}`);
  process.exit(1);
}
process.stdout.write(result.output);
if (!result.passed) process.exit(1);

const outcome = await compileAndCheck(prepared.input);
if (!outcome.ok) {
  console.error(`move:test: ${outcome.message}`);
  process.exit(1);
}
console.log(
  `move:test: publish build OK; seed entry points present: ${SEED_ENTRY_POINTS.join(", ")}`,
);
