#!/usr/bin/env -S node --max-old-space-size=128 --max-semi-space-size=4
// The seed's name for the control plane: the same as `k8s-daas control`, as a daemon with a
// bounded heap.
import { fileURLToPath } from "node:url";
import { relaunchWithHeapLimit } from "../src/cli/heap-limit.ts";
import { main } from "../src/cli/main.ts";

const args = process.argv.slice(2);
const relaunched = await relaunchWithHeapLimit(fileURLToPath(import.meta.url), args);
process.exitCode = relaunched === false ? await main(["control", ...args]) : relaunched;
