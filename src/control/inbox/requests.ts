import type { StatementSync } from "node:sqlite";
import type { RequestOutcome } from "../../k8s/operations.ts";
import type { DecodedEvent } from "../../protocol/index.ts";
import type { TenantRequest } from "../tenant-request.ts";
import type { AppliedEvent, InboxEvent, InboxExtension, InboxTables } from "./inbox.ts";

/**
 * Where a request is in its life. queued → running → done → reported; `cancelled` when the
 * requester cancelled on chain before we started. `done` means the outcome is persisted but
 * its `complete` transaction has not been confirmed yet.
 */
export type RequestState = "queued" | "running" | "done" | "reported" | "cancelled";

export interface InboxRequest extends TenantRequest {
  state: RequestState;
  txDigest: string;
  eventIndex: number;
  feeMist: bigint;
  chainTimestampMs: number;
  receivedAtMs: number;
  attempts: number;
  outcome?: StoredOutcome;
  reportDigest?: string;
}

export interface StoredOutcome extends RequestOutcome {
  /** The exact JSON document whose sha256 went on chain (served by the HTTP API). */
  json: string;
  outputSha256: Uint8Array;
  finishedAtMs: number;
}

/** What a batch of ingested events means for the pipeline. */
export interface IngestedRequests {
  /** Requests seen for the first time, in delivery order. */
  added: InboxRequest[];
  /** Requests cancelled on chain while still queued. */
  cancelled: bigint[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS requests (
  request_id INTEGER PRIMARY KEY, tx_digest TEXT NOT NULL, event_index INTEGER NOT NULL,
  requester TEXT NOT NULL, method TEXT NOT NULL, resource TEXT NOT NULL,
  namespace TEXT NOT NULL, name TEXT NOT NULL, payload BLOB NOT NULL, priority INTEGER NOT NULL,
  fee_mist TEXT NOT NULL, chain_timestamp_ms INTEGER NOT NULL, received_at_ms INTEGER NOT NULL,
  state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  status_code INTEGER, error_code TEXT, summary TEXT, output TEXT, output_sha256 BLOB,
  finished_at_ms INTEGER, report_digest TEXT, reported_at_ms INTEGER,
  sealed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS requests_by_state ON requests (state, request_id);
CREATE INDEX IF NOT EXISTS requests_by_requester ON requests (requester, request_id);
`;

interface RequestRow {
  request_id: number;
  tx_digest: string;
  event_index: number;
  requester: string;
  method: string;
  resource: string;
  namespace: string;
  name: string;
  payload: Uint8Array;
  priority: number;
  fee_mist: string;
  chain_timestamp_ms: number;
  received_at_ms: number;
  state: RequestState;
  attempts: number;
  status_code: number | null;
  error_code: string | null;
  summary: string | null;
  output: string | null;
  output_sha256: Uint8Array | null;
  finished_at_ms: number | null;
  report_digest: string | null;
  sealed: number;
}

/**
 * Tenant requests and their outcomes: one row per `K8sAPIRequestEvent`, moved along by the
 * pipeline with single-row writes that each survive a crash; cancellations and results seen
 * on chain settle it.
 */
export class RequestStore implements InboxExtension {
  #tables: InboxTables | undefined;
  #insert: StatementSync | undefined;

  open(tables: InboxTables): void {
    tables.db.exec(SCHEMA);
    // An inbox from before sealed payloads: its requests were all plaintext.
    const columns = tables.db.prepare("PRAGMA table_info(requests)").all() as { name: string }[];
    if (!columns.some((column) => column.name === "sealed")) {
      tables.db.exec("ALTER TABLE requests ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0");
    }
    this.#tables = tables;
    this.#insert = tables.db.prepare(
      `INSERT OR IGNORE INTO requests (request_id, tx_digest, event_index, requester, method,
         resource, namespace, name, payload, priority, fee_mist, chain_timestamp_ms,
         received_at_ms, state, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
    );
  }

  get #t(): InboxTables {
    if (!this.#tables) throw new Error("RequestStore used before it was attached to an inbox");
    return this.#tables;
  }

  apply(event: InboxEvent, decoded: DecodedEvent): void {
    const t = this.#t;
    switch (decoded.name) {
      case "K8sAPIRequestEvent": {
        const e = decoded.value;
        this.#insert?.run(
          Number(e.request_id),
          event.txDigest,
          event.eventIndex,
          e.requester,
          e.method,
          e.resource,
          e.namespace,
          e.name,
          Uint8Array.from(e.payload),
          e.priority,
          e.fee_mist,
          Number(e.timestamp_ms),
          t.now(),
          e.sealed ? 1 : 0,
        );
        return;
      }
      case "K8sAPIRequestCancelledEvent":
        t.statement(
          "UPDATE requests SET state = 'cancelled' WHERE request_id = ? AND state = 'queued'",
        ).run(Number(decoded.value.request_id));
        return;
      case "K8sAPIResultEvent":
        t.statement(
          `UPDATE requests SET state = 'reported', report_digest = ?, reported_at_ms = ?
             WHERE request_id = ? AND state != 'reported'`,
        ).run(event.txDigest, t.now(), Number(decoded.value.request_id));
        return;
      default:
        return;
    }
  }

