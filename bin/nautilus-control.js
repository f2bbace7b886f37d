#!/usr/bin/env -S node --max-old-space-size=128 --max-semi-space-size=4
// npm's entry for `nautilus-control` (package.json "bin"), with the daemon's heap limits in
// its shebang like bin/nautilus-control.ts. A clone runs that TypeScript source; an installed
// package runs the JavaScript compiled into dist/ when it was packed (Node strips no types
// under node_modules).
import { existsSync } from "node:fs";

const source = new URL("./nautilus-control.ts", import.meta.url);
await import(
  existsSync(source) ? source.href : new URL("../dist/bin/nautilus-control.js", source).href
);
