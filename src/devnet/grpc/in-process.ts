import { GrpcWebFetchTransport, type RpcTransport } from "@mysten/sui/grpc";
import type { GrpcWebRouter } from "./router.ts";

/**
 * A transport for `SuiGrpcClient` that hands each call straight to the router: the same
 * gRPC-web encoding and the same handlers as over HTTP, without a socket.
 */
export function inProcessTransport(router: GrpcWebRouter): RpcTransport {
  const fetchInProcess = async (input: string | URL | Request, init?: RequestInit) =>
    router.handle(new Request(input, init));
  return new GrpcWebFetchTransport({
    baseUrl: "http://devnet.in-process",
    format: "binary",
    fetch: fetchInProcess as typeof fetch,
  });
}
