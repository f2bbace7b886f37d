// Scans for secrets where they must never be: every value of every table of a SQLite file,
// every event of the package on a devnet.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { EVENT_SCHEMAS, type EventName, eventType } from "../../src/protocol/index.ts";
import type { Stack } from "./stack.ts";

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

/** Every event of the package on this devnet, in order. */
export async function allPackageEvents(
  stack: Pick<Stack, "client" | "packageId">,
): Promise<{ eventType: string; bcs: Uint8Array }[]> {
  const events: { eventType: string; bcs: Uint8Array }[] = [];
  for (const name of Object.keys(EVENT_SCHEMAS) as EventName[]) {
    let after: string | null = null;
    do {
      const page = await stack.client.listEvents({
        filter: { eventType: eventType(stack.packageId, name) },
        limit: 200,
        ...(after ? { after } : {}),
      });
      events.push(...page.events.map((event) => ({ eventType: event.eventType, bcs: event.bcs })));
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
  }
  return events;
}
