// Reading nautilus-control's /metrics (Prometheus text format) from the benchmarks: a
// counter's value, a histogram's buckets, and percentiles estimated from two scrapes.

import type { ControlTransport } from "../src/chain/index.ts";

/** One scrape: every sample line as `name{labels}` → value. */
export type Scrape = ReadonlyMap<string, number>;

/** `/metrics` through `control`, the pinned transport clients use. */
export async function scrape(control: ControlTransport): Promise<Scrape> {
  const res = await control.request("/metrics");
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  if (res.statusCode !== 200)
    throw new Error(`GET ${control.url}/metrics answered ${res.statusCode}`);
  return parseExposition(Buffer.concat(chunks).toString("utf8"));
}

export function parseExposition(text: string): Scrape {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    // `name{labels} value [timestamp]`; label values never contain a space followed by a digit
    // in our metrics, and prom-client prints no timestamps.
    const match = /^(\S+(?:\{.*\})?)\s+(\S+)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    samples.set(match[1], Number(match[2]));
  }
  return samples;
}

/** A counter or gauge without labels; NaN when the scrape lacks it. */
export function sampleValue(samples: Scrape, name: string): number {
  return samples.get(name) ?? Number.NaN;
}

/** Cumulative bucket counts of a label-free histogram, by upper bound (+Inf last). */
export function histogramBuckets(samples: Scrape, name: string): { le: number; count: number }[] {
  const buckets: { le: number; count: number }[] = [];
  for (const [key, value] of samples) {
    const match = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`).exec(key);
    if (!match?.[1]) continue;
    buckets.push({
      le: match[1] === "+Inf" ? Number.POSITIVE_INFINITY : Number(match[1]),
      count: value,
    });
  }
  return buckets.sort((a, b) => a.le - b.le);
}

/** What a histogram recorded between two scrapes (cumulative bucket counts). */
export function bucketsBetween(
  before: Scrape,
  after: Scrape,
  name: string,
): { le: number; count: number }[] {
  const earlier = new Map(histogramBuckets(before, name).map((b) => [b.le, b.count]));
  return histogramBuckets(after, name).map((b) => ({
    le: b.le,
    count: b.count - (earlier.get(b.le) ?? 0),
  }));
}

/**
 * The q-quantile (0..1) of cumulative buckets, as Prometheus' histogram_quantile estimates
 * it: linear interpolation inside the bucket the rank falls in, the first bucket starting
 * at 0. A rank in the +Inf bucket yields the highest finite bound (a lower bound of the
 * truth); no observations yield NaN.
 */
export function histogramQuantile(buckets: readonly { le: number; count: number }[], q: number) {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return lower;
      const inBucket = bucket.count - below;
      return inBucket === 0 ? bucket.le : lower + (bucket.le - lower) * ((rank - below) / inBucket);
    }
    lower = bucket.le;
    below = bucket.count;
  }
  return lower;
}
