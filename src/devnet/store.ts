import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { immediateTransaction } from "../shared/sqlite.ts";
import type { ObjectOwner, StoredObject } from "./objects.ts";

/** An event as the ledger keeps it; `seq` is its position in ledger order (the cursor). */
export interface StoredEvent {
  seq: number;
  checkpoint: number;
  txDigest: string;
  eventIndex: number;
  packageId: string;
  module: string;
  sender: string;
  type: string;
  contents: Uint8Array;
}

export interface StoredTransaction {
  digest: string;
  checkpoint: number;
  timestampMs: number;
  /** `GrpcTypes.ExecutedTransaction` in protobuf binary form, exactly as answered. */
  executed: Uint8Array;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
  id TEXT PRIMARY KEY, version INTEGER NOT NULL, digest TEXT NOT NULL,
  owner TEXT NOT NULL, owner_address TEXT, type TEXT NOT NULL, contents BLOB NOT NULL,
  previous_tx TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS objects_by_owner ON objects(owner_address, type);
CREATE TABLE IF NOT EXISTS dynamic_fields (
  parent TEXT NOT NULL, name BLOB NOT NULL, value BLOB NOT NULL, PRIMARY KEY (parent, name));
CREATE TABLE IF NOT EXISTS transactions (
  digest TEXT PRIMARY KEY, checkpoint INTEGER NOT NULL, timestamp_ms INTEGER NOT NULL,
  executed BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY, checkpoint INTEGER NOT NULL, tx_digest TEXT NOT NULL,
  event_index INTEGER NOT NULL, package_id TEXT NOT NULL, module TEXT NOT NULL,
  sender TEXT NOT NULL, type TEXT NOT NULL, contents BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints (
  seq INTEGER PRIMARY KEY, timestamp_ms INTEGER NOT NULL, tx_digest TEXT NOT NULL);
`;

interface ObjectRow {
  id: string;
  version: number;
  digest: string;
  owner: string;
  type: string;
  contents: Uint8Array;
  previous_tx: string;
}

interface EventRow {
  seq: number;
  checkpoint: number;
  tx_digest: string;
  event_index: number;
  package_id: string;
  module: string;
  sender: string;
  type: string;
  contents: Uint8Array;
}

/**
 * The devnet's durable state in one SQLite file (or in memory). Every executed transaction
 * is written by `commit` inside one SQLite transaction, so a crash leaves either all of its
 * effects or none.
 */
export class LedgerStore {
  readonly #db: DatabaseSync;
  readonly #getObject: StatementSync;
  readonly #putObject: StatementSync;
  readonly #deleteObject: StatementSync;
  readonly #insertEvent: StatementSync;
  readonly #insertTx: StatementSync;
  readonly #insertCheckpoint: StatementSync;

  readonly #statements = new Map<string, StatementSync>();

  /** Prepares each SQL text once: preparing costs more than running these small queries. */
  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    this.#db.exec(SCHEMA);
    this.#getObject = this.#statement("SELECT * FROM objects WHERE id = ?");
    this.#putObject = this.#statement(
      `INSERT INTO objects (id, version, digest, owner, owner_address, type, contents, previous_tx)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET version = excluded.version, digest = excluded.digest,
         owner = excluded.owner, owner_address = excluded.owner_address, type = excluded.type,
         contents = excluded.contents, previous_tx = excluded.previous_tx`,
    );
    this.#deleteObject = this.#statement("DELETE FROM objects WHERE id = ?");
    this.#insertEvent = this.#statement(
      `INSERT INTO events (checkpoint, tx_digest, event_index, package_id, module, sender, type,
         contents) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertTx = this.#statement(
      "INSERT INTO transactions (digest, checkpoint, timestamp_ms, executed) VALUES (?, ?, ?, ?)",
    );
    this.#insertCheckpoint = this.#statement(
      "INSERT INTO checkpoints (seq, timestamp_ms, tx_digest) VALUES (?, ?, ?)",
    );
  }

  close(): void {
    this.#db.close();
  }

  getMeta(key: string): string | undefined {
    const row = this.#statement("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.#statement(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(key, value);
  }

  getObject(id: string): StoredObject | undefined {
    const row = this.#getObject.get(id) as ObjectRow | undefined;
    return row ? toObject(row) : undefined;
  }

  /** Objects owned by an address, optionally of one exact type, in id order. */
  listOwned(
    address: string,
    options: { type?: string; afterId?: string; limit: number },
  ): StoredObject[] {
    const rows = this.#statement(
      `SELECT * FROM objects WHERE owner_address = ? AND (? IS NULL OR type = ?)
         AND (? IS NULL OR id > ?) ORDER BY id LIMIT ?`,
    ).all(
      address,
      options.type ?? null,
      options.type ?? null,
      options.afterId ?? null,
      options.afterId ?? null,
      options.limit,
    ) as unknown as ObjectRow[];
    return rows.map(toObject);
  }

  getDynamicField(parent: string, name: Uint8Array): Uint8Array | undefined {
    const row = this.#statement(
      "SELECT value FROM dynamic_fields WHERE parent = ? AND name = ?",
    ).get(parent, name) as { value: Uint8Array } | undefined;
    return row?.value;
  }

  listDynamicFields(parent: string): { name: Uint8Array; value: Uint8Array }[] {
    return this.#statement(
      "SELECT name, value FROM dynamic_fields WHERE parent = ? ORDER BY name",
    ).all(parent) as unknown as { name: Uint8Array; value: Uint8Array }[];
  }

  getTransaction(digest: string): StoredTransaction | undefined {
    const row = this.#statement(
      "SELECT digest, checkpoint, timestamp_ms, executed FROM transactions WHERE digest = ?",
    ).get(digest) as
      | { digest: string; checkpoint: number; timestamp_ms: number; executed: Uint8Array }
      | undefined;
    return row
      ? {
          digest: row.digest,
          checkpoint: row.checkpoint,
          timestampMs: row.timestamp_ms,
          executed: row.executed,
        }
      : undefined;
  }

  /** Events strictly after `afterSeq` and before `beforeSeq`, in ledger order. */
  eventsAfter(afterSeq: number, beforeSeq: number, limit: number): StoredEvent[] {
    const rows = this.#statement(
      "SELECT * FROM events WHERE seq > ? AND seq < ? ORDER BY seq LIMIT ?",
    ).all(afterSeq, beforeSeq, limit) as unknown as EventRow[];
    return rows.map(toEvent);
  }

  /** Events strictly between the bounds, newest first. */
  eventsBefore(afterSeq: number, beforeSeq: number, limit: number): StoredEvent[] {
    const rows = this.#statement(
      "SELECT * FROM events WHERE seq > ? AND seq < ? ORDER BY seq DESC LIMIT ?",
    ).all(afterSeq, beforeSeq, limit) as unknown as EventRow[];
    return rows.map(toEvent);
  }

  lastEventSeq(): number {
    const row = this.#statement("SELECT MAX(seq) AS seq FROM events").get() as {
      seq: number | null;
    };
    return row.seq ?? 0;
  }

  lastCheckpoint(): { seq: number; timestampMs: number } | undefined {
    const row = this.#statement(
      "SELECT seq, timestamp_ms FROM checkpoints ORDER BY seq DESC LIMIT 1",
    ).get() as { seq: number; timestamp_ms: number } | undefined;
    return row ? { seq: row.seq, timestampMs: row.timestamp_ms } : undefined;
  }

  /** Runs `write` inside one SQLite transaction: all of it lands, or none. */
  atomically<T>(write: (tx: LedgerWriter) => T): T {
    return immediateTransaction(this.#db, () => write(this.#writer));
  }

  readonly #writer: LedgerWriter = {
    putObject: (object) => {
      const ownerAddress = object.owner.kind === "address" ? object.owner.address : null;
      this.#putObject.run(
        object.id,
        object.version,
        object.digest,
        JSON.stringify(object.owner),
        ownerAddress,
        object.type,
        object.contents,
        object.previousTransaction,
      );
    },
    deleteObject: (id) => {
      this.#deleteObject.run(id);
    },
    putDynamicField: (parent, name, value) => {
      this.#db
        .prepare(
          `INSERT INTO dynamic_fields (parent, name, value) VALUES (?, ?, ?)
           ON CONFLICT(parent, name) DO UPDATE SET value = excluded.value`,
        )
        .run(parent, name, value);
    },
    deleteDynamicField: (parent, name) => {
      this.#db
        .prepare("DELETE FROM dynamic_fields WHERE parent = ? AND name = ?")
        .run(parent, name);
    },
    appendEvent: (event) => {
      const result = this.#insertEvent.run(
        event.checkpoint,
        event.txDigest,
        event.eventIndex,
        event.packageId,
        event.module,
        event.sender,
        event.type,
        event.contents,
      );
      return Number(result.lastInsertRowid);
    },
    putTransaction: (tx) => {
      this.#insertTx.run(tx.digest, tx.checkpoint, tx.timestampMs, tx.executed);
    },
    putCheckpoint: (seq, timestampMs, txDigest) => {
      this.#insertCheckpoint.run(seq, timestampMs, txDigest);
    },
    setMeta: (key, value) => this.setMeta(key, value),
  };
}

export interface LedgerWriter {
  putObject(object: StoredObject): void;
  deleteObject(id: string): void;
  putDynamicField(parent: string, name: Uint8Array, value: Uint8Array): void;
  deleteDynamicField(parent: string, name: Uint8Array): void;
  /** Returns the event's ledger position. */
  appendEvent(event: Omit<StoredEvent, "seq">): number;
  putTransaction(tx: StoredTransaction): void;
  putCheckpoint(seq: number, timestampMs: number, txDigest: string): void;
  setMeta(key: string, value: string): void;
}

function toObject(row: ObjectRow): StoredObject {
  return {
    id: row.id,
    version: row.version,
    digest: row.digest,
    owner: JSON.parse(row.owner) as ObjectOwner,
    type: row.type,
    contents: new Uint8Array(row.contents),
    previousTransaction: row.previous_tx,
  };
}

function toEvent(row: EventRow): StoredEvent {
  return {
    seq: row.seq,
    checkpoint: row.checkpoint,
    txDigest: row.tx_digest,
    eventIndex: row.event_index,
    packageId: row.package_id,
    module: row.module,
    sender: row.sender,
    type: row.type,
    contents: new Uint8Array(row.contents),
  };
}
