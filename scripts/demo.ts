// npm start: `k8s-daas demo` from the sources (src/cli/demo/run-demo.ts): brings up the
// local stack, or uses the one already running, and walks through a tenant's path.
import { main } from "../src/cli/main.ts";

process.exitCode = await main(["demo", ...process.argv.slice(2)]);
