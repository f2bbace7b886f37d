// Scans for secrets where they must never be: every value of every table of a SQLite file.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";

/** Fails naming the table and column when `leaks` finds a secret in any value of `path`. */
export function assertNoLeakInDatabase(path: string, leaks: (bytes: Uint8Array) => boolean): void {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    assert.ok(tables.length > 0, `${path} has tables`);
    for (const { name } of tables) {
      for (const row of db.prepare(`SELECT * FROM "${name}"`).all()) {
        for (const [column, value] of Object.entries(row)) {
          const bytes = value instanceof Uint8Array ? value : Buffer.from(String(value ?? ""));
          assert.equal(leaks(bytes), false, `${path}: ${name}.${column} holds the secret`);
        }
      }
    }
  } finally {
    db.close();
  }
}
