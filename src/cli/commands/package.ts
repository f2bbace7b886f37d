import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import type { Transaction } from "@mysten/sui/transactions";
import { normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";
import {
  createSuiClient,
  isTransientTransportError,
  keypairFromKeystore,
  resolveNetwork,
  type SubmittedTransaction,
} from "../../chain/index.ts";
import { executeTransaction } from "../../gateway/index.ts";
import { packageFile, packageRoot } from "../../install/index.ts";
import { type Command, integerFlag, type ParsedArgs, runAction, stringFlag } from "../command.ts";
import {
  type ContextEntry,
  checkContextName,
  loadConfig,
  saveContext,
  selectContext,
} from "../config/index.ts";
import { suiKeys } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import { toCliError } from "../failures.ts";
import { outputFormat, printResult } from "../output.ts";
import { startProgress } from "../progress.ts";

/** Where `npm run move:build` leaves the publish payload, in a clone or an installed package. */
const PUBLISH_PAYLOAD = ["move", "build", "k8s_daas", "publish.json"] as const;
const UPGRADE_CAP_TYPE = normalizeStructTag("0x2::package::UpgradeCap");
/** Publishing k8s_daas costs far less; a budget caps what a failure could cost. */
const DEFAULT_GAS_BUDGET_MIST = 1_000_000_000;
const MAX_GAS_BUDGET_MIST = 50_000_000_000;

export const packageCommand: Command = {
  name: "package",
  summary:
    "Operator: publish the compiled k8s_daas Move package to a network and point a context at it.",
  usage:
    "k8s-daas package publish [--network testnet|mainnet|URL|local] [--gas-budget MIST] [--context NAME]",
  example: "k8s-daas package publish --network testnet",
  actions: ["publish"],
  options: {
    network: { type: "string" },
    "gas-budget": { type: "string" },
    keystore: { type: "string" },
    address: { type: "string" },
    context: { type: "string" },
    output: { type: "string", short: "o" },
    help: { type: "boolean", short: "h" },
  },
  optionHelp: {
    network: "local, testnet, mainnet or a full node URL (default: the context's, else local)",
    "gas-budget": `the most MIST the publish may cost (default ${DEFAULT_GAS_BUDGET_MIST})`,
    keystore: "Sui keystore file (default: the context's, else the Sui CLI's)",
    address: "which key of the keystore signs and receives the UpgradeCap",
    context:
      "the context to point at the new package (default: the current one; created, after the network, when there is none)",
    output: "table (default), json or yaml",
    help: "show this help",
  },
  run: (args) =>
    runAction(packageCommand, args, {
      async publish({ values }) {
        const output = outputFormat(values.output);
        const payload = readPublishPayload();
        const gasBudget = integerFlag(values, "gas-budget", DEFAULT_GAS_BUDGET_MIST, {
          min: 1,
          max: MAX_GAS_BUDGET_MIST,
        });
        const selected = contextToWrite(values);
        const network = stringFlag(values, "network") ?? selected.entry.network ?? "local";
        let chainUrl: string | undefined;
        const chain = async <T>(work: () => Promise<T>): Promise<T> => {
          try {
            return await work();
          } catch (error) {
            throw toCliError(error, chainUrl === undefined ? {} : { chainUrl });
          }
        };
        const endpoint = await chain(async () => resolveNetwork(network));
        chainUrl = endpoint.url;
        const client = createSuiClient(endpoint);
        const keys = suiKeys(values, selected.entry);
        const signer = await chain(() =>
          keypairFromKeystore({
            keystorePath: keys.keystorePath,
            clientConfigPath: keys.clientConfigPath,
            ...(keys.address ? { address: keys.address } : {}),
          }),
        );
        const sender = signer.toSuiAddress();
        const progress = startProgress(
          `publishing k8s_daas (${payload.modules.length} modules) to ${network} from ${sender}`,
        );
        let executed: SubmittedTransaction;
        try {
          executed = await executeTransaction(client, signer, (tx: Transaction) => {
            tx.setGasBudget(gasBudget);
            const cap = tx.publish(payload);
            tx.transferObjects([cap], sender);
          });
        } catch (error) {
          throw publishFailure(error, { network, chainUrl, gasBudget });
        } finally {
          progress.done();
        }
        const { packageId, upgradeCapId } = publishedIds(executed);
        const context = selected.name;
        const previous = selected.entry;
        // A cluster and control plane of another package do not belong to this one.
        const { clusterId: _cluster, controlUrl: _control, ...kept } = previous;
        const configFile = saveContext(
          context,
          {
            ...kept,
            network,
            packageId,
            upgradeCapId,
            ...(keys.address || previous.address ? { address: sender } : {}),
            ...(stringFlag(values, "keystore") ? { keystore: keys.keystorePath } : {}),
          },
          selected.makeCurrent,
        );
        const data = {
          packageId,
          upgradeCapId,
          digest: executed.digest,
          network,
          publisher: sender,
          context,
          configFile,
        };
        printResult(output, data, () =>
          [
            `published k8s_daas to ${network} in ${executed.digest}`,
            `  package id   ${packageId}`,
            `  UpgradeCap   ${upgradeCapId} (held by ${sender}; keep it: it is the right to upgrade)`,
            `  context      ${context} in ${configFile} now uses this package and records its UpgradeCap`,
            `next: k8s-daas cluster create --context ${context}`,
          ].join("\n"),
        );
        return EXIT.ok;
      },
    }),
};

interface PublishPayload {
  modules: string[];
  dependencies: string[];
}

/** The compiled package, checked once here: base64 modules and 0x dependency ids. */
function readPublishPayload(): PublishPayload {
  const path = packageFile(...PUBLISH_PAYLOAD);
  if (!existsSync(path)) {
    throw new CliError(
      "PACKAGE_NOT_BUILT",
      `the compiled Move package is missing: ${relative(process.cwd(), path) || path}`,
      {
        hint: `compile it with 'npm run move:build' in ${packageRoot} (it needs the Sui framework: npm run move:framework)`,
        exitCode: EXIT.usage,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw invalidPayload(path, "it is not JSON", cause);
  }
  const { modules, dependencies } = (parsed ?? {}) as Partial<PublishPayload>;
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (
    !Array.isArray(modules) ||
    modules.length === 0 ||
    !modules.every((m) => typeof m === "string" && base64.test(m))
  ) {
    throw invalidPayload(path, "`modules` is not a list of base64 modules");
  }
  if (
    !Array.isArray(dependencies) ||
    !dependencies.every((d) => typeof d === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(d))
  ) {
    throw invalidPayload(path, "`dependencies` is not a list of package ids");
  }
  return { modules, dependencies: dependencies.map((id) => normalizeSuiAddress(id)) };
}

function invalidPayload(path: string, why: string, cause?: unknown): CliError {
  return new CliError("PACKAGE_BUILD_INVALID", `${path} is not a publish payload: ${why}`, {
    hint: "rebuild it with 'npm run move:build'",
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * `--context NAME` (created when missing), else the current context, else a new one named
 * after the network (as `up` names its contexts), made current.
 */
function contextToWrite(values: ParsedArgs["values"]): {
  name: string;
  entry: ContextEntry;
  makeCurrent: boolean;
} {
  const asked = stringFlag(values, "context");
  if (asked !== undefined) {
    checkContextName(asked);
    const { config } = loadConfig();
    return {
      name: asked,
      entry: config.contexts[asked] ?? {},
      makeCurrent: config.currentContext === undefined,
    };
  }
  const selected = selectContext(values);
  if (selected.name !== undefined) {
    return { name: selected.name, entry: selected.entry, makeCurrent: false };
  }
  const network = stringFlag(values, "network") ?? "local";
  return { name: contextNameFor(network), entry: {}, makeCurrent: true };
}

function contextNameFor(network: string): string {
  if (/^[a-z]+$/.test(network)) return network;
  try {
    return checkContextName(new URL(network).host.replace(/[^A-Za-z0-9._-]/g, "-"));
  } catch {
    return "published";
  }
}

/** The new package's id and the UpgradeCap's, from the effects. */
function publishedIds(executed: SubmittedTransaction): { packageId: string; upgradeCapId: string } {
  const packageId = executed.effects?.changedObjects.find(
    (change) => change.outputState === "PackageWrite",
  )?.objectId;
  const upgradeCapId = Object.entries(executed.objectTypes ?? {}).find(
    ([, type]) => type.includes("::") && normalizeStructTag(type) === UPGRADE_CAP_TYPE,
  )?.[0];
  if (!packageId || !upgradeCapId) {
    throw new CliError(
      "PUBLISH_RESULT_UNREADABLE",
      `transaction ${executed.digest} succeeded but its effects name no ${packageId ? "UpgradeCap" : "published package"}`,
    );
  }
  return { packageId, upgradeCapId };
}

/**
 * Names what went wrong for the failures a publish meets: the chain unreachable (also when
 * the SDK reports it as a failed simulation), no gas, a package the network refuses.
 */
function publishFailure(
  error: unknown,
  where: { network: string; chainUrl: string; gasBudget: number },
): unknown {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (isTransientTransportError(cause)) return toCliError(cause, { chainUrl: where.chainUrl });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/no SUI coins|insufficient gas|InsufficientGas|InsufficientCoinBalance/i.test(message)) {
    const budgetTooLow = /the budget is/i.test(message);
    return new CliError("PUBLISH_INSUFFICIENT_GAS", message, {
      hint: budgetTooLow
        ? `raise --gas-budget (now ${where.gasBudget} MIST)`
        : `fund the publisher on ${where.network} (testnet: the Sui faucet; a devnet: its faucet, POST /v2/gas)`,
      cause: error,
    });
  }
  if (
    /VMVerification|not those of k8s_daas|k8s_daas declares|self address|dependency/i.test(message)
  ) {
    return new CliError("PUBLISH_REFUSED", `the network refused the package: ${message}`, {
      hint: "publish the package compiled from this release's sources ('npm run move:build')",
      cause: error,
    });
  }
  return toCliError(error, { chainUrl: where.chainUrl });
}
