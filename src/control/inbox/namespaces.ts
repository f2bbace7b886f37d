import { type DecodedEvent, NAMESPACE_ACTION } from "../../protocol/index.ts";
import type { InboxEvent, InboxExtension, InboxTables } from "./inbox.ts";

export interface NamespaceClaim {
  namespace: string;
  owner: string;
  capId: string;
  released: boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS namespaces (
  namespace TEXT PRIMARY KEY, owner TEXT NOT NULL, cap_id TEXT NOT NULL,
  released INTEGER NOT NULL, updated_checkpoint INTEGER NOT NULL);
`;

interface NamespaceRow {
  namespace: string;
  owner: string;
  cap_id: string;
  released: number;
}

/** The latest claim of each namespace name on this cluster, from `NamespaceEvent`s. */
export class NamespaceStore implements InboxExtension {
  #tables: InboxTables | undefined;

  open(tables: InboxTables): void {
    tables.db.exec(SCHEMA);
    this.#tables = tables;
  }

  get #t(): InboxTables {
    if (!this.#tables) throw new Error("NamespaceStore used before it was attached to an inbox");
    return this.#tables;
  }

  apply(event: InboxEvent, decoded: DecodedEvent): void {
    if (decoded.name !== "NamespaceEvent") return;
    const e = decoded.value;
    this.#t
      .statement(
        `INSERT INTO namespaces (namespace, owner, cap_id, released, updated_checkpoint)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT(namespace) DO UPDATE SET owner = excluded.owner,
           cap_id = excluded.cap_id, released = excluded.released,
           updated_checkpoint = excluded.updated_checkpoint`,
      )
      .run(
        e.namespace,
        e.owner,
        e.cap_id,
        e.action === NAMESPACE_ACTION.released ? 1 : 0,
        Number(event.checkpoint),
      );
  }

  all(): NamespaceClaim[] {
    const rows = this.#t
      .statement("SELECT * FROM namespaces ORDER BY namespace")
      .all() as unknown as NamespaceRow[];
    return rows.map(toClaim);
  }

  get(name: string): NamespaceClaim | undefined {
    const row = this.#t.statement("SELECT * FROM namespaces WHERE namespace = ?").get(name) as
      | NamespaceRow
      | undefined;
    return row ? toClaim(row) : undefined;
  }
}

function toClaim(row: NamespaceRow): NamespaceClaim {
  return {
    namespace: row.namespace,
    owner: row.owner,
    capId: row.cap_id,
    released: row.released === 1,
  };
}
