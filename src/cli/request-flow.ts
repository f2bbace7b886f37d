import { addCall } from "../chain/k8s-daas.ts";
import { type FoundResult, ResultWatcher } from "../chain/results.ts";
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
  fee: { type: "string" },
  priority: { type: "string" },
  timeout: { type: "string" },
  ...CONNECTION_OPTIONS,
} as const;

export const REQUEST_HELP: Record<string, string> = {
  namespace: "your namespace (default: the context's, else the only one you hold)",
  "no-wait": "return once the request is on chain; do not wait for its result",
  fee: "fee in MIST (default: the cluster's request fee)",
  priority: `0 (lowest) to ${MAX_PRIORITY} (highest), default 5`,
  timeout: "seconds to wait for the result (default 300; 0 waits forever)",
  ...CONNECTION_HELP,
};

/** One k8s_daas call that becomes one request. */
export interface PlannedRequest {
  call: CallName;
  values: Record<string, unknown>;
  /** `pod/web`, for messages. */
  label: string;
  /** Writes pass the NamespaceCap; GETs (`submit_get`) need none. */
  write: boolean;
  /** The bytes that go on chain as the payload, for the size check. */
  payload?: Uint8Array;
}

export interface RequestOutcome {
  requestId: string;
  label: string;
  submittedTx: string;
  statusCode?: number;
  errorCode?: string;
  summary?: string;
  resultTx?: string;
}

/**
 * Sends the planned requests in one transaction (all or none land), then, unless
 * `--no-wait`, waits for each one's K8sAPIResultEvent on chain. Returns the outcomes;
 * prints successes unless `ownView` (a caller that shows its own answer, like `get`).
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
  for (const request of planned) {
    if (request.payload)
      checkPayloadSize(request.payload, request.label, BigInt(cluster.config.max_payload_bytes));
  }
  // Paying for a request nobody will execute is worse than not sending it.
  if (wait && session.connection.controlUrl) await session.controlApi().health();
  const needsCap = planned.some((request) => request.write);
  const cap = needsCap ? await session.namespaceCap(namespace) : undefined;

  const transaction = await session.execute((tx) => {
    for (const request of planned) {
      addCall(
        tx,
        session.connection.packageId,
        request.call,
        { namespace, priority, ...request.values },
        { cluster: session.connection.clusterId, ...(request.write && cap ? { cap } : {}) },
        fee,
      );
    }
  });
  const ids = requestIdsOf(transaction.events);
  const outcomes: RequestOutcome[] = planned.map((request, index) => ({
    requestId: String(ids[index] ?? "?"),
    label: request.label,
    submittedTx: transaction.digest,
  }));
  const ownView = options.ownView === true;
  if (!wait) {
    printSubmitted(session.connection.output, outcomes, fee);
    return { outcomes, failed: false };
  }

  const results = await waitForResults(session, ids, planned, timeoutSeconds);
  for (const [index, outcome] of outcomes.entries()) {
    const result = results[index];
    if (!result) continue;
    outcome.statusCode = result.event.status_code;
    outcome.summary = result.event.summary;
    outcome.resultTx = result.txDigest;
    const errorCode = errorCodeOf(result.event.summary);
    if (errorCode) outcome.errorCode = errorCode;
  }
  return { outcomes, failed: printOutcomes(session.connection.output, outcomes, ownView) };
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
  planned: readonly PlannedRequest[],
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
