import { DatabaseSync } from "node:sqlite";
import { ChainError } from "./errors.ts";

/**
 * What the submitter knows about one intent:
 * - `signed`: bytes signed and stored, outcome unknown (maybe never sent, maybe executed);
 * - `succeeded` / `failed`: executed on chain (a failure is final and charged gas);
 * - `rejected`: the node refused the bytes without executing them.
 */
export type IntentState = "signed" | "succeeded" | "failed" | "rejected";

export interface JournalEntry {
  readonly intentKey: string;
  readonly sender: string;
  readonly digest: string;
  readonly txBytes: Uint8Array;
  /** Base64 serialized signature, as `executeTransaction` takes it. */
  readonly signature: string;
  readonly state: IntentState;
  /** JSON of the execution error (`failed`) or the rejection message (`rejected`). */
  readonly detail: string | null;
  /** Digests of earlier transactions for this intent that are provably dead. */
  readonly supersededDigests: readonly string[];
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS chain_intents (
  intent_key TEXT PRIMARY KEY,
  sender TEXT NOT NULL,
  digest TEXT NOT NULL UNIQUE,
  tx_bytes BLOB NOT NULL,
  signature TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('signed', 'succeeded', 'failed', 'rejected')),
  detail TEXT,
  superseded_digests TEXT NOT NULL DEFAULT '[]',
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS chain_intents_by_state ON chain_intents (state);
`;

const STATES: readonly string[] = ["signed", "succeeded", "failed", "rejected"];

/**
 * Write-ahead record of signed transactions. A transaction's bytes and digest are stored
 * before it is sent, so after a crash the submitter re-sends the same bytes or finds the
 * digest on chain, and never signs a different transaction for the same intent.
 */
export class SubmissionJournal {
  readonly #db: DatabaseSync;
  readonly #ownsDb: boolean;
  readonly #now: () => number;

  /** `path` is a file, or ":memory:"; pass an open database to share the caller's file. */
  constructor(target: string | DatabaseSync, options?: { now?: () => number }) {
    this.#ownsDb = typeof target === "string";
    this.#db = typeof target === "string" ? new DatabaseSync(target) : target;
    this.#now = options?.now ?? Date.now;
    if (this.#ownsDb) {
      // WAL + FULL sync: a row we report as written survives power loss.
      this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
    }
    this.#db.exec(SCHEMA);
  }

  get(intentKey: string): JournalEntry | undefined {
    const row = this.#db.prepare("SELECT * FROM chain_intents WHERE intent_key = ?").get(intentKey);
    return row === undefined ? undefined : toEntry(row);
  }

  /** Intents whose outcome is not known yet (for recovery after a restart). */
  unsettled(): JournalEntry[] {
    return this.#db
      .prepare(
        "SELECT * FROM chain_intents WHERE state = 'signed' ORDER BY created_at_ms, intent_key",
      )
      .all()
      .map(toEntry);
  }

  /** Records freshly signed bytes; fails if the intent already has a transaction. */
  recordSigned(entry: {
    intentKey: string;
    sender: string;
    digest: string;
    txBytes: Uint8Array;
    signature: string;
  }): JournalEntry {
    const now = this.#now();
    try {
      this.#db
        .prepare(
          `INSERT INTO chain_intents
             (intent_key, sender, digest, tx_bytes, signature, state, created_at_ms, updated_at_ms)
           VALUES (?, ?, ?, ?, ?, 'signed', ?, ?)`,
        )
        .run(entry.intentKey, entry.sender, entry.digest, entry.txBytes, entry.signature, now, now);
    } catch (cause) {
      throw new ChainError(
        "CHAIN_INTENT_CONFLICT",
        `intent ${entry.intentKey} already has a transaction in the journal`,
        { cause },
      );
    }
    return this.#mustGet(entry.intentKey);
  }

  /**
   * Replaces a dead transaction (one that provably can never execute) with a new one, keeping
   * the old digest on record. Only the caller that proved the old one dead may call this.
   */
  replaceDead(
    intentKey: string,
    deadDigest: string,
    next: { digest: string; txBytes: Uint8Array; signature: string },
  ): JournalEntry {
    const current = this.#mustGet(intentKey);
    if (current.digest !== deadDigest) {
      throw new ChainError(
        "CHAIN_INTENT_CONFLICT",
        `intent ${intentKey} moved on to ${current.digest} while ${deadDigest} was being replaced`,
      );
    }
    const superseded = JSON.stringify([...current.supersededDigests, deadDigest]);
    this.#db
      .prepare(
        `UPDATE chain_intents SET digest = ?, tx_bytes = ?, signature = ?, state = 'signed',
           detail = NULL, superseded_digests = ?, updated_at_ms = ?
         WHERE intent_key = ? AND digest = ?`,
      )
      .run(
        next.digest,
        next.txBytes,
        next.signature,
        superseded,
        this.#now(),
        intentKey,
        deadDigest,
      );
    return this.#mustGet(intentKey);
  }

  settle(
    intentKey: string,
    state: Exclude<IntentState, "signed">,
    detail: string | null,
  ): JournalEntry {
    this.#db
      .prepare(
        "UPDATE chain_intents SET state = ?, detail = ?, updated_at_ms = ? WHERE intent_key = ?",
      )
      .run(state, detail, this.#now(), intentKey);
    return this.#mustGet(intentKey);
  }

  close(): void {
    if (this.#ownsDb) this.#db.close();
  }

  #mustGet(intentKey: string): JournalEntry {
    const entry = this.get(intentKey);
    if (entry === undefined) {
      throw new ChainError(
        "CHAIN_JOURNAL_CORRUPT",
        `intent ${intentKey} vanished from the journal`,
      );
    }
    return entry;
  }
}

function toEntry(row: Record<string, unknown>): JournalEntry {
  const state = row.state;
  const txBytes = row.tx_bytes;
  const superseded = JSON.parse(String(row.superseded_digests)) as unknown;
  if (
    typeof state !== "string" ||
    !STATES.includes(state) ||
    !(txBytes instanceof Uint8Array) ||
    !Array.isArray(superseded)
  ) {
    throw new ChainError(
      "CHAIN_JOURNAL_CORRUPT",
      `journal row for ${String(row.intent_key)} is malformed`,
    );
  }
  return {
    intentKey: String(row.intent_key),
    sender: String(row.sender),
    digest: String(row.digest),
    txBytes,
    signature: String(row.signature),
    state: state as IntentState,
    detail: row.detail === null ? null : String(row.detail),
    supersededDigests: superseded.map(String),
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
  };
}
