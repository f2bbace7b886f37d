import { addCall } from "../chain/k8s-daas.ts";
import { type FoundResult, ResultWatcher } from "../chain/results.ts";
import {
  decideSealing,
  GatewayError,
  openResult,
  type PlainCall,
  ReplyKeys,
  type ResultDocument,
  type SealingDecision,
  sealCall,
} from "../gateway/index.ts";
import { type CallName, MAX_PRIORITY, requestIdsOf } from "../protocol/index.ts";
import { integerFlag, type ParsedArgs } from "./command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "./context.ts";
import { CliError, EXIT, usageError } from "./errors.ts";
import { checkNamespace, checkPayloadSize } from "./manifests.ts";
import { type OutputFormat, printResult, sui } from "./output.ts";
import { startProgress } from "./progress.ts";
import type { Session } from "./session.ts";

/** Flags of every command that sends a request (a K8sAPIRequestEvent) to the cluster. */
export const REQUEST_OPTIONS = {
  namespace: { type: "string", short: "n" },
  "no-wait": { type: "boolean" },
  "no-seal": { type: "boolean" },
  fee: { type: "string" },
  priority: { type: "string" },
  timeout: { type: "string" },
  ...CONNECTION_OPTIONS,
} as const;

export const REQUEST_HELP: Record<string, string> = {
  namespace: "your namespace (default: the context's, else the only one you hold)",
  "no-wait": "return once the request is on chain; do not wait for its result",
  "no-seal":
    "send the payload in the clear (public on chain for ever) instead of sealed to the enclave",
  fee: "fee in MIST (default: the cluster's request fee)",
  priority: `0 (lowest) to ${MAX_PRIORITY} (highest), default 5`,
  timeout: "seconds to wait for the result (default 300; 0 waits forever)",
  ...CONNECTION_HELP,
};

/** One k8s_daas call that becomes one request. */
export interface PlannedRequest extends PlainCall {
  /** Writes pass the NamespaceCap; GETs (`submit_get`) need none (sealed ones do). */
  write: boolean;
}

export interface RequestOutcome {
  requestId: string;
  label: string;
  submittedTx: string;
  /** Sealed to the enclave's encryption key (`submit_sealed`); its output to a one-time key. */
  sealed: boolean;
  statusCode?: number;
  errorCode?: string;
  summary?: string;
  resultTx?: string;
  /** The request this one replaced after SEALED_PAYLOAD_STALE_KEY (sealed to a rotated-away key). */
  resubmittedFrom?: string;
}

interface SendOptions {
  namespace: string;
  priority: number;
  fee: bigint;
}

/**
 * Sends the planned requests in one transaction (all or none land), then, unless
 * `--no-wait`, waits for each one's K8sAPIResultEvent on chain. Payloads are sealed to the
 * enclave's encryption key when the cluster publishes one (unless `--no-seal`); a request
 * answered SEALED_PAYLOAD_STALE_KEY (sealed to a key rotated away meanwhile) is re-sealed to
 * the key now on chain and sent again, once. Returns the outcomes; prints successes unless
 * `ownView` (a caller that shows its own answer, like `get`).
 */
export async function submitRequests(
  session: Session,
  args: ParsedArgs,
  namespace: string,
  planned: readonly PlannedRequest[],
  options: { ownView?: boolean } = {},
): Promise<{ outcomes: RequestOutcome[]; failed: boolean }> {
  const { values } = args;
  checkNamespace(namespace);
  const priority = integerFlag(values, "priority", 5, { min: 0, max: MAX_PRIORITY });
  const timeoutSeconds = integerFlag(values, "timeout", 300, { min: 0, max: 86_400 });
  const wait = values["no-wait"] !== true;
  const cluster = await session.cluster();
  const fee = feeFlag(values.fee) ?? BigInt(cluster.config.request_fee_mist);
  const sealing = decideSealing(cluster, values["no-seal"] === true, planned, warnLine);
  // Paying for a request nobody will execute is worse than not sending it.
  if (wait && session.connection.controlUrl) await session.controlApi().health();
  const send = { namespace, priority, fee };
  const { outcomes, ids } = await sendRequests(session, planned, sealing, send);
  const ownView = options.ownView === true;
  if (!wait) {
    printSubmitted(session.connection.output, outcomes, fee);
    return { outcomes, failed: false };
  }
  await waitForOutcomes(session, ids, outcomes, timeoutSeconds);

  const stale = outcomes.flatMap((outcome, index) =>
    outcome.sealed && outcome.errorCode === STALE_KEY ? [index] : [],
  );
  if (stale.length > 0) {
    warnLine(
      `request ${stale.map((index) => outcomes[index]?.requestId).join(", ")} was sealed to an enclave encryption key that has been rotated away; re-sealing to the key now on chain and resubmitting (once)`,
    );
    const again = stale.flatMap((index) => (planned[index] ? [planned[index]] : []));
    const fresh = decideSealing(await session.refreshCluster(), false, again, warnLine);
    const resent = await sendRequests(session, again, fresh, send);
    await waitForOutcomes(session, resent.ids, resent.outcomes, timeoutSeconds);
    for (const [position, index] of stale.entries()) {
      const replaced = outcomes[index];
      const replacement = resent.outcomes[position];
      if (replaced && replacement) {
        outcomes[index] = { ...replacement, resubmittedFrom: replaced.requestId };
      }
    }
  }
  await revealSealedFailures(session, outcomes);
  return { outcomes, failed: printOutcomes(session.connection.output, outcomes, ownView) };
}

