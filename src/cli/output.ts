import { stringify as toYaml } from "yaml";
import { usageError } from "./errors.ts";

/** How a command prints its answer: a table for people, JSON or YAML for programs. */
export type OutputFormat = "table" | "json" | "yaml";

export function outputFormat(value: unknown): OutputFormat {
  if (value === undefined) return "table";
  if (value === "table" || value === "json" || value === "yaml") return value;
  throw usageError(`-o must be table, json or yaml, got "${String(value)}"`);
}

/** Column-aligned text table; cells are single-line (newlines would break alignment). */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]) {
  const clean = (cell: string) => cell.replace(/\s*\n\s*/g, " ");
  const cells = [headers, ...rows].map((row) => row.map(clean));
  const widths = headers.map((_, column) =>
    Math.max(...cells.map((row) => (row[column] ?? "").length)),
  );
  return cells
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
        )
        .join("   "),
    )
    .join("\n");
}

/** BigInts and byte arrays become strings so JSON and YAML print them. */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, inner: unknown) =>
      typeof inner === "bigint"
        ? inner.toString()
        : inner instanceof Uint8Array
          ? Buffer.from(inner).toString("hex")
          : inner,
    ),
  );
}

export function formatData(format: "json" | "yaml", data: unknown): string {
  return format === "json"
    ? JSON.stringify(plain(data), null, 2)
    : toYaml(plain(data), { lineWidth: 0 }).trimEnd();
}

/**
 * Prints `data` as JSON/YAML, or as a table built from it. The table is what people read; the
 * data is the complete answer for scripts.
 */
export function printResult(
  format: OutputFormat,
  data: unknown,
  table: () => { headers: readonly string[]; rows: readonly (readonly string[])[] } | string,
): void {
  if (format !== "table") {
    process.stdout.write(`${formatData(format, data)}\n`);
    return;
  }
  const rendered = table();
  const text =
    typeof rendered === "string"
      ? rendered
      : rendered.rows.length === 0
        ? "(none)"
        : formatTable(rendered.headers, rendered.rows);
  process.stdout.write(`${text}\n`);
}

/** "3m12s" style age of a millisecond timestamp, like kubectl's AGE column. */
export function age(sinceMs: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - sinceMs) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m${seconds % 60 > 0 ? `${seconds % 60}s` : ""}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** 1_500_000_000 MIST → "1.5 SUI". */
export function sui(mist: bigint | string): string {
  const value = BigInt(mist);
  const whole = value / 1_000_000_000n;
  const fraction = (value % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction} SUI` : `${whole} SUI`;
}
