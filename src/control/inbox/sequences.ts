import type { InboxExtension, InboxTables } from "./inbox.ts";

/**
 * The enclave's sequence counter: numbers are reserved, persisted before use, so a number
 * handed out is never handed out again, even across a crash. It reacts to no event: the
 * chain's `last_sequence` comes in through `atLeast`.
 */
export class EnclaveSequences implements InboxExtension {
  #tables: InboxTables | undefined;

  open(tables: InboxTables): void {
    this.#tables = tables;
  }

  apply(): void {}

  reserve(count: number, atLeast: bigint): bigint[] {
    const t = this.#tables;
    if (!t) throw new Error("EnclaveSequences used before it was attached to an inbox");
    return t.transaction(() => {
      const stored = BigInt(t.meta("next_sequence") ?? "1");
      const first = stored > atLeast ? stored : atLeast;
      t.setMeta("next_sequence", String(first + BigInt(count)));
      return Array.from({ length: count }, (_, i) => first + BigInt(i));
    });
  }
}