/**
 * The chain summary of a failed sealed request names its code but not its message (which
 * could quote the sealed manifest): the requester reads the message from the output sealed
 * to its reply key. Best effort: without the control plane the chain's summary stays.
 */
async function revealSealedFailures(session: Session, outcomes: RequestOutcome[]): Promise<void> {
  if (!session.connection.controlUrl) return;
  const keys = new ReplyKeys(session.connection);
  for (const outcome of outcomes) {
    if (!outcome.sealed || (outcome.statusCode ?? 0) < 400 || !/^\d+$/.test(outcome.requestId))
      continue;
    try {
      const requestId = BigInt(outcome.requestId);
      const { body } = await session.controlApi().output(requestId);
      const { document } = openResult(
        keys,
        { clusterId: session.connection.clusterId, requestId },
        body as ResultDocument,
      );
      outcome.summary = document.errorCode
        ? `${document.statusCode} ${document.errorCode}: ${document.summary}`
        : `${document.statusCode} ${document.summary}`;
    } catch (error) {
      if (!(error instanceof CliError || error instanceof GatewayError)) throw error;
    }
  }
}

const STALE_KEY = "SEALED_PAYLOAD_STALE_KEY";

function warnLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * One transaction with a call per planned request: sealed (`submit_sealed`, with a fresh
 * reply key kept per request id) or as planned. Checks every payload's size first.
 */
async function sendRequests(
  session: Session,
  planned: readonly PlannedRequest[],
  sealing: SealingDecision,
  options: SendOptions,
): Promise<{ outcomes: RequestOutcome[]; ids: bigint[] }> {
  const cluster = await session.cluster();
  const binding = {
    clusterId: session.connection.clusterId,
    requester: await session.address(),
    namespace: options.namespace,
  };
  const calls = planned.map((request) => {
    if (!sealing.seal) return { ...request, call: request.call as CallName, replyKey: undefined };
    const sealed = sealCall(request, sealing.encryptionKey, binding);
    return {
      ...request,
      call: "submit_sealed" as CallName,
      values: sealed.values,
      payload: sealed.payload,
      write: true,
      replyKey: sealed.replyKey,
    };
  });
  for (const call of calls) {
    if (call.payload)
      checkPayloadSize(call.payload, call.label, BigInt(cluster.config.max_payload_bytes));
  }
  const cap = calls.some((call) => call.write)
    ? await session.namespaceCap(options.namespace)
    : undefined;
  const transaction = await session.execute((tx) => {
    for (const call of calls) {
      addCall(
        tx,
        session.connection.packageId,
        call.call,
        { namespace: options.namespace, priority: options.priority, ...call.values },
        { cluster: session.connection.clusterId, ...(call.write && cap ? { cap } : {}) },
        options.fee,
      );
    }
  });
  const ids = requestIdsOf(transaction.events);
  const keys = new ReplyKeys(session.connection);
  for (const [index, call] of calls.entries()) {
    const id = ids[index];
    if (call.replyKey && id !== undefined) keys.save(id, call.replyKey);
  }
  const outcomes: RequestOutcome[] = calls.map((call, index) => ({
    requestId: String(ids[index] ?? "?"),
    label: call.label,
    submittedTx: transaction.digest,
    sealed: call.replyKey !== undefined,
  }));
  return { outcomes, ids };
}

