import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { FollowerCursor } from "../../chain/index.ts";
import { type DecodedEvent, decodeEvent } from "../../protocol/index.ts";
import { immediateTransaction } from "../../shared/sqlite.ts";

/** An event the follower delivered, with its identity. */
export interface InboxEvent {
  txDigest: string;
  eventIndex: number;
  checkpoint: bigint;
  eventType: string;
  bcs: Uint8Array;
}

/** A new event of this cluster, decoded once, as the extensions saw it. */
export interface AppliedEvent {
  event: InboxEvent;
  decoded: DecodedEvent;
}

export interface IngestResult {
  /** New events of this cluster's package and cluster object, in delivery order. */
  applied: AppliedEvent[];
  /** Events already stored (re-delivered after a reconnect or a crash). */
  duplicates: number;
}

/** What an extension may use of the inbox's database: all inside the inbox's transactions. */
export interface InboxTables {
  readonly db: DatabaseSync;
  readonly clusterId: string;
  /** A statement prepared once per SQL text. */
  statement(sql: string): StatementSync;
  /** Runs `work` in one IMMEDIATE transaction (joins the ingest transaction when inside it). */
  transaction<T>(work: () => T): T;
  meta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  now(): number;
}

/**
 * Keeps its own tables in the inbox's database, fed by the same events inside the same
 * transaction as the cursor: requests, namespace claims, enclave sequences and the worker
 * registry are each one of these.
 */
export interface InboxExtension {
  /** Creates its tables; called once when attached. */
  open(tables: InboxTables): void;
  /** Applies one new event of this cluster, inside the ingest transaction. */
  apply(event: InboxEvent, decoded: DecodedEvent): void;
}

export interface InboxOptions {
  clusterId: string;
  /** Events of any other package are stored raw and never acted on. */
  packageId?: string;
  now?: () => number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  tx_digest TEXT NOT NULL, event_index INTEGER NOT NULL, checkpoint INTEGER NOT NULL,
  event_type TEXT NOT NULL, bcs BLOB NOT NULL, PRIMARY KEY (tx_digest, event_index));
`;

/**
 * nautilus-control's durable memory (SQLite): the event log and the follower's cursor,
 * committed in ONE transaction with whatever the extensions derive from the same events, so
 * after a crash nothing is lost and nothing is taken twice.
 */
export class Inbox {
  readonly clusterId: string;
  readonly #db: DatabaseSync;
  readonly #packageId: string | undefined;
  readonly #now: () => number;
  readonly #extensions: InboxExtension[] = [];
  readonly #cache = new Map<string, StatementSync>();
  readonly #insertEvent: StatementSync;
  readonly #tables: InboxTables;

  constructor(path: string, options: InboxOptions) {
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
    this.#now = options.now ?? Date.now;
    this.#packageId = options.packageId;
    const known = this.#meta("cluster_id");
    if (known !== undefined && known !== options.clusterId) {
      throw new Error(
        `the inbox at ${path} belongs to cluster ${known}, not ${options.clusterId}; use another data dir`,
      );
    }
    if (known === undefined) this.#setMeta("cluster_id", options.clusterId);
    this.clusterId = options.clusterId;
    this.#insertEvent = this.#db.prepare(
      "INSERT OR IGNORE INTO events (tx_digest, event_index, checkpoint, event_type, bcs) VALUES (?, ?, ?, ?, ?)",
    );
    this.#tables = {
      db: this.#db,
      clusterId: this.clusterId,
      statement: (sql) => this.#statement(sql),
      transaction: (work) => this.transaction(work),
      meta: (key) => this.#meta(key),
      setMeta: (key, value) => this.#setMeta(key, value),
      now: () => this.#now(),
    };
  }

  close(): void {
    this.#db.close();
  }

  /** Attaches an extension: it sees every event ingested from now on, in the same transaction. */
  extend<T extends InboxExtension>(extension: T): T {
    extension.open(this.#tables);
    this.#extensions.push(extension);
    return extension;
  }

  cursor(): FollowerCursor | null {
    return this.#meta("cursor") ?? null;
  }

  /**
   * Stores a batch of events and the cursor after them, all or nothing. `null` leaves the
   * cursor where it is (a reconciliation re-read of old events).
   */
  ingest(events: readonly InboxEvent[], cursor: FollowerCursor | null): IngestResult {
    const result: IngestResult = { applied: [], duplicates: 0 };
    this.transaction(() => {
      for (const event of events) {
        const inserted = this.#insertEvent.run(
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
        const decoded = this.#decodeOurs(event);
        if (!decoded) continue;
        for (const extension of this.#extensions) extension.apply(event, decoded);
        result.applied.push({ event, decoded });
      }
      if (cursor !== null) this.#setMeta("cursor", cursor);
    });
    return result;
  }

  /** The event decoded if it is this package's and about this cluster; the raw row stays. */
  #decodeOurs(event: InboxEvent): DecodedEvent | undefined {
    let decoded: DecodedEvent;
    try {
      decoded = decodeEvent(
        event.eventType,
        event.bcs,
        this.#packageId === undefined ? {} : { packageId: this.#packageId },
      );
    } catch {
      return undefined;
    }
    return decoded.value.cluster_id === this.clusterId ? decoded : undefined;
  }

  transaction<T>(work: () => T): T {
    return immediateTransaction(this.#db, work);
  }

  /** Prepares each SQL text once: preparing costs more than running these small queries. */
  #statement(sql: string): StatementSync {
    let statement = this.#cache.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#cache.set(sql, statement);
    }
    return statement;
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
