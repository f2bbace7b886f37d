// A closed period's `report_usage` arguments, split into parts that each fit Sui's limit
// on one pure argument (16 KiB): a usage entry is 48 bytes and a name up to 64, so one part
// holds about 250 to 340 namespaces or nodes. The split depends only on the period's usage,
// so a restarted process splits a closed period exactly as the one before it did.
import { MAX_PURE_ARGUMENT_BYTES } from "../../protocol/index.ts";
import type { PeriodUsage, Usage } from "./period-store.ts";

/** The `report_usage` arguments of one part (without the signature, added by the poster). */
export interface ReportPart {
  period: bigint;
  period_start_ms: bigint;
  period_end_ms: bigint;
  part: bigint;
  parts: bigint;
  namespaces: string[];
  namespace_usage: bigint[];
  node_ids: string[];
  node_usage: bigint[];
}

/** Bytes of a ULEB128 length prefix (BCS vectors and strings). */
function ulebBytes(length: number): number {
  let bytes = 1;
  for (let rest = length >>> 7; rest > 0; rest >>>= 7) bytes++;
  return bytes;
}

/** BCS size of a `String`. */
function stringBytes(text: string): number {
  const length = Buffer.byteLength(text, "utf8");
  return ulebBytes(length) + length;
}

/** Bytes of the three u128 usage values of one entry. */
const USAGE_ENTRY_BYTES = 3 * 16;

/**
 * Entries cut into runs whose `vector<String>` of names and `vector<u128>` of usage each
 * stay within `budget` bytes of BCS, in order.
 */
function chunk(entries: readonly [string, Usage][], budget: number): [string, Usage][][] {
  const chunks: [string, Usage][][] = [];
  let current: [string, Usage][] = [];
  let namesBytes = 0;
  const fits = (count: number, names: number) =>
    ulebBytes(count) + names <= budget &&
    ulebBytes(count * 3) + count * USAGE_ENTRY_BYTES <= budget;
  for (const entry of entries) {
    const size = stringBytes(entry[0]);
    if (current.length > 0 && !fits(current.length + 1, namesBytes + size)) {
      chunks.push(current);
      current = [];
      namesBytes = 0;
    }
    current.push(entry);
    namesBytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const used = (usage: Usage) =>
  usage.cpuMilliCoreMs > 0n || usage.memoryByteMs > 0n || usage.storageByteMs > 0n;
const values = (entries: readonly [string, Usage][]) =>
  entries.flatMap(([, u]) => [u.cpuMilliCoreMs, u.memoryByteMs, u.storageByteMs]);

/**
 * The parts of `period`'s report (at least one; namespaces and nodes that used nothing left
 * out). Part `i` carries the `i`-th run of namespaces and the `i`-th run of nodes (either
 * may be empty); the chain charges namespaces as each part lands and shares the period's
 * collection among the nodes of every part when the last one lands.
 */
export function reportParts(
  period: PeriodUsage,
  budget: number = MAX_PURE_ARGUMENT_BYTES,
): ReportPart[] {
  const namespaces = chunk(
    [...period.namespaces].filter(([, usage]) => used(usage)),
    budget,
  );
  const nodes = chunk(
    [...period.nodes].filter(([, usage]) => used(usage)),
    budget,
  );
  const parts = Math.max(1, namespaces.length, nodes.length);
  return Array.from({ length: parts }, (_, i) => {
    const ns = namespaces[i] ?? [];
    const nd = nodes[i] ?? [];
    return {
      period: BigInt(period.period),
      period_start_ms: BigInt(period.startMs),
      period_end_ms: BigInt(period.endMs),
      part: BigInt(i),
      parts: BigInt(parts),
      namespaces: ns.map(([name]) => name),
      namespace_usage: values(ns),
      node_ids: nd.map(([name]) => name),
      node_usage: values(nd),
    };
  });
}
