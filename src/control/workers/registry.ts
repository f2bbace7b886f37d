import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type DecodedEvent, WORKER_ACTION } from "../../protocol/index.ts";
import type { InboxEvent, InboxExtension, InboxTables } from "../inbox/index.ts";

/** The chain's view of a worker, as its WorkerNodeEvents told it. */
export type WorkerStatus = "pending" | "active" | "unbonding" | "slashed" | "withdrawn";

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
  /** Chain time of the last heartbeat (registration and activation count as one). */
  lastHeartbeatMs: number;
  nodeState: NodeState;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS workers (
  node_id TEXT PRIMARY KEY, owner TEXT NOT NULL, stake_mist TEXT NOT NULL, status TEXT NOT NULL,
  registered_tx TEXT NOT NULL, last_heartbeat_ms INTEGER NOT NULL,
  node_state TEXT NOT NULL DEFAULT 'none', updated_checkpoint INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS workers_by_status ON workers (status, node_id);
`;

interface WorkerRow {
  node_id: string;
  owner: string;
  stake_mist: string;
  status: WorkerStatus;
  registered_tx: string;
  last_heartbeat_ms: number;
  node_state: NodeState;
}

const STATUS_BY_ACTION: Partial<Record<number, WorkerStatus>> = {
  [WORKER_ACTION.activated]: "active",
  [WORKER_ACTION.deregistered]: "unbonding",
  [WORKER_ACTION.withdrawn]: "withdrawn",
  [WORKER_ACTION.slashed]: "slashed",
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
      s.register.run(e.node_id, e.owner, e.stake_mist, event.txDigest, chainMs, checkpoint);
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
  get: StatementSync;
  all: StatementSync;
} {
  return {
    register: db.prepare(
      `INSERT INTO workers (node_id, owner, stake_mist, status, registered_tx, last_heartbeat_ms,
         node_state, updated_checkpoint) VALUES (?, ?, ?, 'pending', ?, ?, 'none', ?)
       ON CONFLICT(node_id) DO UPDATE SET owner = excluded.owner, stake_mist = excluded.stake_mist,
         status = 'pending', registered_tx = excluded.registered_tx,
         last_heartbeat_ms = excluded.last_heartbeat_ms, node_state = 'none',
         updated_checkpoint = excluded.updated_checkpoint`,
    ),
    heartbeat: db.prepare(
      `UPDATE workers SET last_heartbeat_ms = MAX(last_heartbeat_ms, ?), updated_checkpoint = ?
       WHERE node_id = ?`,
    ),
    setStatus: db.prepare(
      "UPDATE workers SET status = ?, updated_checkpoint = ? WHERE node_id = ?",
    ),
    setNodeState: db.prepare("UPDATE workers SET node_state = ? WHERE node_id = ?"),
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
    lastHeartbeatMs: row.last_heartbeat_ms,
    nodeState: row.node_state,
  };
}
