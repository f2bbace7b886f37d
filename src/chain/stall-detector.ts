/**
 * Decides when a quiet event stream deserves a look. A filtered stream is legitimately silent
 * while nothing matches, so silence alone proves nothing: we only suspect a stall when the
 * stream has said nothing for `timeoutMs` while the chain's tip moved past the last checkpoint
 * the stream (or the replay) covered. The follower then probes ListEvents to confirm.
 */
export class StallDetector {
  readonly timeoutMs: number;
  #lastProgressAt: number;
  #coveredCheckpoint: bigint;

  constructor(timeoutMs: number, now: number, coveredCheckpoint: bigint) {
    this.timeoutMs = timeoutMs;
    this.#lastProgressAt = now;
    this.#coveredCheckpoint = coveredCheckpoint;
  }

  get coveredCheckpoint(): bigint {
    return this.#coveredCheckpoint;
  }

  /** The stream delivered a frame; `checkpoint` is what the frame proves covered, if known. */
  progress(now: number, checkpoint?: bigint): void {
    this.#lastProgressAt = now;
    if (checkpoint !== undefined && checkpoint > this.#coveredCheckpoint) {
      this.#coveredCheckpoint = checkpoint;
    }
  }

  /** Silent long enough that the chain tip is worth asking for. */
  isQuiet(now: number): boolean {
    return now - this.#lastProgressAt >= this.timeoutMs;
  }

  /** Given the chain tip after `isQuiet`: should the follower probe for missed events? */
  chainMovedOn(tipCheckpoint: bigint): boolean {
    return tipCheckpoint > this.#coveredCheckpoint;
  }
}
