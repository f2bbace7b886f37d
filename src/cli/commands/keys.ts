import { readFileSync } from "node:fs";
import {
  DEFAULT_KEY_ENV,
  generateKeyIntoKeystore,
  keypairFromKeystoreEntry,
  parsePrivateKey,
  readActiveAddress,
  readKeystoreEntries,
} from "../../chain/index.ts";
import { appendToKeystore } from "../../chain/keys.ts";
import { type Command, type ParsedArgs, runAction } from "../command.ts";
import { selectContext } from "../config/index.ts";
import { suiKeys } from "../context.ts";
import { EXIT, usageError } from "../errors.ts";
import { toCliError } from "../failures.ts";
import { outputFormat, printResult } from "../output.ts";
import { fundFromFaucet } from "../stack/faucet.ts";

/** The keystore and client.yaml these commands work on: flags, the context, the Sui CLI's. */
function keystore(values: ParsedArgs["values"]) {
  const { entry } = selectContext(values);
  return { ...suiKeys(values, entry), network: entry.network };
}

export const keysCommand: Command = {
  name: "keys",
  summary: "Create, import or list keys in a Sui keystore (the Sui CLI's format and location).",
  usage: `k8s-daas keys new [--fund] | import [KEY|-] | list`,
  example: "k8s-daas keys new --fund   # a new devnet key with 100 SUI",
  actions: ["new", "import", "list"],
  options: {
    fund: { type: "boolean" },
    keystore: { type: "string" },
    context: { type: "string" },
    output: { type: "string", short: "o" },
    help: { type: "boolean", short: "h" },
  },
  optionHelp: {
    fund: "new: ask the local devnet's faucet for 100 SUI",
    keystore: "keystore file (default: the context's, else $SUI_CONFIG_DIR or ~/.sui/sui_config)",
    context: "which context of the config file (default $K8S_DAAS_CONTEXT, else the current one)",
    output: "table (default), json or yaml",
    help: "show this help",
  },
  run: (args) =>
    runAction(keysCommand, args, {
      async new({ values }) {
        const { keystorePath, network } = keystore(values);
        const { address } = await generateKeyIntoKeystore(keystorePath).catch((error: unknown) => {
          throw toCliError(error);
        });
        if (values.fund === true) {
          if (!network?.startsWith("http"))
            throw usageError("--fund needs the local devnet (run 'k8s-daas up')");
          await fundFromFaucet(network, address);
        }
        printResult(outputFormat(values.output), { address, keystore: keystorePath }, () =>
          [`new key ${address} in ${keystorePath}`, `use it with: --address ${address}`].join("\n"),
        );
        return EXIT.ok;
      },
      async import({ values }, rest) {
        // A key on the command line ends up in shell history; reading it from stdin or the
        // environment avoids that, so those come first in the help.
        const text =
          rest[0] === undefined || rest[0] === "-"
            ? (process.env[DEFAULT_KEY_ENV] ?? readFileSync(0, "utf8"))
            : rest[0];
        if (!text.trim())
          throw usageError(
            "no key given: pass it on stdin, in $SUI_PRIVATE_KEY, or as an argument",
          );
        const { keystorePath } = keystore(values);
        const keypair = (() => {
          try {
            return parsePrivateKey(text, "the given key");
          } catch (error) {
            throw toCliError(error);
          }
        })();
        const added = await appendToKeystore(keystorePath, keypair);
        const address = keypair.toSuiAddress();
        printResult(outputFormat(values.output), { address, keystore: keystorePath, added }, () =>
          added
            ? `imported ${address} into ${keystorePath}`
            : `${address} is already in ${keystorePath}`,
        );
        return EXIT.ok;
      },
      async list({ values }) {
        const { keystorePath, clientConfigPath } = keystore(values);
        const entries = await readKeystoreEntries(keystorePath).catch((error: unknown) => {
          throw toCliError(error);
        });
        const active = await readActiveAddress(clientConfigPath).catch(() => undefined);
        const keys = entries.map((entry, index) => {
          try {
            const address = keypairFromKeystoreEntry(entry, `entry ${index}`).toSuiAddress();
            return { address, scheme: "ED25519", active: address === active };
          } catch {
            return { address: "(not usable here)", scheme: "other", active: false };
          }
        });
        printResult(outputFormat(values.output), { keystore: keystorePath, keys }, () => ({
          headers: ["ADDRESS", "SCHEME", "ACTIVE"],
          rows: keys.map((key) => [key.address, key.scheme, key.active ? "*" : ""]),
        }));
        return EXIT.ok;
      },
    }),
};
