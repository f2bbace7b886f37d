import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { GrpcTypes } from "@mysten/sui/grpc";
import { normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";
import { ChainError } from "./errors.ts";
import { type DecodedCursor, encodeCursor, type FollowerCursor } from "./event-cursor.ts";

/** One event as the chain reported it, before the caller's decoder sees it. */
export interface RawChainEvent {
  readonly txDigest: string;
  readonly eventIndex: number;
  readonly checkpoint: bigint;
  /** Resume point just after this event. */
  readonly cursor: FollowerCursor;
  /** Fully qualified Move type, normalized (`0x…::module::Name`). */
  readonly eventType: string;
  readonly sender: string;
  readonly bcs: Uint8Array;
}

export interface EventPage {
  readonly events: RawChainEvent[];
  /** The server stopped early (item or scan limit): ask again right away. */
  readonly hasNextPage: boolean;
  /** Where the next page starts; `null` means "keep the cursor you have". */
  readonly nextCursor: FollowerCursor | null;
}

/** Only the fields the follower uses: less to transfer and to decode. */
export const EVENT_READ_MASK = {
  paths: ["sender", "event_type", "contents", "checkpoint", "transaction_digest", "event_index"],
};

const IDENT = "[A-Za-z_][A-Za-z0-9_]*";
const EVENT_TYPE = new RegExp(`^(0x[0-9a-fA-F]{1,64})::(${IDENT}(?:::${IDENT}(?:<.+>)?)?)$`);

/**
 * Checks an event type filter (`0xPKG::module` or `0xPKG::module::Name[<T>]`) and writes its
 * package address in full, since servers compare these as strings.
 */
export function normalizeEventTypeFilter(eventType: string): string {
  const match = EVENT_TYPE.exec(eventType.trim());
  const [, pkg, rest] = match ?? [];
  if (pkg === undefined || rest === undefined) {
    throw new ChainError(
      "CHAIN_EVENT_TYPE_INVALID",
      `event type ${JSON.stringify(eventType)} is not 0xPACKAGE::module or 0xPACKAGE::module::Name`,
    );
  }
  return `${normalizeSuiAddress(pkg)}::${rest}`;
}

/** OR of event types; each may be `package::module::Name` or `package::module`. */
export function eventTypeFilter(eventTypes: readonly string[]): GrpcTypes.EventFilter {
  if (eventTypes.length === 0) {
    throw new ChainError("CHAIN_EVENT_TYPE_INVALID", "filter on at least one event type");
  }
  return {
    terms: eventTypes.map(normalizeEventTypeFilter).map((eventType) => ({
      literals: [
        { negated: false, predicate: { oneofKind: "eventType", eventType: { eventType } } },
      ],
    })),
  };
}

/** Validates a server event at the boundary; everything past here trusts the shape. */
export function toRawChainEvent(
  event: GrpcTypes.Event,
  watermark: GrpcTypes.Watermark | undefined,
): RawChainEvent {
  const { transactionDigest, eventIndex, checkpoint, eventType } = event;
  if (
    transactionDigest === undefined ||
    eventIndex === undefined ||
    checkpoint === undefined ||
    eventType === undefined ||
    watermark?.cursor === undefined
  ) {
    throw new ChainError(
      "CHAIN_SERVER_RESPONSE_INVALID",
      "server sent an event without digest, index, checkpoint, type or watermark cursor",
    );
  }
  return {
    txDigest: transactionDigest,
    eventIndex,
    checkpoint,
    cursor: encodeCursor(checkpoint, watermark.cursor),
    eventType: normalizeStructTag(eventType),
    sender: event.sender === undefined ? "" : normalizeSuiAddress(event.sender),
    bcs: event.contents?.value ?? new Uint8Array(),
  };
}

/**
 * Folds one ListEvents response stream into a page. We ask for `limit + 1` items: the server
 * reports ITEM_LIMIT without looking further, so only a lookahead item tells an exactly full
 * last page from one with more behind it. The lookahead item is not returned and the cursor
 * never moves past it.
 */
export async function foldEventFrames(
  frames: AsyncIterable<GrpcTypes.ListEventsResponse>,
  limit: number,
  previous: DecodedCursor | null,
): Promise<EventPage> {
  const events: RawChainEvent[] = [];
  let sawLookahead = false;
  let frontier: GrpcTypes.Watermark | undefined;
  let end: GrpcTypes.QueryEndReason | undefined;
  for await (const frame of frames) {
    if (frame.event !== undefined) {
      if (events.length >= limit) {
        sawLookahead = true;
        continue;
      }
      events.push(toRawChainEvent(frame.event, frame.watermark));
    }
    if (!sawLookahead && frame.watermark?.cursor !== undefined) frontier = frame.watermark;
    if (frame.end !== undefined) end = frame.end.reason ?? GrpcTypes.QueryEndReason.UNKNOWN;
  }
  const last = events.at(-1);
  const stoppedEarly =
    end === GrpcTypes.QueryEndReason.ITEM_LIMIT || end === GrpcTypes.QueryEndReason.SCAN_LIMIT;
  if (sawLookahead) return { events, hasNextPage: true, nextCursor: last?.cursor ?? null };
  if (stoppedEarly && frontier?.cursor !== undefined) {
    // Resume from the scan frontier, so a scan-limited page with no items still makes progress.
    const checkpoint = frontier.checkpoint ?? last?.checkpoint ?? previous?.checkpoint ?? 0n;
    return { events, hasNextPage: true, nextCursor: encodeCursor(checkpoint, frontier.cursor) };
  }
  return { events, hasNextPage: stoppedEarly, nextCursor: last?.cursor ?? null };
}

export interface ReadEventPageOptions {
  eventTypes: readonly string[];
  after: DecodedCursor | null;
  limit: number;
  signal: AbortSignal;
}

/** One ListEvents call (server-streaming since Sui gRPC v2) folded into a page. */
export function readEventPage(
  client: SuiGrpcClient,
  options: ReadEventPageOptions,
): Promise<EventPage> {
  const call = client.ledgerService.listEvents(
    {
      readMask: EVENT_READ_MASK,
      filter: eventTypeFilter(options.eventTypes),
      options: {
        limit: options.limit + 1,
        ordering: GrpcTypes.Ordering.ASCENDING,
        ...(options.after === null ? {} : { after: options.after.token }),
      },
    },
    { abort: options.signal },
  );
  // Failures surface through the frames; these copies must not become unhandled rejections.
  for (const promise of [call.headers, call.status, call.trailers]) promise.catch(() => undefined);
  return foldEventFrames(call.responses, options.limit, options.after);
}
