// `npm run move:test`: runs the package's Move unit tests with the real Sui test runner
// (WASM). Without framework sources it prints one SKIPPED line and exits 0, so `npm test`
// still works on a machine that has never fetched them.
import { testMovePackage } from "@zktx.io/sui-move-builder/full";
import { HOW_TO_PROVIDE_FRAMEWORK } from "./framework-location.ts";
import { prepareMoveInput } from "./move-package.ts";

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
