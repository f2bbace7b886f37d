import { type GrpcTypes, GrpcTypes as Proto } from "@mysten/sui/grpc";
import { compileEventFilter, decodeCursor, encodeCursor } from "../event-query.ts";
import { REFERENCE_GAS_PRICE } from "../gas.ts";
import { GrpcStatusCode, invalidArgument, notFound } from "../grpc/status.ts";
import type { Ledger } from "../ledger.ts";
import { protoEvent, protoObject, protoTimestamp } from "../proto.ts";

const DEFAULT_EVENT_LIMIT = 50;
const MAX_EVENT_LIMIT = 1_000;
/** How many events one filtered ListEvents call reads before it answers SCAN_LIMIT. */
const EVENT_SCAN_BUDGET = 20_000;
const SCAN_BATCH = 500;

export function ledgerService(ledger: Ledger) {
  const getObject = (request: GrpcTypes.GetObjectRequest): GrpcTypes.Object => {
    if (!request.objectId) throw invalidArgument("object_id is required");
    const object = ledger.getObject(request.objectId);
    if (!object) throw notFound(`object ${request.objectId} does not exist`);
    if (request.version !== undefined && Number(request.version) !== object.version) {
      throw notFound(
        `object ${request.objectId} is at version ${object.version}; the devnet keeps only the latest version`,
      );
    }
    return protoObject(object);
  };

  return {
    GetServiceInfo: (): GrpcTypes.GetServiceInfoResponse => {
      const last = ledger.store.lastCheckpoint();
      return {
        chainId: ledger.chainId,
        chain: "k8s-daas-devnet",
        epoch: 0n,
        checkpointHeight: BigInt(last?.seq ?? 0),
        timestamp: protoTimestamp(last?.timestampMs ?? ledger.clock.now()),
        lowestAvailableCheckpoint: 0n,
        lowestAvailableCheckpointObjects: 0n,
        server: "k8s-daas-devnet",
      };
    },

    GetObject: (request: GrpcTypes.GetObjectRequest): GrpcTypes.GetObjectResponse => ({
      object: getObject(request),
    }),

    BatchGetObjects: (
      request: GrpcTypes.BatchGetObjectsRequest,
    ): GrpcTypes.BatchGetObjectsResponse => ({
      objects: request.requests.map((one): GrpcTypes.GetObjectResult => {
        try {
          return { result: { oneofKind: "object", object: getObject(one) } };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return {
            result: {
              oneofKind: "error",
              error: { code: GrpcStatusCode.NOT_FOUND, message, details: [] },
            },
          };
        }
      }),
    }),

    GetTransaction: (
      request: GrpcTypes.GetTransactionRequest,
    ): GrpcTypes.GetTransactionResponse => {
      if (!request.digest) throw invalidArgument("digest is required");
      const stored = ledger.store.getTransaction(request.digest);
      if (!stored) throw notFound(`transaction ${request.digest} is not known to this devnet`);
      return { transaction: Proto.ExecutedTransaction.fromBinary(stored.executed) };
    },

    GetEpoch: (): GrpcTypes.GetEpochResponse => ({
      epoch: {
        epoch: 0n,
        referenceGasPrice: REFERENCE_GAS_PRICE,
        firstCheckpoint: 0n,
        start: protoTimestamp(0),
      },
    }),

    ListEvents: async function* (
      request: GrpcTypes.ListEventsRequest,
    ): AsyncGenerator<GrpcTypes.ListEventsResponse> {
      const options = request.options ?? {};
      if (options.ordering === Proto.Ordering.DESCENDING) {
        throw invalidArgument("descending event queries are not supported by the devnet");
      }
      const limit = Math.min(options.limit || DEFAULT_EVENT_LIMIT, MAX_EVENT_LIMIT);
      const matches = compileEventFilter(request.filter);
      const tip = ledger.store.lastEventSeq();
      const afterSeq = options.after ? decodeCursor(options.after, "options.after") : 0;
      const beforeSeq = options.before ? decodeCursor(options.before, "options.before") : tip + 1;
      const startCheckpoint = Number(request.startCheckpoint ?? 0n);
      const endCheckpoint =
        request.endCheckpoint === undefined
          ? Number.POSITIVE_INFINITY
          : Number(request.endCheckpoint);
      let position = afterSeq;
      let delivered = 0;
      let scanned = 0;
      for (;;) {
        const batch = ledger.store.eventsAfter(position, beforeSeq, SCAN_BATCH);
        if (batch.length === 0) break;
        for (const event of batch) {
          if (event.checkpoint >= endCheckpoint) {
            yield {
              watermark: { cursor: encodeCursor(position) },
              end: { reason: Proto.QueryEndReason.CHECKPOINT_BOUND },
            };
            return;
          }
          position = event.seq;
          scanned++;
          if (event.checkpoint < startCheckpoint || !matches(event)) continue;
          delivered++;
          const frame: GrpcTypes.ListEventsResponse = {
            event: protoEvent(event),
            watermark: { cursor: encodeCursor(event.seq) },
          };
          if (delivered >= limit) {
            frame.end = { reason: Proto.QueryEndReason.ITEM_LIMIT };
            yield frame;
            return;
          }
          yield frame;
        }
        if (scanned >= EVENT_SCAN_BUDGET) {
          yield {
            watermark: { cursor: encodeCursor(position) },
            end: { reason: Proto.QueryEndReason.SCAN_LIMIT },
          };
          return;
        }
      }
      const reason =
        beforeSeq <= tip ? Proto.QueryEndReason.CURSOR_BOUND : Proto.QueryEndReason.LEDGER_TIP;
      yield {
        watermark: { cursor: encodeCursor(Math.max(position, Math.min(tip, beforeSeq - 1))) },
        end: { reason },
      };
    },
  };
}
