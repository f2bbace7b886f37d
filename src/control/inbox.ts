import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { FollowerCursor } from "../chain/index.ts";
import type { RequestOutcome, TenantRequest } from "../k8s/operations.ts";
import { decodeEvent, type K8sAPIRequestEvent, NAMESPACE_ACTION } from "../protocol/index.ts";

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

/** An event the follower delivered, with its identity. */
export interface InboxEvent {
  txDigest: string;
  eventIndex: number;
  checkpoint: bigint;
  eventType: string;
  bcs: Uint8Array;
}

export interface IngestResult {
  /** Requests seen for the first time, in request-id order. */
  added: InboxRequest[];
  /** Requests cancelled on chain while still queued. */
  cancelled: bigint[];
  /** Requests whose result landed on chain (ours, possibly from before a crash). */
  reported: bigint[];
  duplicates: number;
}

/**
 * Keeps its own tables in the inbox's database, fed by the same events inside the same
 * transaction as the cursor (src/control/workers keeps the worker registry this way).
 */
export interface InboxExtension {
  /** Creates its tables; called once when attached. */
  open(db: DatabaseSync): void;
  /** Applies one new event of this cluster (already decoded), inside the ingest transaction. */
  apply(event: InboxEvent, decoded: ReturnType<typeof decodeEvent>): void;
}

export interface NamespaceClaim {
  namespace: string;
  owner: string;
  capId: string;
  released: boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  tx_digest TEXT NOT NULL, event_index INTEGER NOT NULL, checkpoint INTEGER NOT NULL,
  event_type TEXT NOT NULL, bcs BLOB NOT NULL, PRIMARY KEY (tx_digest, event_index));
CREATE TABLE IF NOT EXISTS requests (
  request_id INTEGER PRIMARY KEY, tx_digest TEXT NOT NULL, event_index INTEGER NOT NULL,
  requester TEXT NOT NULL, method TEXT NOT NULL, resource TEXT NOT NULL,
  namespace TEXT NOT NULL, name TEXT NOT NULL, payload BLOB NOT NULL, priority INTEGER NOT NULL,
  fee_mist TEXT NOT NULL, chain_timestamp_ms INTEGER NOT NULL, received_at_ms INTEGER NOT NULL,
  state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  status_code INTEGER, error_code TEXT, summary TEXT, output TEXT, output_sha256 BLOB,
  finished_at_ms INTEGER, report_digest TEXT, reported_at_ms INTEGER);
CREATE INDEX IF NOT EXISTS requests_by_state ON requests (state, request_id);
CREATE INDEX IF NOT EXISTS requests_by_requester ON requests (requester, request_id);
CREATE TABLE IF NOT EXISTS namespaces (
  namespace TEXT PRIMARY KEY, owner TEXT NOT NULL, cap_id TEXT NOT NULL,
  released INTEGER NOT NULL, updated_checkpoint INTEGER NOT NULL);
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
}

/**
 * nautilus-control's durable memory (SQLite). The follower's events and its cursor are
 * committed in ONE transaction, so after a crash nothing is lost and nothing is taken twice;
 * every state change of a request is a single-row write that survives a crash.
 */
export class Inbox {
  readonly #db: DatabaseSync;
  readonly clusterId: string;
  readonly #now: () => number;
  readonly #extensions: InboxExtension[] = [];
  readonly #statements: ReturnType<typeof prepareStatements>;
  readonly #cache = new Map<string, StatementSync>();

