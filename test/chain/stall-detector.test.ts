import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StallDetector } from "../../src/chain/stall-detector.ts";

describe("StallDetector", () => {
  it("is not quiet before the timeout", () => {
    const detector = new StallDetector(1_000, 0, 10n);
    assert.equal(detector.isQuiet(999), false);
    assert.equal(detector.isQuiet(1_000), true);
  });

  it("any frame resets the silence", () => {
    const detector = new StallDetector(1_000, 0, 10n);
    detector.progress(900);
    assert.equal(detector.isQuiet(1_500), false);
    assert.equal(detector.isQuiet(1_900), true);
  });

  it("suspects a stall only when the chain moved past what was covered", () => {
    const detector = new StallDetector(1_000, 0, 10n);
    assert.equal(detector.chainMovedOn(10n), false);
    assert.equal(detector.chainMovedOn(11n), true);
    detector.progress(5, 12n);
    assert.equal(detector.chainMovedOn(11n), false);
    assert.equal(detector.coveredCheckpoint, 12n);
  });

  it("never moves coverage backwards", () => {
    const detector = new StallDetector(1_000, 0, 10n);
    detector.progress(5, 3n);
    assert.equal(detector.coveredCheckpoint, 10n);
  });
});
