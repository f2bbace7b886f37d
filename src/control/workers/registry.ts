import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type DecodedEvent, WORKER_ACTION } from "../../protocol/index.ts";
import type { InboxEvent, InboxExtension, InboxTables } from "../inbox/index.ts";

/** The chain's view of a worker, as its WorkerNodeEvents told it. */
export type WorkerStatus =
  | "pending"
  | "active"
  | "unbonding"
  | "slashed"
  /** The enclave refused its activation (`refuse_worker`); its owner withdraws at once. */
  | "refused"
  | "withdrawn";

/**
 * What the control plane has done with the worker's Kubernetes node: `none` before it
 * joined, `joined` while it serves, `drained` once cordoned and emptied (lapsed or leaving),
 * `removed` once the Node object is gone.
 */
export type NodeState = "none" | "joined" | "drained" | "removed";

export interface WorkerEntry {
  nodeId: string;
  owner: string;
  stakeMist: bigint;
  status: WorkerStatus;
  /** The transaction that registered it (its inputs hold the encryption key). */
  registeredTx: string;
  /**
   * This registration's identity, `<tx digest>:<event index>` of its `registered` event:
   * what the worker's Node is bound to (a node id is registered again after a withdrawal).
   */
  registration: string;
  /** Chain time of the last heartbeat (registration and activation count as one). */
  lastHeartbeatMs: number;
  nodeState: NodeState;
  /** The uid of the Node the control plane created or adopted for this registration. */
  nodeUid: string | undefined;
  /** Why its activation was refused (its node name belongs to a Node that is not its own). */
  refusal: string | undefined;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS workers (
  node_id TEXT PRIMARY KEY, owner TEXT NOT NULL, stake_mist TEXT NOT NULL, status TEXT NOT NULL,
  registered_tx TEXT NOT NULL, last_heartbeat_ms INTEGER NOT NULL,
  node_state TEXT NOT NULL DEFAULT 'none', updated_checkpoint INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS workers_by_status ON workers (status, node_id);
CREATE TABLE IF NOT EXISTS worker_join_tokens (
  registration TEXT NOT NULL, token_id TEXT NOT NULL, PRIMARY KEY (registration, token_id));
`;

/** Columns added after the first release: added to an existing table on open. */
const ADDED_COLUMNS: Record<string, string> = {
  registered_event: "INTEGER NOT NULL DEFAULT 0",
  node_uid: "TEXT",
  refusal: "TEXT",
};

interface WorkerRow {
  node_id: string;
  owner: string;
  stake_mist: string;
  status: WorkerStatus;
  registered_tx: string;
  registered_event: number;
  last_heartbeat_ms: number;
  node_state: NodeState;
  node_uid: string | null;
  refusal: string | null;
}

const STATUS_BY_ACTION: Partial<Record<number, WorkerStatus>> = {
  [WORKER_ACTION.activated]: "active",
  [WORKER_ACTION.deregistered]: "unbonding",
  [WORKER_ACTION.withdrawn]: "withdrawn",
  [WORKER_ACTION.slashed]: "slashed",
  [WORKER_ACTION.refused]: "refused",
};

/** One heartbeat as the control plane took it in: chain time and local receipt time. */
export interface HeartbeatSeen {
  nodeId: string;
  chainMs: number;
  seenAtMs: number;
}

/**
 * The worker registry: a `workers` table in the inbox's database, written by the inbox's
 * ingest transaction (an `InboxExtension`), so a worker's state and the follower's cursor
 * never disagree after a crash. The control plane's own progress (`node_state`) is a
 * single-row write beside it.
 */
export class WorkerRegistry implements InboxExtension {
  readonly #now: () => number;
  readonly #onHeartbeat: ((seen: HeartbeatSeen) => void) | undefined;
  #db: DatabaseSync | undefined;
  #statements: ReturnType<typeof prepare> | undefined;

  constructor(options: { now?: () => number; onHeartbeat?: (seen: HeartbeatSeen) => void } = {}) {
    this.#now = options.now ?? Date.now;
    this.#onHeartbeat = options.onHeartbeat;
  }

  open({ db }: InboxTables): void {
    db.exec(SCHEMA);
    const present = new Set(
      (db.prepare("PRAGMA table_info(workers)").all() as { name: string }[]).map((c) => c.name),
    );
    for (const [column, type] of Object.entries(ADDED_COLUMNS)) {
      if (!present.has(column)) db.exec(`ALTER TABLE workers ADD COLUMN ${column} ${type}`);
    }
    this.#db = db;
    this.#statements = prepare(db);
  }

  apply(event: InboxEvent, decoded: DecodedEvent): void {
    if (decoded.name !== "WorkerNodeEvent") return;
    const e = decoded.value;
    const s = this.#stmts();
    const chainMs = Number(e.timestamp_ms);
    const checkpoint = Number(event.checkpoint);
    if (e.action === WORKER_ACTION.registered) {
      // A node id can be registered again after its previous holder withdrew.
      s.register.run(
        e.node_id,
        e.owner,
        e.stake_mist,
        event.txDigest,
        event.eventIndex,
        chainMs,
        checkpoint,
      );
      return;
    }
    if (e.action === WORKER_ACTION.heartbeat) {
      s.heartbeat.run(chainMs, checkpoint, e.node_id);
      this.#onHeartbeat?.({ nodeId: e.node_id, chainMs, seenAtMs: this.#now() });
      return;
    }
    const status = STATUS_BY_ACTION[e.action];
    if (!status) return;
    s.setStatus.run(status, checkpoint, e.node_id);
    // Liveness counts from activation: a worker is not to blame for silence while it waited
    // to be admitted (e.g. while the control plane was down).
    if (e.action === WORKER_ACTION.activated) s.heartbeat.run(chainMs, checkpoint, e.node_id);
  }

  get(nodeId: string): WorkerEntry | undefined {
    const row = this.#stmts().get.get(nodeId) as WorkerRow | undefined;
    return row ? toEntry(row) : undefined;
  }

  inStatus(statuses: readonly WorkerStatus[]): WorkerEntry[] {
    const placeholders = statuses.map(() => "?").join(", ");
    const rows = this.#database()
      .prepare(`SELECT * FROM workers WHERE status IN (${placeholders}) ORDER BY node_id`)
      .all(...statuses) as unknown as WorkerRow[];
    return rows.map(toEntry);
  }

  all(): WorkerEntry[] {
    return (this.#stmts().all.all() as unknown as WorkerRow[]).map(toEntry);
  }

  setNodeState(nodeId: string, state: NodeState): void {
    this.#stmts().setNodeState.run(state, nodeId);
  }

  /** The worker's Node joined: the control plane created or adopted the Node `uid`. */
  bindNode(nodeId: string, uid: string): void {
    this.#stmts().bindNode.run(uid, nodeId);
  }

  /** Activation refused: not retried for this registration (the chain is told separately). */
  setRefusal(nodeId: string, reason: string): void {
    this.#stmts().setRefusal.run(reason, nodeId);
  }

  /** A bootstrap token issued for `registration`: a real worker's Node must name one. */
  recordJoinToken(registration: string, tokenId: string): void {
    this.#stmts().recordJoinToken.run(registration, tokenId);
  }

  /** The worker's node is gone: its tokens can no longer admit anything. */
  forgetJoinTokens(registration: string): void {
    this.#stmts().forgetJoinTokens.run(registration);
  }

  joinTokensOf(registration: string): Set<string> {
    const rows = this.#stmts().joinTokensOf.all(registration) as { token_id: string }[];
    return new Set(rows.map((row) => row.token_id));
  }

  #database(): DatabaseSync {
    if (!this.#db) throw new Error("the worker registry is not attached to an inbox");
    return this.#db;
  }

  #stmts(): ReturnType<typeof prepare> {
    if (!this.#statements) throw new Error("the worker registry is not attached to an inbox");
    return this.#statements;
  }
}

function prepare(db: DatabaseSync): Record<string, StatementSync> & {
  register: StatementSync;
  heartbeat: StatementSync;
  setStatus: StatementSync;
  setNodeState: StatementSync;
  bindNode: StatementSync;
  setRefusal: StatementSync;
  recordJoinToken: StatementSync;
  joinTokensOf: StatementSync;
  forgetJoinTokens: StatementSync;
  get: StatementSync;
  all: StatementSync;
} {
  return {
    register: db.prepare(
      `INSERT INTO workers (node_id, owner, stake_mist, status, registered_tx, registered_event,
         last_heartbeat_ms, node_state, updated_checkpoint)
         VALUES (?, ?, ?, 'pending', ?, ?, ?, 'none', ?)
       ON CONFLICT(node_id) DO UPDATE SET owner = excluded.owner, stake_mist = excluded.stake_mist,
         status = 'pending', registered_tx = excluded.registered_tx,
         registered_event = excluded.registered_event,
         last_heartbeat_ms = excluded.last_heartbeat_ms, node_state = 'none', node_uid = NULL,
         refusal = NULL, updated_checkpoint = excluded.updated_checkpoint`,
    ),
    heartbeat: db.prepare(
      `UPDATE workers SET last_heartbeat_ms = MAX(last_heartbeat_ms, ?), updated_checkpoint = ?
       WHERE node_id = ?`,
    ),
    setStatus: db.prepare(
      "UPDATE workers SET status = ?, updated_checkpoint = ? WHERE node_id = ?",
    ),
    setNodeState: db.prepare("UPDATE workers SET node_state = ? WHERE node_id = ?"),
    bindNode: db.prepare(
      "UPDATE workers SET node_uid = ?, node_state = 'joined' WHERE node_id = ?",
    ),
    setRefusal: db.prepare("UPDATE workers SET refusal = ? WHERE node_id = ?"),
    recordJoinToken: db.prepare(
      "INSERT OR IGNORE INTO worker_join_tokens (registration, token_id) VALUES (?, ?)",
    ),
    joinTokensOf: db.prepare("SELECT token_id FROM worker_join_tokens WHERE registration = ?"),
    forgetJoinTokens: db.prepare("DELETE FROM worker_join_tokens WHERE registration = ?"),
    get: db.prepare("SELECT * FROM workers WHERE node_id = ?"),
    all: db.prepare("SELECT * FROM workers ORDER BY node_id"),
  };
}

function toEntry(row: WorkerRow): WorkerEntry {
  return {
    nodeId: row.node_id,
    owner: row.owner,
    stakeMist: BigInt(row.stake_mist),
    status: row.status,
    registeredTx: row.registered_tx,
    registration: `${row.registered_tx}:${row.registered_event}`,
    lastHeartbeatMs: row.last_heartbeat_ms,
    nodeState: row.node_state,
    nodeUid: row.node_uid ?? undefined,
    refusal: row.refusal ?? undefined,
  };
}
