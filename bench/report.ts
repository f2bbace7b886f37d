/** One measured figure; `baseline` names the figure it is compared with in the same run. */
export interface Figure {
  suite: string;
  metric: string;
  value: number;
  unit: string;
  note?: string;
}

export interface Suite {
  name: string;
  /** What it measures and against which baseline, one line. */
  description: string;
  run(): Promise<Figure[]>;
}

/** Prints the table, then one `BENCH <suite>.<metric>=<value> <unit>` line per figure. */
export function printReport(figures: readonly Figure[]): void {
  const rows = figures.map((f) => [
    `${f.suite}.${f.metric}`,
    format(f.value),
    f.unit,
    f.note ?? "",
  ]);
  const header = ["figure", "value", "unit", "note"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log("");
  for (const f of figures) console.log(`BENCH ${f.suite}.${f.metric}=${format(f.value)} ${f.unit}`);
}

function format(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

/** The p-th percentile (0..100) of samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
