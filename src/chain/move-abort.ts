import type { SuiClientTypes } from "@mysten/sui/client";
import { ChainError } from "./errors.ts";

export interface MoveAbortLocation {
  readonly packageId: string | undefined;
  readonly module: string | undefined;
  readonly functionName: string | undefined;
  readonly abortCode: bigint;
}

/** Maps an abort to its error constant's name (the abort table lives in src/protocol). */
export type AbortNameLookup = (abort: MoveAbortLocation) => string | undefined;

/** A Move function aborted: on chain (gas charged) or while building (nothing was sent). */
export class MoveAbortError extends ChainError implements MoveAbortLocation {
  readonly packageId: string | undefined;
  readonly module: string | undefined;
  readonly functionName: string | undefined;
  readonly abortCode: bigint;
  /** e.g. `ENotNamespaceOwner`, from the caller's table or the node's clever-error info. */
  readonly constantName: string | undefined;
  /** Set when the abort happened on chain; absent when caught by simulation while building. */
  readonly digest: string | undefined;
  /** Index of the transaction command that aborted, when the node reports it. */
  readonly command: number | undefined;

  constructor(
    abort: MoveAbortLocation & {
      constantName: string | undefined;
      digest: string | undefined;
      command?: number | undefined;
    },
  ) {
    const where = `${abort.module ?? "?"}::${abort.functionName ?? "?"}`;
    const name = abort.constantName === undefined ? "" : ` (${abort.constantName})`;
    const when = abort.digest === undefined ? "in simulation" : `in ${abort.digest}`;
    super("CHAIN_MOVE_ABORT", `Move abort ${abort.abortCode}${name} at ${where} ${when}`);
    this.name = "MoveAbortError";
    this.packageId = abort.packageId;
    this.module = abort.module;
    this.functionName = abort.functionName;
    this.abortCode = abort.abortCode;
    this.constantName = abort.constantName;
    this.digest = abort.digest;
    this.command = abort.command;
  }
}

/** Turns a failed execution status into the typed error callers branch on. */
export function toExecutionError(
  error: SuiClientTypes.ExecutionError,
  context: { digest: string | undefined; lookup: AbortNameLookup | undefined },
): ChainError {
  if (error.$kind === "MoveAbort") {
    const { abortCode, location, cleverError } = error.MoveAbort;
    const abort: MoveAbortLocation = {
      packageId: location?.package,
      module: location?.module,
      functionName: location?.functionName,
      abortCode: BigInt(abortCode),
    };
    return new MoveAbortError({
      ...abort,
      constantName: context.lookup?.(abort) ?? cleverError?.constantName,
      digest: context.digest,
      command: error.command === undefined ? undefined : Number(error.command),
    });
  }
  const where = context.digest === undefined ? "in simulation" : `in ${context.digest}`;
  return new ChainError("CHAIN_EXECUTION_FAILED", `transaction failed ${where}: ${error.message}`);
}
