import { join, resolve } from "node:path";
import type { Signer } from "@mysten/sui/cryptography";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import {
  createSuiClient,
  keypairFromEnv,
  keypairFromKeystore,
  readBillingView,
  SubmissionJournal,
} from "../chain/index.ts";
import { DEVNET_PACKAGE_ID } from "../devnet/index.ts";
import { isDnsLabel, WorkerEarningsEvent } from "../protocol/index.ts";
import {
  type Joiner,
  K3sAgentJoiner,
  loadOrCreateWorkerKey,
  SimulatedJoiner,
  WorkerAgent,
  WorkerChain,
} from "../worker/index.ts";
import { integerFlag, type ParsedArgs } from "./command.ts";
import { CliError, EXIT, usageError } from "./errors.ts";
import { toCliError } from "./failures.ts";
import { type Action, DEFAULT_DATA_DIR, KEY_ENV } from "./worker-options.ts";

/** Runs one `k8s-daas worker` action; failures become one-line CLI errors. */
export async function runWorkerAction(action: Action, args: ParsedArgs): Promise<number> {
  try {
    return await runAction(action, args);
  } catch (error) {
    throw asCliError(error);
  }
}

async function runAction(action: Action, { values }: ParsedArgs): Promise<number> {
  const text = (name: string) =>
    typeof values[name] === "string" ? (values[name] as string) : undefined;
  const clusterId = objectId(text("cluster-id"), "cluster-id");
  const packageId = text("package-id")
    ? objectId(text("package-id"), "package-id")
    : DEVNET_PACKAGE_ID;
  const nodeId = text("node-id");
  if (action !== "list") {
    if (!nodeId) throw usageError(`worker ${action} needs --node-id`);
    if (!isDnsLabel(nodeId)) throw usageError(`--node-id must be a DNS label, got "${nodeId}"`);
  }
  const dataDir = resolve(text("data-dir") ?? DEFAULT_DATA_DIR);
  const client = createSuiClient(text("network") ?? "local");
  const signer = await ownerKey(text("keystore"), text("address"));
  const chain = new WorkerChain({
    client,
    signer,
    packageId,
    clusterId,
    journal: new SubmissionJournal(join(dataDir, "journal.sqlite")),
  });
  const print = (value: unknown) =>
    process.stdout.write(
      `${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v))}\n`,
    );
  const node = nodeId ?? "";
  const capOf = async () => {
    const cap = await chain.capOf(node);
    if (!cap)
      throw new CliError(
        "WORKER_NOT_REGISTERED",
        `${chain.address} holds no WorkerCap for ${node}`,
        {
          hint: "register first: k8s-daas worker register --stake …",
        },
      );
    return cap;
  };
  switch (action) {
    case "list":
      print({ owner: chain.address, workers: await chain.caps() });
      return EXIT.ok;
    case "register": {
      const key = loadOrCreateWorkerKey(join(dataDir, "worker-key.json"));
      const capId = await chain.register(node, key.publicKey, stakeOf(text("stake")));
      print({ event: "worker.registered", nodeId: node, capId, owner: chain.address });
      return EXIT.ok;
    }
    case "heartbeat": {
      const { digest } = await chain.heartbeat(await capOf());
      print({ event: "worker.heartbeat", nodeId: node, digest });
      return EXIT.ok;
    }
    case "leave": {
      const { digest } = await chain.deregister(await capOf());
      print({
        event: "worker.deregistered",
        nodeId: node,
        digest,
        next: "withdraw after the unbonding period",
      });
      return EXIT.ok;
    }
    case "withdraw": {
      const { digest } = await chain.withdraw(await capOf());
      print({ event: "worker.withdrawn", nodeId: node, digest });
      return EXIT.ok;
    }
    case "earnings": {
      const view = await readBillingView(client, packageId, clusterId, chain.address, {
        nodeIds: [node],
      });
      print({ nodeId: node, earningsMist: view.earnings.get(node) ?? 0n });
      return EXIT.ok;
    }
    case "claim": {
      const { digest, transaction } = await chain.claimEarnings(await capOf());
      const claimed = (transaction?.events ?? [])
        .filter((event) => event.eventType.endsWith("::WorkerEarningsEvent"))
        .map((event) => WorkerEarningsEvent.parse(event.bcs).amount_mist);
      print({ event: "worker.earnings.claimed", nodeId: node, amountMist: claimed[0], digest });
      return EXIT.ok;
    }
    case "run":
      return runWorker(text, {
        client,
        chain,
        packageId,
        clusterId,
        nodeId: node,
        dataDir,
        values,
        print,
      });
  }
}

