#!/usr/bin/env node
// The seed's name for the control plane: the same as `k8s-daas control`.
import { main } from "../src/cli/main.ts";

process.exitCode = await main(["control", ...process.argv.slice(2)]);
