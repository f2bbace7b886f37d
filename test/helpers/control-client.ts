// Tests reach nautilus-control the way clients do: over the pinned transport (HTTPS whose
// key must hash to the registered TLS key hash), with a small fetch-like reply.
import type { IncomingHttpHeaders } from "node:http";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { type ControlTransport, controlTransport } from "../../src/chain/index.ts";

export interface ControlReply {
  status: number;
  headers: IncomingHttpHeaders;
  text(): Promise<string>;
  bytes(): Promise<Uint8Array>;
  json(): Promise<unknown>;
}

export type ControlFetch = (
  pathOrUrl: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<ControlReply>;

/** A fetch over `transport`: the body is read whole. */
export function fetchOver(transport: ControlTransport): ControlFetch {
  return async (pathOrUrl, init = {}) => {
    const res = await transport.request(pathOrUrl, init);
    const chunks: Buffer[] = [];
    for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const text = body.toString("utf8");
    return {
      status: res.statusCode ?? 0,
      headers: res.headers,
      text: async () => text,
      bytes: async () => new Uint8Array(body),
      json: async () => JSON.parse(text) as unknown,
    };
  };
}

/** A fetch to the control plane at `url`, pinned to the hash the cluster registered on chain. */
export function chainPinnedFetch(
  url: string,
  client: SuiGrpcClient,
  clusterId: string,
): ControlFetch {
  return fetchOver(controlTransport({ url, pin: { client, clusterId } }));
}

/** A fetch to the control plane at `url`, pinned to `tlsKeySha256` (servers with no chain). */
export function pinnedFetch(url: string, tlsKeySha256: Uint8Array): ControlFetch {
  return fetchOver(
    controlTransport({ url, pin: { registeredTlsKeySha256: async () => tlsKeySha256 } }),
  );
}