async function runWorker(
  text: (name: string) => string | undefined,
  context: {
    client: ReturnType<typeof createSuiClient>;
    chain: WorkerChain;
    packageId: string;
    clusterId: string;
    nodeId: string;
    dataDir: string;
    values: ParsedArgs["values"];
    print: (value: unknown) => void;
  },
): Promise<number> {
  const { chain, nodeId, dataDir, print } = context;
  const mode = text("mode") ?? "simulated";
  if (mode !== "simulated" && mode !== "k3s")
    throw usageError(`--mode must be simulated or k3s, got "${mode}"`);
  const binary = text("k3s-binary");
  const joiner: Joiner =
    mode === "k3s"
      ? new K3sAgentJoiner({
          dataDir,
          ...(binary ? { binary } : {}),
          log: (line) => process.stderr.write(`k3s: ${line}\n`),
        })
      : new SimulatedJoiner();
  const heartbeatMs = context.values["heartbeat-ms"]
    ? integerFlag(context.values, "heartbeat-ms", 10_000, { min: 100, max: 3_600_000 })
    : undefined;
  const agent = new WorkerAgent({
    client: context.client,
    chain,
    key: loadOrCreateWorkerKey(join(dataDir, "worker-key.json")),
    packageId: context.packageId,
    clusterId: context.clusterId,
    nodeId,
    joiner,
    ...(heartbeatMs ? { heartbeatIntervalMs: heartbeatMs } : {}),
    onHeartbeat: ({ digest }) => print({ event: "worker.heartbeat", nodeId, digest }),
    onProblem: (error) =>
      process.stderr.write(
        `heartbeat problem: ${error instanceof Error ? error.message : String(error)}\n`,
      ),
  });
  if (await chain.capOf(nodeId)) await agent.resume();
  else await agent.register(stakeOf(text("stake")));
  print({ event: "worker.registered", nodeId, capId: agent.capId });
  // Heart-beating starts at once: a pending worker may heartbeat, and one that only began
  // after joining would look silent for as long as activation took.
  await agent.startHeartbeats();
  await agent.awaitCredential();
  await agent.join();
  print({ event: "worker.joined", nodeId, mode });
  await new Promise<void>((done) => {
    process.once("SIGINT", () => done());
    process.once("SIGTERM", () => done());
  });
  await agent.stopHeartbeats();
  await joiner.stop();
  process.stderr.write(
    "worker stopped (still registered; `k8s-daas worker leave` to deregister)\n",
  );
  return EXIT.ok;
}

async function ownerKey(
  keystore: string | undefined,
  address: string | undefined,
): Promise<Signer> {
  if (process.env[KEY_ENV]) return keypairFromEnv(KEY_ENV);
  return keypairFromKeystore({
    ...(keystore ? { keystorePath: keystore } : {}),
    ...(address ? { address } : {}),
  });
}

function objectId(value: string | undefined, flag: string): string {
  if (!value) throw usageError(`--${flag} is required`);
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(value))
    throw usageError(`--${flag} must be a 0x-prefixed object id, got "${value}"`);
  return normalizeSuiAddress(value);
}

function stakeOf(value: string | undefined): bigint {
  if (!value) throw usageError("registering needs --stake <MIST>");
  if (!/^\d+$/.test(value) || BigInt(value) === 0n)
    throw usageError(`--stake must be a positive whole number of MIST, got "${value}"`);
  return BigInt(value);
}

const WORKER_HINTS: Record<string, string> = {
  EWorkerExists: "this node id is taken; pick another --node-id",
  EStakeTooLow: "raise --stake to at least the cluster's minimum worker stake",
  EUnbondingNotOver: "wait until the unbonding period after `leave` has passed",
  EWorkerNotUnbonding: "run `k8s-daas worker leave` first",
  EWorkerNotLive: "the worker has left or was slashed",
};

/**
 * Failures as the other commands report them (`toCliError`: an abort's constant name is the
 * code), with worker-specific hints for the worker aborts.
 */
function asCliError(error: unknown): unknown {
  const converted = toCliError(error);
  if (!(converted instanceof CliError) || converted.hint) return converted;
  const hint = WORKER_HINTS[converted.code];
  return hint
    ? new CliError(converted.code, converted.message, {
        hint,
        exitCode: converted.exitCode,
        cause: error,
      })
    : converted;
}
