import { type ObjectOwner, objectDigest, type StoredObject } from "./objects.ts";
import type { LedgerStore } from "./store.ts";

/** An object as one transaction sees it: where it started and what it became. */
export interface WorkingObject {
  current: StoredObject;
  /** The object before the transaction; undefined when the transaction created it. */
  input?: { version: number; digest: string; owner: ObjectOwner; contents: Uint8Array };
  mutated: boolean;
  deleted: boolean;
}

/**
 * The transaction's view of the ledger: reads fall through to the store, writes stay here
 * until the ledger commits them, so an aborted transaction leaves no trace but its gas.
 */
export class WorkingSet {
  readonly #store: LedgerStore;
  readonly objects = new Map<string, WorkingObject>();
  /** parent + "/" + hex(name) → value, or null for a removed field */
  readonly fields = new Map<
    string,
    { parent: string; name: Uint8Array; value: Uint8Array | null }
  >();

  constructor(store: LedgerStore) {
    this.#store = store;
  }

  get(id: string): WorkingObject | undefined {
    const known = this.objects.get(id);
    if (known) return known.deleted ? undefined : known;
    const stored = this.#store.getObject(id);
    if (!stored) return undefined;
    const entry: WorkingObject = {
      current: { ...stored },
      input: {
        version: stored.version,
        digest: stored.digest,
        owner: stored.owner,
        contents: stored.contents,
      },
      mutated: false,
      deleted: false,
    };
    this.objects.set(id, entry);
    return entry;
  }

  create(id: string, type: string, contents: Uint8Array, owner: ObjectOwner): void {
    this.objects.set(id, {
      current: { id, version: 0, digest: "", owner, type, contents, previousTransaction: "" },
      mutated: true,
      deleted: false,
    });
  }

  write(id: string, contents: Uint8Array): void {
    const entry = this.#existing(id);
    entry.current.contents = contents;
    entry.mutated = true;
  }

  setOwner(id: string, owner: ObjectOwner): void {
    const entry = this.#existing(id);
    entry.current.owner = owner;
    entry.mutated = true;
  }

  delete(id: string): void {
    const entry = this.#existing(id);
    entry.deleted = true;
    entry.mutated = true;
  }

  getField(parent: string, name: Uint8Array): Uint8Array | undefined {
    const key = fieldKey(parent, name);
    const pending = this.fields.get(key);
    if (pending) return pending.value ?? undefined;
    return this.#store.getDynamicField(parent, name);
  }

  setField(parent: string, name: Uint8Array, value: Uint8Array | null): void {
    this.fields.set(fieldKey(parent, name), { parent, name, value });
  }

  /**
   * Assigns Sui's lamport version (one above every input's) to every written object and
   * returns the version used.
   */
  seal(txDigest: string): number {
    let highest = 0;
    for (const entry of this.objects.values()) {
      if (entry.input) highest = Math.max(highest, entry.input.version);
    }
    const lamport = highest + 1;
    for (const entry of this.objects.values()) {
      if (!entry.mutated || entry.deleted) continue;
      entry.current.version = lamport;
      entry.current.previousTransaction = txDigest;
      // An object shared by this transaction starts its shared life at this version.
      if (entry.current.owner.kind === "shared" && entry.current.owner.initialVersion === 0) {
        entry.current.owner = { kind: "shared", initialVersion: lamport };
      }
      entry.current.digest = objectDigest(entry.current);
    }
    return lamport;
  }

  #existing(id: string): WorkingObject {
    const entry = this.get(id);
    if (!entry) throw new Error(`object ${id} is not in the working set`);
    return entry;
  }
}

function fieldKey(parent: string, name: Uint8Array): string {
  return `${parent}/${Buffer.from(name).toString("hex")}`;
}