  /** The requests a batch of applied events added or cancelled (read after its commit). */
  ingested(applied: readonly AppliedEvent[]): IngestedRequests {
    const result: IngestedRequests = { added: [], cancelled: [] };
    for (const { event, decoded } of applied) {
      if (decoded.name === "K8sAPIRequestEvent") {
        const request = this.get(BigInt(decoded.value.request_id));
        // Only the event that created the row adds it (a request id is never reused).
        if (request?.txDigest === event.txDigest && request.eventIndex === event.eventIndex) {
          if (request.state === "queued") result.added.push(request);
        }
      } else if (decoded.name === "K8sAPIRequestCancelledEvent") {
        const id = BigInt(decoded.value.request_id);
        if (this.get(id)?.state === "cancelled") result.cancelled.push(id);
      }
    }
    return result;
  }

  get(requestId: bigint): InboxRequest | undefined {
    const row = this.#t
      .statement("SELECT * FROM requests WHERE request_id = ?")
      .get(Number(requestId)) as RequestRow | undefined;
    return row ? toRequest(row, this.#t.clusterId) : undefined;
  }

  /** Requests in the given states, oldest first. */
  inState(states: readonly RequestState[], limit = 10_000): InboxRequest[] {
    const placeholders = states.map(() => "?").join(", ");
    const rows = this.#t
      .statement(
        `SELECT * FROM requests WHERE state IN (${placeholders}) ORDER BY request_id LIMIT ?`,
      )
      .all(...states, limit) as unknown as RequestRow[];
    return rows.map((row) => toRequest(row, this.#t.clusterId));
  }

  /** The requester's requests, newest first. */
  byRequester(requester: string, limit: number): InboxRequest[] {
    const rows = this.#t
      .statement("SELECT * FROM requests WHERE requester = ? ORDER BY request_id DESC LIMIT ?")
      .all(requester, limit) as unknown as RequestRow[];
    return rows.map((row) => toRequest(row, this.#t.clusterId));
  }

  countByState(): Record<RequestState, number> {
    const counts: Record<RequestState, number> = {
      queued: 0,
      running: 0,
      done: 0,
      reported: 0,
      cancelled: 0,
    };
    const rows = this.#t
      .statement("SELECT state, COUNT(*) AS n FROM requests GROUP BY state")
      .all() as { state: RequestState; n: number }[];
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  }

  /** How many of this cluster's requests the inbox holds. */
  count(): bigint {
    const row = this.#t.statement("SELECT COUNT(*) AS n FROM requests").get() as { n: number };
    return BigInt(row.n);
  }

  /** Marks the start of an execution attempt; a crash after this re-executes (idempotently). */
  markRunning(requestId: bigint): void {
    this.#t
      .statement(
        "UPDATE requests SET state = 'running', attempts = attempts + 1 WHERE request_id = ? AND state IN ('queued', 'running')",
      )
      .run(Number(requestId));
  }

  /** Persists the outcome before anything is signed or sent. */
  recordOutcome(
    requestId: bigint,
    outcome: RequestOutcome,
    outputSha256: Uint8Array,
    outputJson: string,
  ): void {
    this.#t
      .statement(
        `UPDATE requests SET state = 'done', status_code = ?, error_code = ?, summary = ?, output = ?,
           output_sha256 = ?, finished_at_ms = ? WHERE request_id = ? AND state IN ('queued', 'running')`,
      )
      .run(
        outcome.statusCode,
        outcome.errorCode ?? null,
        outcome.summary,
        outputJson,
        outputSha256,
        this.#t.now(),
        Number(requestId),
      );
  }

  /** Marks requests reported in one transaction (a whole `complete` batch). */
  markAllReported(requestIds: readonly bigint[], digest: string): void {
    this.#t.transaction(() => {
      for (const id of requestIds) this.markReported(id, digest);
    });
  }

  markReported(requestId: bigint, digest: string): void {
    this.#t
      .statement(
        "UPDATE requests SET state = 'reported', report_digest = ?, reported_at_ms = ? WHERE request_id = ?",
      )
      .run(digest, this.#t.now(), Number(requestId));
  }

  markCancelled(requestId: bigint): void {
    this.#t
      .statement(
        "UPDATE requests SET state = 'cancelled' WHERE request_id = ? AND state IN ('queued', 'running', 'done')",
      )
      .run(Number(requestId));
  }
}

function toRequest(row: RequestRow, clusterId: string): InboxRequest {
  const request: InboxRequest = {
    requestId: BigInt(row.request_id),
    clusterId,
    method: row.method,
    resource: row.resource,
    namespace: row.namespace,
    name: row.name,
    payload: new Uint8Array(row.payload),
    sealed: row.sealed === 1,
    priority: row.priority,
    requester: row.requester,
    state: row.state,
    txDigest: row.tx_digest,
    eventIndex: row.event_index,
    feeMist: BigInt(row.fee_mist),
    chainTimestampMs: row.chain_timestamp_ms,
    receivedAtMs: row.received_at_ms,
    attempts: row.attempts,
  };
  if (row.status_code !== null && row.output_sha256 !== null) {
    const json = row.output ?? "null";
    const outcome: StoredOutcome = {
      statusCode: row.status_code,
      summary: row.summary ?? "",
      json,
      output: (JSON.parse(json) as { output?: unknown } | null)?.output ?? null,
      outputSha256: new Uint8Array(row.output_sha256),
      finishedAtMs: row.finished_at_ms ?? 0,
    };
    if (row.error_code !== null) outcome.errorCode = row.error_code;
    request.outcome = outcome;
  }
  if (row.report_digest !== null) request.reportDigest = row.report_digest;
  return request;
}
