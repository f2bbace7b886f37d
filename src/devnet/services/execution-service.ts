import type { GrpcTypes } from "@mysten/sui/grpc";
import type { ExecutionOutcome } from "../executor.ts";
import { MAX_GAS_BUDGET, minimumBudget, REFERENCE_GAS_PRICE } from "../gas.ts";
import { invalidArgument } from "../grpc/status.ts";
import type { Ledger } from "../ledger.ts";
import { coinBalance, type StoredObject, SUI_COIN_TYPE } from "../objects.ts";
import { executedTransaction } from "../proto.ts";
import { fromProtoTransaction, type TxData, type TxInput } from "../transaction-data.ts";

/** Headroom over the simulated cost when the devnet picks a budget, as wallets do. */
const BUDGET_MARGIN_PERCENT = 20n;
const MAX_GAS_COINS = 256;

export function executionService(ledger: Ledger) {
  return {
    ExecuteTransaction: async (
      request: GrpcTypes.ExecuteTransactionRequest,
    ): Promise<GrpcTypes.ExecuteTransactionResponse> => {
      const bytes = request.transaction?.bcs?.value;
      if (!bytes) throw invalidArgument("transaction.bcs is required");
      const signatures = request.signatures.map((signature, index) => {
        if (!signature.bcs?.value) throw invalidArgument(`signature ${index} has no bcs bytes`);
        return signature.bcs.value;
      });
      return { transaction: await ledger.execute(bytes, signatures) };
    },

    SimulateTransaction: (
      request: GrpcTypes.SimulateTransactionRequest,
    ): GrpcTypes.SimulateTransactionResponse => {
      if (!request.transaction) throw invalidArgument("transaction is required");
      const tx = fromProtoTransaction(request.transaction);
      resolveInputs(ledger, tx);
      tx.gas.price ??= REFERENCE_GAS_PRICE;
      if (request.doGasSelection || tx.gas.payment.length === 0) selectGas(ledger, tx);
      const outcome = ledger.dryRun(tx);
      return {
        transaction: simulated(outcome, ledger.clock.now()),
        // What a full node reports of each command's results; objects are not rendered.
        commandOutputs: outcome.returnValues.map((values) => ({
          returnValues: values.map((bytes) => ({ value: { value: bytes } })),
          mutatedByRef: [],
        })),
      };
    },
  };
}

function simulated(outcome: ExecutionOutcome, nowMs: number): GrpcTypes.ExecutedTransaction {
  const events = outcome.events.map((event, eventIndex) => ({
    ...event,
    seq: 0,
    checkpoint: 0,
    txDigest: outcome.digest,
    eventIndex,
  }));
  const executed = executedTransaction(outcome, undefined, [], undefined, nowMs, events);
  delete executed.digest;
  return executed;
}

/** Fills in object references the client left open, as a full node's resolver does. */
function resolveInputs(ledger: Ledger, tx: TxData): void {
  tx.inputs = tx.inputs.map((input, index): TxInput => {
    if (input.kind !== "unresolved") return input;
    const object = ledger.getObject(input.id);
    if (!object) throw invalidArgument(`input ${index}: object ${input.id} does not exist`);
    if (object.owner.kind === "shared") {
      return {
        kind: "shared",
        id: object.id,
        initialVersion: object.owner.initialVersion,
        mutable: input.mutable ?? usedMutably(ledger, tx, index),
      };
    }
    return { kind: "owned", id: object.id, version: object.version, digest: object.digest };
  });
}

function usedMutably(ledger: Ledger, tx: TxData, inputIndex: number): boolean {
  return tx.commands.some((command) => {
    if (command.kind !== "moveCall") return false;
    const fn = ledger.executor.functionOf(command.package, command.module, command.function);
    return command.args.some((arg, position) => {
      const param = fn?.params[position];
      return (
        arg.kind === "input" &&
        arg.index === inputIndex &&
        param?.kind === "object" &&
        param.mode !== "ref"
      );
    });
  });
}

/**
 * Picks the gas owner's SUI coins (largest first, never one the transaction also uses as an
 * input) and, when no budget was given, a budget from a dry run plus a margin.
 */
function selectGas(ledger: Ledger, tx: TxData): void {
  const used = new Set(tx.inputs.flatMap((input) => ("id" in input ? [input.id] : [])));
  const coins = ledger.store
    .listOwned(tx.gas.owner, { type: SUI_COIN_TYPE, limit: 10_000 })
    .filter((coin) => !used.has(coin.id))
    .sort((a, b) => (coinBalance(b) > coinBalance(a) ? 1 : -1))
    .slice(0, MAX_GAS_COINS);
  const total = coins.reduce((sum, coin) => sum + coinBalance(coin), 0n);
  if (coins.length === 0 || total === 0n) {
    throw invalidArgument(
      `${tx.gas.owner} has no SUI coins to pay gas with; fund it first (local network: the devnet faucet)`,
    );
  }
  const price = tx.gas.price ?? REFERENCE_GAS_PRICE;
  if (tx.gas.budget === undefined) {
    tx.gas.payment = coins.map(toRef);
    tx.gas.budget = minBigInt(total, MAX_GAS_BUDGET);
    const trial = ledger.dryRun(tx);
    const cost = trial.computationCost + trial.storageCost;
    const withMargin = cost + (cost * BUDGET_MARGIN_PERCENT) / 100n;
    tx.gas.budget = maxBigInt(withMargin, minimumBudget(price));
  }
  const budget = tx.gas.budget;
  const chosen: StoredObject[] = [];
  let covered = 0n;
  for (const coin of coins) {
    chosen.push(coin);
    covered += coinBalance(coin);
    if (covered >= budget) break;
  }
  if (covered < budget) {
    throw invalidArgument(
      `insufficient gas: ${tx.gas.owner} holds ${total} MIST in SUI coins, the budget is ${budget} MIST`,
    );
  }
  tx.gas.payment = chosen.map(toRef);
}

function toRef(coin: StoredObject) {
  return { id: coin.id, version: coin.version, digest: coin.digest };
}

function minBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function maxBigInt(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
