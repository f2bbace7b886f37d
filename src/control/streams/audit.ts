import { DatabaseSync } from "node:sqlite";

/** One exec, attach or port-forward session as recorded. */
export interface SessionRecord {
  readonly id: number;
  readonly requester: string;
  readonly kind: "exec" | "attach" | "portforward";
  readonly namespace: string;
  readonly pod: string;
  /** The command (exec), the port (port-forward), empty for attach. */
  readonly command: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** Bytes from the tenant to the pod, and from the pod to the tenant. */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, requester TEXT NOT NULL, kind TEXT NOT NULL,
  namespace TEXT NOT NULL, pod TEXT NOT NULL, command TEXT NOT NULL,
  started_ms INTEGER NOT NULL, ended_ms INTEGER, bytes_in INTEGER NOT NULL DEFAULT 0,
  bytes_out INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS sessions_by_requester ON sessions (requester, id);
`;

interface SessionRow {
  id: number;
  requester: string;
  kind: SessionRecord["kind"];
  namespace: string;
  pod: string;
  command: string;
  started_ms: number;
  ended_ms: number | null;
  bytes_in: number;
  bytes_out: number;
}

/**
 * The audit of tenants' interactive sessions, in its own SQLite file in the data dir (the
 * inbox holds only what the chain's events derive). A session is written when it starts and
 * completed when it ends, so a crash leaves it with no end rather than unrecorded.
 */
export class SessionAudit {
  readonly #db: DatabaseSync;

  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL;");
    this.#db.exec(SCHEMA);
  }

  started(
    session: Pick<SessionRecord, "requester" | "kind" | "namespace" | "pod" | "command">,
    now = Date.now(),
  ): number {
    const result = this.#db
      .prepare(
        "INSERT INTO sessions (requester, kind, namespace, pod, command, started_ms) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(session.requester, session.kind, session.namespace, session.pod, session.command, now);
    return Number(result.lastInsertRowid);
  }

  ended(id: number, bytes: { bytesIn: number; bytesOut: number }, now = Date.now()): void {
    this.#db
      .prepare("UPDATE sessions SET ended_ms = ?, bytes_in = ?, bytes_out = ? WHERE id = ?")
      .run(now, bytes.bytesIn, bytes.bytesOut, id);
  }

  /** The requester's latest sessions, newest first. */
  byRequester(requester: string, limit: number): SessionRecord[] {
    const rows = this.#db
      .prepare("SELECT * FROM sessions WHERE requester = ? ORDER BY id DESC LIMIT ?")
      .all(requester, limit) as unknown as SessionRow[];
    return rows.map((row) => ({
      id: row.id,
      requester: row.requester,
      kind: row.kind,
      namespace: row.namespace,
      pod: row.pod,
      command: row.command,
      startedAt: new Date(row.started_ms).toISOString(),
      endedAt: row.ended_ms === null ? null : new Date(row.ended_ms).toISOString(),
      bytesIn: row.bytes_in,
      bytesOut: row.bytes_out,
    }));
  }

  close(): void {
    this.#db.close();
  }
}
