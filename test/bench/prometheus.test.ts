import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Histogram, Registry } from "prom-client";
import {
  bucketsBetween,
  histogramQuantile,
  parseExposition,
  sampleValue,
} from "../../bench/prometheus.ts";

describe("bench/prometheus: percentiles from a histogram between two scrapes", () => {
  it("interpolates inside the bucket the rank falls in, as histogram_quantile does", () => {
    // 10 observations in (0, 1], 10 in (1, 2]: the median sits at the top of the first bucket,
    // the 75th percentile halfway through the second.
    const buckets = [
      { le: 1, count: 10 },
      { le: 2, count: 20 },
      { le: Number.POSITIVE_INFINITY, count: 20 },
    ];
    assert.equal(histogramQuantile(buckets, 0.5), 1);
    assert.equal(histogramQuantile(buckets, 0.75), 1.5);
    assert.equal(histogramQuantile(buckets, 0.25), 0.5);
  });

  it("answers the highest finite bound for a rank in +Inf, NaN without observations", () => {
    const overflow = [
      { le: 1, count: 1 },
      { le: Number.POSITIVE_INFINITY, count: 10 },
    ];
    assert.equal(histogramQuantile(overflow, 0.99), 1);
    assert.ok(Number.isNaN(histogramQuantile([{ le: 1, count: 0 }], 0.5)));
  });

  it("reads prom-client's own exposition and subtracts the earlier scrape", async () => {
    const registry = new Registry();
    const histogram = new Histogram({
      name: "bench_test_seconds",
      help: "test",
      buckets: [0.001, 0.01, 0.1],
      registers: [registry],
    });
    for (const value of [0.05, 0.05, 0.05]) histogram.observe(value);
    const before = parseExposition(await registry.metrics());
    for (const value of [0.0005, 0.005, 0.005, 0.2]) histogram.observe(value);
    const after = parseExposition(await registry.metrics());

    assert.equal(sampleValue(after, "bench_test_seconds_count"), 7);
    const between = bucketsBetween(before, after, "bench_test_seconds");
    assert.deepEqual(between, [
      { le: 0.001, count: 1 },
      { le: 0.01, count: 3 },
      { le: 0.1, count: 3 },
      { le: Number.POSITIVE_INFINITY, count: 4 },
    ]);
    // Rank 2 of 4 falls in (0.001, 0.01], halfway through its two observations.
    assert.ok(Math.abs(histogramQuantile(between, 0.5) - 0.0055) < 1e-12);
  });
});
