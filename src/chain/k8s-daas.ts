import type { Transaction, TransactionArgument } from "@mysten/sui/transactions";
import { CALLS, type CallName, callTarget, encodePureArgs } from "../protocol/index.ts";

/**
 * Builds `k8s_daas` calls into a transaction from the protocol's call table, so argument
 * order and BCS types come from one place. Objects are passed by id (the SDK resolves
 * versions), fees and stakes are split from the gas coin, the Clock is `0x6`.
 */
export interface CallObjects {
  cluster?: string;
  /** AdminCap, NamespaceCap or WorkerCap id, whichever the call takes. */
  cap?: string;
}

export function addCall(
  tx: Transaction,
  packageId: string,
  name: CallName,
  values: Record<string, unknown>,
  objects: CallObjects = {},
  coinMist?: bigint,
): void {
  const pure = encodePureArgs(name, values);
  let nextPure = 0;
  const args: TransactionArgument[] = CALLS[name].params.map((param): TransactionArgument => {
    switch (param.kind) {
      case "pure": {
        const bytes = pure[nextPure++];
        if (!bytes) throw new Error(`${name}: missing pure argument ${param.name}`);
        return tx.pure(bytes);
      }
      case "object": {
        const id = param.type === "Cluster" ? objects.cluster : objects.cap;
        if (!id) throw new Error(`${name}: the ${param.type} object id is required`);
        return tx.object(id);
      }
      case "coin": {
        if (coinMist === undefined)
          throw new Error(`${name}: an amount for ${param.name} is required`);
        const [coin] = tx.splitCoins(tx.gas, [coinMist]);
        if (!coin) throw new Error("splitCoins returned no coin");
        return coin;
      }
      case "clock":
        return tx.object.clock();
      default:
        throw new Error(`${name}: ${param.kind} arguments cannot be built here`);
    }
  });
  tx.moveCall({ target: callTarget(packageId, name), arguments: args });
}
