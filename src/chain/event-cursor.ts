import { ChainError } from "./errors.ts";

/**
 * Where a follower resumes: the server's opaque resume token plus the checkpoint it is known
 * to be at or after. The checkpoint is ours, not the server's: it lets us tell "this cursor
 * points into pruned history" apart from any other failure before asking for a page.
 *
 * Serialized as one string `"<checkpoint>:<base64 token>"`, so callers persist a single
 * column next to the events they commit.
 */
export type FollowerCursor = string;

export interface DecodedCursor {
  /** A lower bound of the cursor's ledger position. */
  readonly checkpoint: bigint;
  readonly token: Uint8Array;
}

export function encodeCursor(checkpoint: bigint, token: Uint8Array): FollowerCursor {
  return `${checkpoint}:${Buffer.from(token).toString("base64")}`;
}

export function decodeCursor(cursor: FollowerCursor): DecodedCursor {
  const match = /^(\d{1,20}):([A-Za-z0-9+/]+={0,2})$/.exec(cursor);
  const checkpoint = match?.[1];
  const token = match?.[2];
  if (checkpoint === undefined || token === undefined) {
    throw new ChainError(
      "CHAIN_CURSOR_MALFORMED",
      `follower cursor must look like "<checkpoint>:<base64>", got ${JSON.stringify(cursor.slice(0, 80))}`,
    );
  }
  return { checkpoint: BigInt(checkpoint), token: new Uint8Array(Buffer.from(token, "base64")) };
}

/**
 * Fails fast and clearly when a node has pruned the history right after `cursor`: every event
 * after it lives at `cursor.checkpoint` or later, so that checkpoint must still be available.
 */
export function assertCursorAvailable(cursor: DecodedCursor | null, lowestAvailable: bigint): void {
  if (cursor === null || cursor.checkpoint >= lowestAvailable) return;
  throw new ChainError(
    "CHAIN_CURSOR_PRUNED",
    `cursor is at checkpoint ${cursor.checkpoint}, but this node only keeps checkpoints from ` +
      `${lowestAvailable}: the events in between are gone from it; catch up from a node with ` +
      "full history",
  );
}
