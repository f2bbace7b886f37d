import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { FAUCET_AMOUNT_MIST, openDevnet } from "../../devnet/index.ts";
import { type Command, integerFlag, stringFlag } from "../command.ts";
import { CliError, EXIT } from "../errors.ts";

export const DEFAULT_DEVNET_PORT = 9000;
export const DEFAULT_DEVNET_DIR = ".data/devnet";

export const devnetCommand: Command = {
  name: "devnet",
  summary: "Run the embedded local chain: Sui's gRPC API with the k8s_daas rules, on loopback.",
  usage: "k8s-daas devnet [--port N] [--host ADDR] [--data-dir DIR] [--nitro-root FILE]",
  example: "k8s-daas devnet --port 9000 --data-dir .data/devnet",
  options: {
    port: { type: "string" },
    host: { type: "string" },
    "data-dir": { type: "string" },
    "nitro-root": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
  optionHelp: {
    port: `port to listen on (default ${DEFAULT_DEVNET_PORT}; 0 picks a free one)`,
    host: "address to bind (default 127.0.0.1; anything else exposes an unauthenticated faucet)",
    "data-dir": `where the ledger is kept across restarts (default ${DEFAULT_DEVNET_DIR})`,
    "nitro-root":
      "PEM certificate Nitro attestations must chain to, instead of the AWS Nitro root (for tests without Nitro hardware)",
    help: "show this help",
  },
  async run({ values }) {
    const port = integerFlag(values, "port", DEFAULT_DEVNET_PORT, { min: 0, max: 65_535 });
    const host = typeof values.host === "string" ? values.host : "127.0.0.1";
    const dataDir = resolve(
      typeof values["data-dir"] === "string" ? values["data-dir"] : DEFAULT_DEVNET_DIR,
    );
    const nitroRoot = stringFlag(values, "nitro-root");
    const devnet = await openDevnet({
      dataDir,
      listen: { port, host },
      ...(nitroRoot === undefined ? {} : { nitroRootPem: readNitroRoot(nitroRoot) }),
    });
    // One JSON line first, so scripts and tests can read the endpoint without scraping text.
    process.stdout.write(
      `${JSON.stringify({ event: "devnet.ready", url: devnet.url, chainId: devnet.chainId, packageId: devnet.packageId, dataDir })}\n`,
    );
    process.stderr.write(
      [
        `devnet listening on ${devnet.url} (chain ${devnet.chainId})`,
        `  k8s_daas package: ${devnet.packageId}`,
        `  ledger:           ${dataDir}/ledger.sqlite`,
        `  faucet:           POST ${devnet.url}/v2/gas  (${FAUCET_AMOUNT_MIST / 1_000_000_000n} SUI per request)`,
        "Ctrl-C to stop; the ledger is kept.",
        "",
      ].join("\n"),
    );
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await devnet.close();
    process.stderr.write("devnet stopped\n");
    return EXIT.ok;
  },
};

/** The PEM at `path`, checked to be one X.509 certificate. */
function readNitroRoot(path: string): string {
  try {
    const pem = readFileSync(path, "utf8");
    new X509Certificate(pem);
    return pem;
  } catch (cause) {
    throw new CliError("NITRO_ROOT_INVALID", `${path} is not a readable PEM certificate`, {
      exitCode: EXIT.usage,
      cause,
    });
  }
}
