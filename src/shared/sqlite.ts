import type { DatabaseSync } from "node:sqlite";

/**
 * Runs `work` in one IMMEDIATE transaction (the write lock taken at once, so two writers
 * never deadlock upgrading a read): all of it commits, or none of it. Inside an open
 * transaction of the same database (`db.isTransaction`) it just runs, joining that one.
 */
export function immediateTransaction<T>(db: DatabaseSync, work: () => T): T {
  if (db.isTransaction) return work();
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