/** Waits for the results of `ids` and writes them into `outcomes` (same order). */
async function waitForOutcomes(
  session: Session,
  ids: readonly bigint[],
  outcomes: RequestOutcome[],
  timeoutSeconds: number,
): Promise<void> {
  const results = await waitForResults(session, ids, outcomes, timeoutSeconds);
  for (const [index, outcome] of outcomes.entries()) {
    const result = results[index];
    if (!result) continue;
    outcome.statusCode = result.event.status_code;
    outcome.summary = result.event.summary;
    outcome.resultTx = result.txDigest;
    const errorCode = errorCodeOf(result.event.summary);
    if (errorCode) outcome.errorCode = errorCode;
  }
}

/** `--no-wait`: what was sent, and how to follow it. */
function printSubmitted(format: OutputFormat, outcomes: readonly RequestOutcome[], fee: bigint) {
  if (format !== "table") {
    printResult(format, outcomes, () => "");
    return;
  }
  for (const outcome of outcomes) {
    process.stdout.write(
      `request ${outcome.requestId} (${outcome.label}) submitted in ${outcome.submittedTx}, fee ${sui(fee)}\n`,
    );
  }
  process.stderr.write(`follow it with: k8s-daas requests ${outcomes[0]?.requestId} --watch\n`);
}

/**
 * Successes go to stdout (unless the caller shows its own view), failures to stderr as
 * `error[CODE]: …` lines, one per failed request. Returns whether any failed.
 */
function printOutcomes(
  format: OutputFormat,
  outcomes: readonly RequestOutcome[],
  ownView: boolean,
): boolean {
  const failedOnes = outcomes.filter((outcome) => (outcome.statusCode ?? 0) >= 400);
  if (format !== "table" && !ownView) printResult(format, outcomes, () => "");
  for (const outcome of outcomes) {
    const line = `request ${outcome.requestId} (${outcome.label}): ${outcome.summary}`;
    if (failedOnes.includes(outcome)) {
      process.stderr.write(
        `error[${outcome.errorCode ?? `HTTP_${outcome.statusCode}`}]: ${line}\n`,
      );
    } else if (format === "table" && !ownView) {
      process.stdout.write(`${line}\n`);
    }
  }
  const first = failedOnes[0];
  if (first) process.stderr.write(`  hint: full output: k8s-daas result ${first.requestId}\n`);
  return first !== undefined;
}

async function waitForResults(
  session: Session,
  ids: readonly bigint[],
  planned: readonly { label: string }[],
  timeoutSeconds: number,
): Promise<FoundResult[]> {
  const what =
    ids.length === 1
      ? `request ${ids[0]} (${planned[0]?.label})`
      : `${ids.length} requests (${ids.join(", ")})`;
  const progress = startProgress(`waiting for the result of ${what}`);
  const stop = new AbortController();
  const interrupt = () => stop.abort(new CliError("INTERRUPTED", "stopped waiting"));
  process.once("SIGINT", interrupt);
  const timer =
    timeoutSeconds > 0
      ? setTimeout(
          () => stop.abort(new CliError("WAIT_TIMEOUT", `no result after ${timeoutSeconds}s`)),
          timeoutSeconds * 1000,
        )
      : undefined;
  const watcher = new ResultWatcher(
    session.client,
    session.connection.packageId,
    session.connection.clusterId,
  );
  try {
    const results = await session.chain(() =>
      watcher.waitFor(ids, {
        signal: stop.signal,
        onPoll: (pending) => {
          if (ids.length > 1 && pending < ids.length)
            progress.update(`waiting for ${pending} of ${ids.length} results`);
        },
      }),
    );
    progress.done();
    return results;
  } catch (error) {
    progress.done();
    const reason = stop.signal.reason;
    if (stop.signal.aborted && reason instanceof CliError) {
      throw new CliError(reason.code, `${reason.message} for ${what}; it stays on chain`, {
        hint: `follow it with: k8s-daas requests ${ids[0]} --watch`,
        exitCode: reason.code === "INTERRUPTED" ? EXIT.interrupted : EXIT.failure,
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    process.off("SIGINT", interrupt);
  }
}

/** `403 ADMISSION_HOST_PATH: …` → `ADMISSION_HOST_PATH`. */
export function errorCodeOf(summary: string): string | undefined {
  return /^\d{3} ([A-Z][A-Z0-9_]+):/.exec(summary)?.[1];
}

function feeFlag(value: unknown): bigint | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d{1,20}$/.test(value)) {
    throw usageError(`--fee must be a whole number of MIST, got "${String(value)}"`);
  }
  return BigInt(value);
}

/** UTF-8 bytes of a JSON payload, and the size check's view of it. */
export function jsonPayload(object: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(object));
}
