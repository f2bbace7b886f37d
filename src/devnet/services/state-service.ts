import type { GrpcTypes } from "@mysten/sui/grpc";
import { normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";
import { invalidArgument } from "../grpc/status.ts";
import type { Ledger } from "../ledger.ts";
import { coinBalance, SUI_COIN_TYPE } from "../objects.ts";
import { protoObject } from "../proto.ts";

const DEFAULT_PAGE = 50;
const MAX_PAGE = 1_000;
const SUI = "0x2::sui::SUI";

export function stateService(ledger: Ledger) {
  const suiBalance = (owner: string): bigint =>
    ledger.store
      .listOwned(owner, { type: SUI_COIN_TYPE, limit: Number.MAX_SAFE_INTEGER })
      .reduce((sum, coin) => sum + coinBalance(coin), 0n);

  return {
    ListOwnedObjects: (
      request: GrpcTypes.ListOwnedObjectsRequest,
    ): GrpcTypes.ListOwnedObjectsResponse => {
      if (!request.owner) throw invalidArgument("owner is required");
      const limit = Math.min(request.pageSize || DEFAULT_PAGE, MAX_PAGE);
      const query: { type?: string; afterId?: string; limit: number } = { limit: limit + 1 };
      if (request.objectType) query.type = normalizeStructTag(request.objectType);
      if (request.pageToken) query.afterId = new TextDecoder().decode(request.pageToken);
      const objects = ledger.store.listOwned(normalizeSuiAddress(request.owner), query);
      const page = objects.slice(0, limit);
      const response: GrpcTypes.ListOwnedObjectsResponse = { objects: page.map(protoObject) };
      const last = page.at(-1);
      if (objects.length > limit && last)
        response.nextPageToken = new TextEncoder().encode(last.id);
      return response;
    },

    GetBalance: (request: GrpcTypes.GetBalanceRequest): GrpcTypes.GetBalanceResponse => {
      if (!request.owner) throw invalidArgument("owner is required");
      const coinType = request.coinType
        ? normalizeStructTag(request.coinType)
        : normalizeStructTag(SUI);
      const balance =
        coinType === normalizeStructTag(SUI) ? suiBalance(normalizeSuiAddress(request.owner)) : 0n;
      return {
        balance: {
          coinType: request.coinType ?? SUI,
          balance,
          coinBalance: balance,
          addressBalance: 0n,
        },
      };
    },
  };
}