  /** Prepares each SQL text once: preparing costs more than running these small queries. */
  #statement(sql: string): StatementSync {
    let statement = this.#cache.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#cache.set(sql, statement);
    }
    return statement;
  }

  constructor(path: string, clusterId: string, now: () => number = Date.now) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec(
      // WAL + NORMAL: a commit survives any crash of the process (SIGKILL included); only a
      // power loss can undo the last commits, and every step here tolerates that: events
      // are re-delivered and deduplicated, requests re-run idempotently, a result posted twice
      // is refused by the chain, and sequence numbers resync from the chain.
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
    );
    this.#db.exec(SCHEMA);
    this.#now = now;
    const known = this.#meta("cluster_id");
    if (known !== undefined && known !== clusterId) {
      throw new Error(
        `the inbox at ${path} belongs to cluster ${known}, not ${clusterId}; use another data dir`,
      );
    }
    if (known === undefined) this.#setMeta("cluster_id", clusterId);
    this.clusterId = clusterId;
    this.#statements = prepareStatements(this.#db);
  }

  close(): void {
    this.#db.close();
  }

  /** Attaches an extension: it sees every event ingested from now on, in the same transaction. */
  extend(extension: InboxExtension): void {
    extension.open(this.#db);
    this.#extensions.push(extension);
  }

  cursor(): FollowerCursor | null {
    return this.#meta("cursor") ?? null;
  }

  /**
   * Stores a batch of events and the cursor after them, all or nothing. `null` leaves the
   * cursor where it is (a reconciliation re-read of old events).
   */
  ingest(events: readonly InboxEvent[], cursor: FollowerCursor | null): IngestResult {
    const result: IngestResult = { added: [], cancelled: [], reported: [], duplicates: 0 };
    const { insertEvent } = this.#statements;
    this.#transaction(() => {
      for (const event of events) {
        const inserted = insertEvent.run(
          event.txDigest,
          event.eventIndex,
          Number(event.checkpoint),
          event.eventType,
          event.bcs,
        );
        if (inserted.changes === 0) {
          result.duplicates++;
          continue;
        }
        this.#apply(event, result);
      }
      if (cursor !== null) this.#setMeta("cursor", cursor);
    });
    return result;
  }

  #apply(event: InboxEvent, result: IngestResult): void {
    let decoded: ReturnType<typeof decodeEvent>;
    try {
      decoded = decodeEvent(event.eventType, event.bcs);
    } catch {
      return; // not one of ours to act on; the raw event stays recorded
    }
    const { name, value } = decoded;
    if ((value as { cluster_id: string }).cluster_id !== this.clusterId) return;
    for (const extension of this.#extensions) extension.apply(event, decoded);
    switch (name) {
      case "K8sAPIRequestEvent": {
        const e = value as ReturnType<typeof K8sAPIRequestEvent.parse>;
        const request: InboxRequest = {
          requestId: BigInt(e.request_id),
          clusterId: this.clusterId,
          method: e.method,
          resource: e.resource,
          namespace: e.namespace,
          name: e.name,
          payload: Uint8Array.from(e.payload),
          priority: e.priority,
          requester: e.requester,
          state: "queued",
          txDigest: event.txDigest,
          eventIndex: event.eventIndex,
          feeMist: BigInt(e.fee_mist),
          chainTimestampMs: Number(e.timestamp_ms),
          receivedAtMs: this.#now(),
          attempts: 0,
        };
        const changes = this.#statements.insertRequest.run(
          Number(request.requestId),
          request.txDigest,
          request.eventIndex,
          request.requester,
          request.method,
          request.resource,
          request.namespace,
          request.name,
          request.payload,
          request.priority,
          e.fee_mist,
          request.chainTimestampMs,
          request.receivedAtMs,
        ).changes;
        if (changes > 0) result.added.push(request);
        return;
      }
      case "K8sAPIRequestCancelledEvent": {
        const id = Number((value as { request_id: string }).request_id);
        const changes = this.#statement(
          "UPDATE requests SET state = 'cancelled' WHERE request_id = ? AND state = 'queued'",
        ).run(id).changes;
        if (changes > 0) result.cancelled.push(BigInt(id));
        return;
      }
      case "K8sAPIResultEvent": {
        const id = Number((value as { request_id: string }).request_id);
        this.#statement(
          `UPDATE requests SET state = 'reported', report_digest = ?, reported_at_ms = ?
             WHERE request_id = ? AND state != 'reported'`,
        ).run(event.txDigest, this.#now(), id);
        result.reported.push(BigInt(id));
        return;
      }
      case "NamespaceEvent": {
        const e = value as { namespace: string; owner: string; cap_id: string; action: number };
        this.#statement(
          `INSERT INTO namespaces (namespace, owner, cap_id, released, updated_checkpoint)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT(namespace) DO UPDATE SET owner = excluded.owner,
             cap_id = excluded.cap_id, released = excluded.released,
             updated_checkpoint = excluded.updated_checkpoint`,
        ).run(
          e.namespace,
          e.owner,
          e.cap_id,
          e.action === NAMESPACE_ACTION.released ? 1 : 0,
          Number(event.checkpoint),
        );
        return;
      }
      default:
        return;
    }
  }

  get(requestId: bigint): InboxRequest | undefined {
    const row = this.#statement("SELECT * FROM requests WHERE request_id = ?").get(
      Number(requestId),
    ) as RequestRow | undefined;
    return row ? toRequest(row, this.clusterId) : undefined;
  }

  /** Requests in the given states, oldest first. */
  inState(states: readonly RequestState[], limit = 10_000): InboxRequest[] {
    const placeholders = states.map(() => "?").join(", ");
    const rows = this.#statement(
      `SELECT * FROM requests WHERE state IN (${placeholders}) ORDER BY request_id LIMIT ?`,
    ).all(...states, limit) as unknown as RequestRow[];
    return rows.map((row) => toRequest(row, this.clusterId));
  }

  /** The requester's requests, newest first. */
  byRequester(requester: string, limit: number): InboxRequest[] {
    const rows = this.#statement(
      "SELECT * FROM requests WHERE requester = ? ORDER BY request_id DESC LIMIT ?",
    ).all(requester, limit) as unknown as RequestRow[];
    return rows.map((row) => toRequest(row, this.clusterId));
  }

  countByState(): Record<RequestState, number> {
    const counts: Record<RequestState, number> = {
      queued: 0,
      running: 0,
      done: 0,
      reported: 0,
      cancelled: 0,
    };
    for (const row of this.#statement(
      "SELECT state, COUNT(*) AS n FROM requests GROUP BY state",
    ).all() as {
      state: RequestState;
      n: number;
    }[]) {
      counts[row.state] = row.n;
    }
    return counts;
  }

  maxRequestId(): bigint {
    const row = this.#statement("SELECT MAX(request_id) AS id FROM requests").get() as {
      id: number | null;
    };
    return BigInt(row.id ?? 0);
  }

  /** Marks the start of an execution attempt; a crash after this re-executes (idempotently). */
  markRunning(requestId: bigint): void {
    this.#statement(
      "UPDATE requests SET state = 'running', attempts = attempts + 1 WHERE request_id = ? AND state IN ('queued', 'running')",
    ).run(Number(requestId));
  }

  /** Persists the outcome before anything is signed or sent. */
  recordOutcome(
    requestId: bigint,
    outcome: RequestOutcome,
    outputSha256: Uint8Array,
    outputJson: string,
  ): void {
    this.#statement(
      `UPDATE requests SET state = 'done', status_code = ?, error_code = ?, summary = ?, output = ?,
           output_sha256 = ?, finished_at_ms = ? WHERE request_id = ? AND state IN ('queued', 'running')`,
    ).run(
      outcome.statusCode,
      outcome.errorCode ?? null,
      outcome.summary,
      outputJson,
      outputSha256,
      this.#now(),
      Number(requestId),
    );
  }

  /** Marks requests reported in one transaction (a whole `complete` batch). */
  markAllReported(requestIds: readonly bigint[], digest: string): void {
    this.#transaction(() => {
      for (const id of requestIds) this.markReported(id, digest);
    });
  }

  markReported(requestId: bigint, digest: string): void {
    this.#statement(
      "UPDATE requests SET state = 'reported', report_digest = ?, reported_at_ms = ? WHERE request_id = ?",
    ).run(digest, this.#now(), Number(requestId));
  }

  markCancelled(requestId: bigint): void {
    this.#statement(
      "UPDATE requests SET state = 'cancelled' WHERE request_id = ? AND state IN ('queued', 'running', 'done')",
    ).run(Number(requestId));
  }

  namespaces(): NamespaceClaim[] {
    const rows = this.#statement("SELECT * FROM namespaces ORDER BY namespace").all() as {
      namespace: string;
      owner: string;
      cap_id: string;
      released: number;
    }[];
    return rows.map((row) => ({
      namespace: row.namespace,
      owner: row.owner,
      capId: row.cap_id,
      released: row.released === 1,
    }));
  }

  namespace(name: string): NamespaceClaim | undefined {
    const row = this.#statement("SELECT * FROM namespaces WHERE namespace = ?").get(name) as
      | { namespace: string; owner: string; cap_id: string; released: number }
      | undefined;
    return row
      ? {
          namespace: row.namespace,
          owner: row.owner,
          capId: row.cap_id,
          released: row.released === 1,
        }
      : undefined;
  }

  /**
   * Reserves `count` enclave sequence numbers, persisted before use: a number handed out is
   * never handed out again, even across a crash.
   */
  reserveSequences(count: number, atLeast: bigint): bigint[] {
    return this.#transaction(() => {
      const stored = BigInt(this.#meta("next_sequence") ?? "1");
      const first = stored > atLeast ? stored : atLeast;
      this.#setMeta("next_sequence", String(first + BigInt(count)));
      return Array.from({ length: count }, (_, i) => first + BigInt(i));
    });
  }

  #transaction<T>(work: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #meta(key: string): string | undefined {
    const row = this.#statement("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  #setMeta(key: string, value: string): void {
    this.#statement(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(key, value);
  }
}

/** The statements of the hot path, prepared once. */
function prepareStatements(db: DatabaseSync) {
  return {
    insertEvent: db.prepare(
      "INSERT OR IGNORE INTO events (tx_digest, event_index, checkpoint, event_type, bcs) VALUES (?, ?, ?, ?, ?)",
    ),
    insertRequest: db.prepare(
      `INSERT OR IGNORE INTO requests (request_id, tx_digest, event_index, requester, method,
         resource, namespace, name, payload, priority, fee_mist, chain_timestamp_ms,
         received_at_ms, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued')`,
    ),
  };
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
