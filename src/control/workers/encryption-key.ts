import { bcs } from "@mysten/sui/bcs";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { CALLS, LIMITS } from "../../protocol/index.ts";
import { WorkerControlError } from "./errors.ts";

const REGISTER = CALLS.register_worker_node;
const NODE_ID_ARG = REGISTER.params.findIndex((p) => p.name === "node_id");
const KEY_ARG = REGISTER.params.findIndex((p) => p.name === "encryption_key");

/** The parts of a transaction's data this reads (as the SDK returns them). */
interface TransactionData {
  inputs: readonly unknown[];
  commands: readonly {
    $kind: string;
    MoveCall?: { package: string; module: string; function: string; arguments: unknown[] };
  }[];
}

/**
 * A worker's x25519 key, read from the inputs of the transaction that registered it: the
 * `WorkerNodeEvent` does not carry the key and the package has no accessor for it, but the
 * registration's arguments are public. (Moving the key into the event's `data` would spare
 * this read; see the report of issue 7.)
 */
export async function workerEncryptionKey(
  client: SuiGrpcClient,
  packageId: string,
  registeredTx: string,
  nodeId: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const result = await client.getTransaction({
    digest: registeredTx,
    include: { transaction: true },
    ...(signal ? { signal } : {}),
  });
  const data = (result.$kind === "Transaction" ? result.Transaction.transaction : undefined) as
    | TransactionData
    | undefined;
  const key = data ? keyFromInputs(data, packageId, nodeId) : undefined;
  if (!key) {
    throw new WorkerControlError(
      "WORKERS_KEY_NOT_FOUND",
      `transaction ${registeredTx} holds no register_worker_node call for ${nodeId}`,
    );
  }
  return key;
}

function keyFromInputs(
  data: TransactionData,
  packageId: string,
  nodeId: string,
): Uint8Array | undefined {
  const pureInput = (argument: unknown): Uint8Array | undefined => {
    const arg = argument as { $kind?: string; Input?: number };
    if (arg.$kind !== "Input" || arg.Input === undefined) return undefined;
    const input = data.inputs[arg.Input] as { $kind?: string; Pure?: { bytes: string } };
    return input?.$kind === "Pure" && input.Pure
      ? new Uint8Array(Buffer.from(input.Pure.bytes, "base64"))
      : undefined;
  };
  for (const command of data.commands) {
    const call = command.MoveCall;
    if (
      command.$kind !== "MoveCall" ||
      !call ||
      normalizeSuiAddress(call.package) !== normalizeSuiAddress(packageId) ||
      call.module !== REGISTER.module ||
      call.function !== REGISTER.function
    )
      continue;
    const nodeBytes = pureInput(call.arguments[NODE_ID_ARG]);
    const keyBytes = pureInput(call.arguments[KEY_ARG]);
    if (!nodeBytes || !keyBytes) continue;
    if (bcs.string().parse(nodeBytes) !== nodeId) continue;
    const key = bcs.byteVector().parse(keyBytes);
    if (key.length === LIMITS.workerEncryptionKeyBytes) return new Uint8Array(key);
  }
  return undefined;
}
