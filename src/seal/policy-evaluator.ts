// Seal key servers ask a full node to dry-run the requester's `seal_approve*` PTB with the
// requester as sender: keys are released only when it does not abort. Here the chain is
// asked the same through its gRPC SimulateTransaction (on the local stack: the devnet,
// which runs `seal_policy::seal_approve` through its TypeScript twin).
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { Transaction } from "@mysten/sui/transactions";
import { KeyServerError } from "./errors.ts";

/** TransactionKind's variant tag of a ProgrammableTransaction. */
const PROGRAMMABLE_TRANSACTION_TAG = 0;

export type AccessVerdict = { approved: true } | { approved: false; reason: string };

export interface PolicyEvaluator {
  evaluate(ptb: Uint8Array, sender: string): Promise<AccessVerdict>;
}

/**
 * Evaluates by simulation. `gasOwner` (the key server's own funded address) only lets the
 * simulation pick gas: the requester need not hold SUI, and nothing is ever executed.
 */
export function simulationEvaluator(client: SuiGrpcClient, gasOwner: string): PolicyEvaluator {
  return {
    async evaluate(ptb, sender) {
      const kind = new Uint8Array(ptb.length + 1);
      kind[0] = PROGRAMMABLE_TRANSACTION_TAG;
      kind.set(ptb, 1);
      const tx = Transaction.fromKind(kind);
      tx.setSender(sender);
      tx.setGasOwner(gasOwner);
      let simulated: Awaited<ReturnType<SuiGrpcClient["simulateTransaction"]>>;
      try {
        simulated = await client.simulateTransaction({
          transaction: tx,
          include: { effects: true },
        });
      } catch (error) {
        // The chain refused the transaction before running it (an object that does not
        // exist, a wrong argument): the requester's parameters, not an access decision.
        const message = error instanceof Error ? error.message : String(error);
        throw new KeyServerError("InvalidParameter", `the chain refused the PTB: ${message}`);
      }
      if (simulated.$kind === "Transaction") return { approved: true };
      const error = simulated.FailedTransaction.status.error;
      if (error?.$kind === "MoveAbort") {
        const { location, abortCode } = error.MoveAbort;
        return {
          approved: false,
          reason: `${location?.module ?? "?"}::${location?.functionName ?? "?"} aborted with ${abortCode}`,
        };
      }
      throw new KeyServerError(
        "InvalidParameter",
        `the PTB failed: ${error?.message ?? "unknown"}`,
      );
    },
  };
}
