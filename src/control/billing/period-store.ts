import { DatabaseSync } from "node:sqlite";
import { immediateTransaction } from "../../shared/sqlite.ts";
import type { Rates, Snapshot } from "./snapshot.ts";

// Billing periods and their metered usage, in their own SQLite file (billing.sqlite in the
// data dir). Every sample is one transaction: the usage it adds, the periods it closes and
// the sample time move together, so a SIGKILL loses at most the sample being taken, and a
// closed period stays `closed` until the chain has it (`reported`). Usage values are
// decimal TEXT: byte-ms overflow SQLite's 64-bit integers within hours.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS periods (
  period INTEGER PRIMARY KEY,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'reported')),
  -- Parts of a closed period's report on chain (reported in parts: report-parts.ts).
  parts_reported INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS usage (
  period INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('namespace', 'node')),
  name TEXT NOT NULL,
  cpu TEXT NOT NULL,
  memory TEXT NOT NULL,
  storage TEXT NOT NULL,
  PRIMARY KEY (period, kind, name)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS suspended (namespace TEXT PRIMARY KEY, since_ms INTEGER NOT NULL);
`;

/** Usage over a period: CPU milli-core-ms, memory and storage byte-ms. */
export interface Usage {
  readonly cpuMilliCoreMs: bigint;
  readonly memoryByteMs: bigint;
  readonly storageByteMs: bigint;
}

export interface PeriodRow {
  readonly period: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly state: "open" | "closed" | "reported";
}

/** A closed period with what was metered in it, ready to be reported. */
export interface PeriodUsage extends PeriodRow {
  readonly namespaces: ReadonlyMap<string, Usage>;
  readonly nodes: ReadonlyMap<string, Usage>;
}

/**
 * Where the chain's report ledger stands (`billing::reported_periods`, `last_period_end_ms`,
 * `report_parts_done`).
 */
export interface ChainLedger {
  readonly reportedPeriods: bigint;
  readonly lastPeriodEndMs: bigint;
  /** Parts of period `reportedPeriods + 1` on chain (0 when absent). */
  readonly reportPartsDone?: bigint;
}

export interface MeteringRules {
  readonly periodMs: number;
  /**
   * A sample bills at most this long back: after a stop or a stall, what ran while nobody
   * looked is not guessed at (it is lost to the tenant's favour).
   */
  readonly maxGapMs: number;
}

/** The first period end after `nowMs` on the grid `startMs + k * periodMs` (k >= 1). */
export function periodEndAfter(startMs: number, nowMs: number, periodMs: number): number {
  const periods = Math.max(1, Math.floor((nowMs - startMs) / periodMs) + 1);
  return startMs + periods * periodMs;
}

export class BillingStore {
  readonly #db: DatabaseSync;

  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
    );
    this.#db.exec(SCHEMA);
    // A billing.sqlite written before reports went in parts.
    const columns = this.#db.prepare("PRAGMA table_info(periods)").all() as { name: string }[];
    if (!columns.some((column) => column.name === "parts_reported"))
      this.#db.exec("ALTER TABLE periods ADD COLUMN parts_reported INTEGER NOT NULL DEFAULT 0");
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #transaction<T>(work: () => T): T {
    return immediateTransaction(this.#db, work);
  }

  /** The period being metered, if any. */
  openPeriod(): PeriodRow | undefined {
    const row = this.#db
      .prepare("SELECT period, start_ms, end_ms, state FROM periods WHERE state = 'open'")
      .get() as { period: number; start_ms: number; end_ms: number; state: string } | undefined;
    return row && toPeriod(row);
  }

  /** Every period, oldest first. */
  periods(): PeriodRow[] {
    const rows = this.#db
      .prepare("SELECT period, start_ms, end_ms, state FROM periods ORDER BY period")
      .all() as { period: number; start_ms: number; end_ms: number; state: string }[];
    return rows.map(toPeriod);
  }

  lastSampleMs(): number | undefined {
    const row = this.#db.prepare("SELECT value FROM meta WHERE key = 'last_sample_ms'").get() as
      | { value: string }
      | undefined;
    return row ? Number(row.value) : undefined;
  }

  /**
   * Lines the local periods up with the chain's ledger, which is the truth: periods the
   * chain has are `reported` (posted by an earlier process, maybe settled from the
   * journal); a store behind the chain (a lost or restored data dir) starts over after the
   * chain's last period. Without an open period, period `reported + 1` opens at the chain's
   * last end (contiguous, as the chain requires), or at `nowMs` for the very first.
   */
  align(chain: ChainLedger, nowMs: number, periodMs: number): void {
    const reported = Number(chain.reportedPeriods);
    this.#transaction(() => {
      this.#db
        .prepare("UPDATE periods SET state = 'reported' WHERE period <= ? AND state != 'reported'")
        .run(reported);
      // The next period's parts the chain has (posted by an earlier process, maybe settled
      // from the journal) are never posted again.
      this.#db
        .prepare("UPDATE periods SET parts_reported = ? WHERE period = ? AND state = 'closed'")
        .run(Number(chain.reportPartsDone ?? 0n), reported + 1);
      const open = this.openPeriod();
      const lastLocal = this.periods().at(-1);
      const behind = lastLocal !== undefined && lastLocal.period <= reported;
      if (open && !behind) return;
      if (behind) {
        this.#db.exec("DELETE FROM usage; DELETE FROM periods;");
      }
      const start = reported > 0 ? Number(chain.lastPeriodEndMs) : nowMs;
      const end = periodEndAfter(start, nowMs, periodMs);
      this.#db
        .prepare("INSERT INTO periods (period, start_ms, end_ms, state) VALUES (?, ?, ?, 'open')")
        .run(reported + 1, start, end);
      // Nothing before now was watched by this store.
      this.#setLastSample(nowMs);
    });
  }

  /**
   * Adds what `snapshot` holds for the time since the last sample (at most `maxGapMs`),
   * split at period ends; closes every period that ended by `nowMs` and opens the next,
   * contiguous. Returns the periods it closed.
   */
  accumulate(snapshot: Snapshot, nowMs: number, rules: MeteringRules): number[] {
    return this.#transaction(() => {
      const last = this.lastSampleMs() ?? nowMs;
      let from = Math.max(last, nowMs - rules.maxGapMs);
      const closed: number[] = [];
      let open = this.openPeriod();
      if (!open) throw new Error("billing store has no open period: call align first");
      while (true) {
        const until = Math.min(nowMs, open.endMs);
        if (until > from) this.#add(open.period, snapshot, BigInt(until - from));
        if (nowMs < open.endMs) break;
        this.#db.prepare("UPDATE periods SET state = 'closed' WHERE period = ?").run(open.period);
        closed.push(open.period);
        const next: PeriodRow = {
          period: open.period + 1,
          startMs: open.endMs,
          endMs: periodEndAfter(open.endMs, nowMs, rules.periodMs),
          state: "open",
        };
        this.#db
          .prepare("INSERT INTO periods (period, start_ms, end_ms, state) VALUES (?, ?, ?, 'open')")
          .run(next.period, next.startMs, next.endMs);
        from = Math.max(from, open.endMs);
        open = next;
      }
      this.#setLastSample(Math.max(last, nowMs));
      return closed;
    });
  }

  #setLastSample(ms: number): void {
    this.#db
      .prepare(
        "INSERT INTO meta (key, value) VALUES ('last_sample_ms', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(String(ms));
  }

  #add(period: number, snapshot: Snapshot, durationMs: bigint): void {
    const select = this.#db.prepare(
      "SELECT cpu, memory, storage FROM usage WHERE period = ? AND kind = ? AND name = ?",
    );
    const upsert = this.#db.prepare(
      `INSERT INTO usage (period, kind, name, cpu, memory, storage) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(period, kind, name) DO UPDATE SET
         cpu = excluded.cpu, memory = excluded.memory, storage = excluded.storage`,
    );
    const addAll = (kind: "namespace" | "node", rates: ReadonlyMap<string, Rates>) => {
      for (const [name, rate] of rates) {
        const row = select.get(period, kind, name) as
          | { cpu: string; memory: string; storage: string }
          | undefined;
        upsert.run(
          period,
          kind,
          name,
          String(BigInt(row?.cpu ?? 0) + rate.cpuMilliCores * durationMs),
          String(BigInt(row?.memory ?? 0) + rate.memoryBytes * durationMs),
          String(BigInt(row?.storage ?? 0) + rate.storageBytes * durationMs),
        );
      }
    };
    addAll("namespace", snapshot.namespaces);
    addAll("node", snapshot.nodes);
  }

  /** Usage of one period, per namespace and per node. */
  usage(period: number): { namespaces: Map<string, Usage>; nodes: Map<string, Usage> } {
    const rows = this.#db
      .prepare(
        "SELECT kind, name, cpu, memory, storage FROM usage WHERE period = ? ORDER BY kind, name",
      )
      .all(period) as {
      kind: string;
      name: string;
      cpu: string;
      memory: string;
      storage: string;
    }[];
    const namespaces = new Map<string, Usage>();
    const nodes = new Map<string, Usage>();
    for (const row of rows) {
      const usage = {
        cpuMilliCoreMs: BigInt(row.cpu),
        memoryByteMs: BigInt(row.memory),
        storageByteMs: BigInt(row.storage),
      };
      (row.kind === "namespace" ? namespaces : nodes).set(row.name, usage);
    }
    return { namespaces, nodes };
  }

  /** One namespace's usage in one period (zero when nothing was metered). */
  namespaceUsage(period: number, namespace: string): Usage {
    const row = this.#db
      .prepare(
        "SELECT cpu, memory, storage FROM usage WHERE period = ? AND kind = 'namespace' AND name = ?",
      )
      .get(period, namespace) as { cpu: string; memory: string; storage: string } | undefined;
    return {
      cpuMilliCoreMs: BigInt(row?.cpu ?? 0),
      memoryByteMs: BigInt(row?.memory ?? 0),
      storageByteMs: BigInt(row?.storage ?? 0),
    };
  }

  /** Closed periods not yet on chain, oldest first, with their usage. */
  pending(): PeriodUsage[] {
    return this.periods()
      .filter((period) => period.state === "closed")
      .map((period) => ({ ...period, ...this.usage(period.period) }));
  }

  /** Parts of `period`'s report known to be on chain. */
  partsReported(period: number): number {
    const row = this.#db
      .prepare("SELECT parts_reported FROM periods WHERE period = ?")
      .get(period) as { parts_reported: number } | undefined;
    return Number(row?.parts_reported ?? 0);
  }

  /** Parts `0..count` of `period`'s report are on chain (the period is not closed on chain yet). */
  markPartsReported(period: number, count: number): void {
    this.#db
      .prepare("UPDATE periods SET parts_reported = ? WHERE period = ? AND state = 'closed'")
      .run(count, period);
  }

  markReported(period: number): void {
    this.#db
      .prepare("UPDATE periods SET state = 'reported' WHERE period <= ? AND state = 'closed'")
      .run(period);
  }

  /** Namespaces suspended for an unpaid charge, as last seen on chain. */
  suspended(): Set<string> {
    const rows = this.#db.prepare("SELECT namespace FROM suspended").all() as {
      namespace: string;
    }[];
    return new Set(rows.map((row) => row.namespace));
  }

  setSuspended(namespace: string, suspended: boolean, nowMs: number): void {
    if (suspended) {
      this.#db
        .prepare("INSERT OR IGNORE INTO suspended (namespace, since_ms) VALUES (?, ?)")
        .run(namespace, nowMs);
    } else {
      this.#db.prepare("DELETE FROM suspended WHERE namespace = ?").run(namespace);
    }
  }
}

function toPeriod(row: { period: number; start_ms: number; end_ms: number; state: string }) {
  return {
    period: Number(row.period),
    startMs: Number(row.start_ms),
    endMs: Number(row.end_ms),
    state: row.state as PeriodRow["state"],
  };
}
