import { type Figure, printReport, type Suite } from "./report.ts";
import { billingSuite } from "./suites/billing.ts";
import { chainSuite } from "./suites/chain.ts";
import { controlSuite } from "./suites/control.ts";
import { devnetSuite } from "./suites/devnet.ts";
import { e2eSuite } from "./suites/e2e.ts";
import { sealingSuite } from "./suites/sealing.ts";
import { streamsSuite } from "./suites/streams.ts";
import { tlsSuite } from "./suites/tls.ts";
import { workersSuite } from "./suites/workers.ts";

/**
 * `npm run bench [suite…]`: runs the suites (all by default), each measuring our figure and
 * its baseline in the same run, on this machine, then prints a table and BENCH lines.
 */
const SUITES: readonly Suite[] = [
  devnetSuite,
  chainSuite,
  controlSuite,
  workersSuite,
  e2eSuite,
  sealingSuite,
  billingSuite,
  streamsSuite,
  tlsSuite,
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !SUITES.some((suite) => suite.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown suite(s): ${unknown.join(", ")}; known: ${SUITES.map((s) => s.name).join(", ")}`,
  );
  process.exit(2);
}
const figures: Figure[] = [];
const failed: string[] = [];
for (const suite of SUITES) {
  if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
  console.error(`bench: ${suite.name}: ${suite.description}`);
  const started = performance.now();
  // A failing suite is reported and the others still run: their figures are not lost.
  try {
    figures.push(...(await suite.run()));
  } catch (error) {
    failed.push(suite.name);
    console.error(`bench: ${suite.name} FAILED:`, error);
    continue;
  }
  console.error(
    `bench: ${suite.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
printReport(figures);
if (failed.length > 0) {
  console.error(`bench: failed suite(s): ${failed.join(", ")}`);
  process.exitCode = 1;
}
