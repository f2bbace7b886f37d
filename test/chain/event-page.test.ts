import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GrpcTypes } from "@mysten/sui/grpc";
import { assertCursorAvailable, decodeCursor, encodeCursor } from "../../src/chain/event-cursor.ts";
import {
  eventTypeFilter,
  foldEventFrames,
  normalizeEventTypeFilter,
} from "../../src/chain/event-page.ts";

const TYPE = "0x0000000000000000000000000000000000000000000000000000000000000abc::events::Ping";
const token = (n: number) => new Uint8Array([n, n, n]);

function eventFrame(n: number, checkpoint: bigint, end?: GrpcTypes.QueryEndReason) {
  const frame: GrpcTypes.ListEventsResponse = {
    event: {
      transactionDigest: `tx${n}`,
      eventIndex: 0,
      checkpoint,
      eventType: TYPE,
      sender: "0x1",
      contents: { value: new Uint8Array([n]) },
    },
    watermark: { cursor: token(n) },
  };
  if (end !== undefined) frame.end = { reason: end };
  return frame;
}

function progressFrame(n: number, checkpoint?: bigint, end?: GrpcTypes.QueryEndReason) {
  const frame: GrpcTypes.ListEventsResponse = {
    watermark: checkpoint === undefined ? { cursor: token(n) } : { cursor: token(n), checkpoint },
  };
  if (end !== undefined) frame.end = { reason: end };
  return frame;
}

async function* stream(frames: GrpcTypes.ListEventsResponse[]) {
  yield* frames;
}

const { ITEM_LIMIT, SCAN_LIMIT, LEDGER_TIP } = GrpcTypes.QueryEndReason;

describe("follower cursor", () => {
  it("round-trips checkpoint and token", () => {
    const cursor = encodeCursor(42n, token(7));
    assert.equal(cursor, "42:BwcH");
    assert.deepEqual(decodeCursor(cursor), { checkpoint: 42n, token: token(7) });
  });

  for (const bad of ["", "42", "x:AAAA", "42:", "42:not base64!", "-1:AAAA"]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => decodeCursor(bad), { code: "CHAIN_CURSOR_MALFORMED" });
    });
  }
});

describe("assertCursorAvailable", () => {
  const at = (checkpoint: bigint) => decodeCursor(encodeCursor(checkpoint, token(1)));

  it("accepts a cursor inside the available history, and a fresh start", () => {
    assertCursorAvailable(at(10n), 10n);
    assertCursorAvailable(at(11n), 10n);
    assertCursorAvailable(null, 10n);
  });

  it("names both checkpoints when the history after the cursor is pruned", () => {
    assert.throws(
      () => assertCursorAvailable(at(9n), 10n),
      (error: unknown) =>
        error instanceof Error &&
        (error as { code?: string }).code === "CHAIN_CURSOR_PRUNED" &&
        /checkpoint 9.*from 10/.test(error.message),
    );
  });
});

describe("foldEventFrames", () => {
  it("a full page with a lookahead item continues after its last returned item", async () => {
    const page = await foldEventFrames(
      stream([
        eventFrame(1, 5n),
        progressFrame(2),
        eventFrame(3, 6n),
        eventFrame(4, 7n, ITEM_LIMIT),
      ]),
      2,
      null,
    );
    assert.deepEqual(
      page.events.map((event) => event.txDigest),
      ["tx1", "tx3"],
    );
    assert.equal(page.hasNextPage, true);
    assert.equal(page.nextCursor, encodeCursor(6n, token(3)));
    assert.equal(page.events[0]?.cursor, encodeCursor(5n, token(1)));
    assert.equal(page.events[0]?.eventType, TYPE);
    assert.deepEqual(page.events[1]?.bcs, new Uint8Array([3]));
  });

  it("a scan-limited page with no items continues from the scan frontier", async () => {
    const previous = decodeCursor(encodeCursor(3n, token(0)));
    const page = await foldEventFrames(
      stream([progressFrame(1), progressFrame(2, 9n, SCAN_LIMIT)]),
      50,
      previous,
    );
    assert.deepEqual(page.events, []);
    assert.equal(page.hasNextPage, true);
    assert.equal(page.nextCursor, encodeCursor(9n, token(2)));
  });

  it("a frontier without a covered checkpoint keeps the previous checkpoint as lower bound", async () => {
    const previous = decodeCursor(encodeCursor(3n, token(0)));
    const page = await foldEventFrames(
      stream([progressFrame(2, undefined, SCAN_LIMIT)]),
      50,
      previous,
    );
    assert.equal(page.nextCursor, encodeCursor(3n, token(2)));
  });

  it("an empty page at the ledger tip keeps the old cursor", async () => {
    const page = await foldEventFrames(stream([progressFrame(1, 4n, LEDGER_TIP)]), 50, null);
    assert.deepEqual(page, { events: [], hasNextPage: false, nextCursor: null });
  });

  it("a short page at the ledger tip ends at its last item", async () => {
    const page = await foldEventFrames(
      stream([eventFrame(1, 5n), progressFrame(2, 8n, LEDGER_TIP)]),
      50,
      null,
    );
    assert.equal(page.hasNextPage, false);
    assert.equal(page.nextCursor, encodeCursor(5n, token(1)));
  });

  it("a server-clamped item limit still reports a next page", async () => {
    const page = await foldEventFrames(
      stream([eventFrame(1, 5n), eventFrame(2, 5n, ITEM_LIMIT)]),
      50,
      null,
    );
    assert.equal(page.events.length, 2);
    assert.equal(page.hasNextPage, true);
    assert.equal(page.nextCursor, encodeCursor(5n, token(2)));
  });

  it("refuses events that lack their identity", async () => {
    const frame = eventFrame(1, 5n);
    delete frame.event?.transactionDigest;
    await assert.rejects(foldEventFrames(stream([frame]), 50, null), {
      code: "CHAIN_SERVER_RESPONSE_INVALID",
    });
  });
});

describe("eventTypeFilter", () => {
  it("ORs one term per event type", () => {
    const filter = eventTypeFilter(["0x1::a::A", "0x1::b"]);
    assert.equal(filter.terms.length, 2);
    assert.deepEqual(filter.terms[1]?.literals[0]?.predicate, {
      oneofKind: "eventType",
      eventType: { eventType: `0x${"0".repeat(63)}1::b` },
    });
  });

  it("refuses an empty or malformed filter", () => {
    assert.throws(() => eventTypeFilter([]), { code: "CHAIN_EVENT_TYPE_INVALID" });
    assert.throws(() => eventTypeFilter(["0x1::a::A", "nope"]), {
      code: "CHAIN_EVENT_TYPE_INVALID",
    });
  });
});

describe("normalizeEventTypeFilter", () => {
  const full = "0x0000000000000000000000000000000000000000000000000000000000000002";

  it("writes the package address in full", () => {
    assert.equal(normalizeEventTypeFilter("0x2::coin"), `${full}::coin`);
    assert.equal(normalizeEventTypeFilter(" 0x2::coin::CoinEvent "), `${full}::coin::CoinEvent`);
    assert.equal(
      normalizeEventTypeFilter("0x2::coin::Event<0x2::sui::SUI>"),
      `${full}::coin::Event<0x2::sui::SUI>`,
    );
  });

  for (const bad of [
    "",
    "coin::Event",
    "0x2",
    "0x2::",
    "0xZZ::m::E",
    "0x2::m::E::F",
    "0x2::9m::E",
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => normalizeEventTypeFilter(bad), { code: "CHAIN_EVENT_TYPE_INVALID" });
    });
  }
});
