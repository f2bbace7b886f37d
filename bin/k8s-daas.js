#!/usr/bin/env node
// npm's entry for `k8s-daas` (package.json "bin"). A clone runs the TypeScript sources
// (bin/k8s-daas.ts; Node strips their types); an installed package holds no sources, only
// the JavaScript compiled into dist/ when it was packed, because Node strips no types under
// node_modules.
import { existsSync } from "node:fs";

const source = new URL("./k8s-daas.ts", import.meta.url);
await import(existsSync(source) ? source.href : new URL("../dist/bin/k8s-daas.js", source).href);
