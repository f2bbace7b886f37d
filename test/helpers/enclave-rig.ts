// A second holder of a test stack's enclave key: its own inbox (requests, sequences), its
// own operator and the real EnclavePoster, against the stack's devnet. Tests use it to play
// "an earlier run that posted and then lost its record" or "another process signing with
// the same key", and to read what the chain holds. No Kubernetes involved.
import { createHash } from "node:crypto";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import {
  decodeCursor,
  type RawChainEvent,
  readEventPage,
  SubmissionJournal,
  Submitter,
} from "../../src/chain/index.ts";
import { EnclavePoster } from "../../src/control/enclave-poster.ts";
import {
  type ControlState,
  type InboxRequest,
  openControlState,
  type RequestStore,
} from "../../src/control/inbox/index.ts";
import { chainSummary, outputJson } from "../../src/control/pipeline/index.ts";
import type { RequestOutcome } from "../../src/k8s/operations.ts";
import { abortConstantName } from "../../src/protocol/index.ts";
import type { EnclaveSigner } from "../../src/tee/index.ts";
import type { Stack } from "./stack.ts";

export interface EnclaveRig {
  /** This rig's own inbox, in memory. */
  readonly state: ControlState;
  readonly poster: EnclavePoster;
  readonly operator: Ed25519Keypair;
  /** Ingests every event of the stack's package on chain (duplicates are skipped). */
  ingestAll(): Promise<void>;
  close(): void;
}

/** A rig signing with `signer` (default: the stack's enclave key, registered on chain). */
export async function openEnclaveRig(
  stack: Stack,
  options: { signer?: EnclaveSigner } = {},
): Promise<EnclaveRig> {
  const operator = Ed25519Keypair.generate();
  await stack.devnet.faucet(operator.toSuiAddress(), 1_000_000_000_000n);
  const state = openControlState(":memory:", {
    clusterId: stack.clusterId,
    packageId: stack.packageId,
  });
  const journal = new SubmissionJournal(":memory:");
  const submitter = new Submitter({
    client: stack.client,
    signer: operator,
    journal,
    abortNames: abortConstantName,
  });
  const poster = new EnclavePoster({
    sequences: state.sequences,
    signer: options.signer ?? stack.enclave,
    submitter,
    client: stack.client,
    packageId: stack.packageId,
    clusterId: stack.clusterId,
  });
  return {
    state,
    poster,
    operator,
    async ingestAll() {
      state.inbox.ingest(await chainEvents(stack), null);
    },
    close() {
      state.inbox.close();
      journal.close();
    },
  };
}

/** Every event of the stack's package on chain, oldest first. */
export async function chainEvents(stack: Stack): Promise<RawChainEvent[]> {
  const events: RawChainEvent[] = [];
  let after = null;
  for (;;) {
    const page = await readEventPage(stack.client, {
      eventTypes: [`${stack.packageId}::events`],
      after,
      limit: 1_000,
      signal: new AbortController().signal,
    });
    events.push(...page.events);
    if (!page.hasNextPage || page.nextCursor === null) return events;
    after = decodeCursor(page.nextCursor);
  }
}

/** The cursor just after the last event of the package on chain (null: there is none). */
export async function cursorAfterAll(stack: Stack): Promise<string | null> {
  return (await chainEvents(stack)).at(-1)?.cursor ?? null;
}

/** Persists an outcome the way the pipeline's record step does (state `done`). */
export function recordOutcome(
  requests: RequestStore,
  requestId: bigint,
  outcome: RequestOutcome,
): void {
  const json = outputJson(outcome);
  const digest = createHash("sha256").update(json, "utf8").digest();
  requests.recordOutcome(requestId, outcome, new Uint8Array(digest), json);
}

/** The `complete` fields for a done request, as the reporter signs them. */
export function completeFields(request: InboxRequest) {
  const outcome = request.outcome;
  if (!outcome) throw new Error(`request ${request.requestId} has no outcome`);
  return {
    request_id: request.requestId,
    status_code: outcome.statusCode,
    output_sha256: outcome.outputSha256,
    summary: chainSummary(outcome),
  };
}
