import type { GrpcTypes } from "@mysten/sui/grpc";
import { compileEventFilter, encodeCursor } from "../event-query.ts";
import type { CallContext } from "../grpc/router.ts";
import type { Ledger } from "../ledger.ts";
import { protoEvent } from "../proto.ts";
import type { StoredEvent } from "../store.ts";

/** How many undelivered events one subscriber may hold before it is cut off. */
const MAX_BACKLOG = 10_000;

export function subscriptionService(ledger: Ledger) {
  return {
    /**
     * Streams events committed after the call starts. A subscriber that falls too far behind
     * is ended with an error rather than buffered without bound; it resumes with ListEvents.
     */
    SubscribeEvents: async function* (
      request: GrpcTypes.SubscribeEventsRequest,
      ctx: CallContext,
    ): AsyncGenerator<GrpcTypes.SubscribeEventsResponse> {
      const matches = compileEventFilter(request.filter);
      const backlog: StoredEvent[] = [];
      let wake: (() => void) | undefined;
      let overflow = false;
      const unsubscribe = ledger.onEvents((events) => {
        backlog.push(...events);
        if (backlog.length > MAX_BACKLOG) overflow = true;
        wake?.();
      });
      const onAbort = () => wake?.();
      ctx.signal.addEventListener("abort", onAbort);
      try {
        // The first frame tells the subscriber where the stream starts, so it can replay the gap.
        yield { watermark: { cursor: encodeCursor(ledger.store.lastEventSeq()) } };
        while (!ctx.signal.aborted) {
          if (overflow) throw new Error("subscriber fell too far behind; resume with ListEvents");
          const event = backlog.shift();
          if (!event) {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
            continue;
          }
          const frame: GrpcTypes.SubscribeEventsResponse = {
            watermark: { cursor: encodeCursor(event.seq) },
          };
          if (matches(event)) frame.event = protoEvent(event);
          yield frame;
        }
      } finally {
        unsubscribe();
        ctx.signal.removeEventListener("abort", onAbort);
      }
    },
  };
}
