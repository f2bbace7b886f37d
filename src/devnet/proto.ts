import { type GrpcTypes, GrpcTypes as Proto } from "@mysten/sui/grpc";
import type { ExecutionOutcome } from "./executor.ts";
import { coinBalance, type ObjectOwner, type StoredObject, SUI_COIN_TYPE } from "./objects.ts";
import { PACKAGE_OBJECT_TYPE } from "./publish/publish-command.ts";
import type { StoredEvent } from "./store.ts";
import { toProtoTransaction } from "./transaction-data.ts";
import type { WorkingObject } from "./working-set.ts";

// Converts the devnet's records into the SDK's protobuf messages.

export function protoOwner(owner: ObjectOwner): GrpcTypes.Owner {
  switch (owner.kind) {
    case "address":
      return { kind: Proto.Owner_OwnerKind.ADDRESS, address: owner.address };
    case "shared":
      return { kind: Proto.Owner_OwnerKind.SHARED, version: BigInt(owner.initialVersion) };
    case "immutable":
      return { kind: Proto.Owner_OwnerKind.IMMUTABLE };
  }
}

export function protoObject(object: StoredObject): GrpcTypes.Object {
  const proto: GrpcTypes.Object = {
    objectId: object.id,
    version: BigInt(object.version),
    digest: object.digest,
    owner: protoOwner(object.owner),
    objectType: object.type,
    contents: { name: object.type, value: object.contents },
    previousTransaction: object.previousTransaction,
    hasPublicTransfer: object.type === SUI_COIN_TYPE,
  };
  if (object.type === SUI_COIN_TYPE) proto.balance = coinBalance(object);
  return proto;
}

export function protoTimestamp(ms: number): { seconds: bigint; nanos: number } {
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

export function protoEvent(event: StoredEvent): GrpcTypes.Event {
  return {
    packageId: event.packageId,
    module: event.module,
    sender: event.sender,
    eventType: event.type,
    contents: { name: event.type, value: event.contents },
    checkpoint: BigInt(event.checkpoint),
    transactionDigest: event.txDigest,
    eventIndex: event.eventIndex,
  };
}

function changedObject(entry: WorkingObject): GrpcTypes.ChangedObject {
  const change: GrpcTypes.ChangedObject = {
    objectId: entry.current.id,
    objectType: entry.current.type,
    inputState: entry.input
      ? Proto.ChangedObject_InputObjectState.EXISTS
      : Proto.ChangedObject_InputObjectState.DOES_NOT_EXIST,
    outputState: entry.deleted
      ? Proto.ChangedObject_OutputObjectState.DOES_NOT_EXIST
      : entry.current.type === PACKAGE_OBJECT_TYPE
        ? Proto.ChangedObject_OutputObjectState.PACKAGE_WRITE
        : Proto.ChangedObject_OutputObjectState.OBJECT_WRITE,
    idOperation: !entry.input
      ? Proto.ChangedObject_IdOperation.CREATED
      : entry.deleted
        ? Proto.ChangedObject_IdOperation.DELETED
        : Proto.ChangedObject_IdOperation.NONE,
  };
  if (entry.input) {
    change.inputVersion = BigInt(entry.input.version);
    change.inputDigest = entry.input.digest;
    change.inputOwner = protoOwner(entry.input.owner);
  }
  if (!entry.deleted) {
    change.outputVersion = BigInt(entry.current.version);
    change.outputDigest = entry.current.digest;
    change.outputOwner = protoOwner(entry.current.owner);
  }
  return change;
}

/** Per-address SUI deltas, computed from the coins the transaction touched. */
function balanceChanges(outcome: ExecutionOutcome): GrpcTypes.BalanceChange[] {
  const deltas = new Map<string, bigint>();
  const add = (owner: ObjectOwner | undefined, amount: bigint) => {
    if (owner?.kind !== "address") return;
    deltas.set(owner.address, (deltas.get(owner.address) ?? 0n) + amount);
  };
  for (const entry of outcome.working.objects.values()) {
    if (entry.current.type !== SUI_COIN_TYPE || !entry.mutated) continue;
    if (entry.input) add(entry.input.owner, -inputBalance(entry));
    if (!entry.deleted) add(entry.current.owner, coinBalance(entry.current));
  }
  return [...deltas]
    .filter(([, amount]) => amount !== 0n)
    .map(([address, amount]) => ({
      address,
      coinType: "0x2::sui::SUI",
      amount: amount.toString(),
    }));
}

function inputBalance(entry: WorkingObject): bigint {
  return entry.input ? coinBalance({ ...entry.current, contents: entry.input.contents }) : 0n;
}

export function executedTransaction(
  outcome: ExecutionOutcome,
  bytes: Uint8Array | undefined,
  signatures: readonly Uint8Array[],
  checkpoint: number | undefined,
  timestampMs: number,
  events: readonly StoredEvent[],
): GrpcTypes.ExecutedTransaction {
  const changed = [...outcome.working.objects.values()].filter((entry) => entry.mutated);
  const unchangedShared = [...outcome.working.objects.values()].filter(
    (entry) => !entry.mutated && entry.current.owner.kind === "shared",
  );
  const gasEntry = outcome.working.objects.get(outcome.gasCoinId);
  const transaction = toProtoTransaction(outcome.tx);
  transaction.digest = outcome.digest;
  if (bytes) transaction.bcs = { name: "TransactionData", value: bytes };
  const effects: GrpcTypes.TransactionEffects = {
    version: 2,
    status: outcome.success
      ? { success: true }
      : outcome.error
        ? { success: false, error: outcome.error }
        : { success: false },
    epoch: 0n,
    gasUsed: {
      computationCost: outcome.computationCost,
      storageCost: outcome.storageCost,
      storageRebate: 0n,
      nonRefundableStorageFee: 0n,
    },
    transactionDigest: outcome.digest,
    dependencies: [],
    lamportVersion: BigInt(outcome.lamportVersion),
    changedObjects: changed.map(changedObject),
    unchangedConsensusObjects: unchangedShared.map((entry) => ({
      kind: Proto.UnchangedConsensusObject_UnchangedConsensusObjectKind.READ_ONLY_ROOT,
      objectId: entry.current.id,
      version: BigInt(entry.current.version),
      digest: entry.current.digest,
      objectType: entry.current.type,
    })),
    unchangedLoadedRuntimeObjects: [],
  };
  if (gasEntry) effects.gasObject = changedObject(gasEntry);
  const executed: GrpcTypes.ExecutedTransaction = {
    digest: outcome.digest,
    transaction,
    signatures: signatures.map((value) => ({
      bcs: { name: "UserSignature", value },
      signature: { oneofKind: undefined },
    })),
    effects,
    events: { events: events.map(protoEvent) },
    timestamp: protoTimestamp(timestampMs),
    balanceChanges: balanceChanges(outcome),
  };
  if (checkpoint !== undefined) executed.checkpoint = BigInt(checkpoint);
  return executed;
}
