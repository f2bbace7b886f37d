import { randomUUID } from "node:crypto";
import type { Signer } from "@mysten/sui/cryptography";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Transaction } from "@mysten/sui/transactions";
import { SubmissionJournal, type SubmittedTransaction, Submitter } from "../chain/index.ts";
import { abortConstantName } from "../protocol/index.ts";

/**
 * Signs and executes one transaction through the Submitter: simulation first (a Move abort
 * there costs nothing and carries its constant name), bounded retries on transport errors.
 * A CLI invocation is its own intent, so the journal lives in memory.
 */
export async function executeTransaction(
  client: SuiGrpcClient,
  signer: Signer,
  build: (tx: Transaction) => void,
): Promise<SubmittedTransaction> {
  const journal = new SubmissionJournal(":memory:");
  try {
    const submitter = new Submitter({
      client,
      signer,
      journal,
      abortNames: abortConstantName,
    });
    const result = await submitter.submit(randomUUID(), build);
    if (!result.transaction) throw new Error(`transaction ${result.digest} is not readable`);
    return result.transaction;
  } finally {
    journal.close();
  }
}
