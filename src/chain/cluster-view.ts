import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { ClusterObject } from "../protocol/objects.ts";
import { ChainError } from "./errors.ts";

const CLOCK_OBJECT_ID = normalizeSuiAddress("0x6");

export type ClusterView = ReturnType<typeof ClusterObject.parse>;

/** Reads the shared Cluster object (config, enclave key, last accepted sequence). */
export async function readClusterObject(
  client: SuiGrpcClient,
  clusterId: string,
  signal?: AbortSignal,
): Promise<ClusterView> {
  const { object } = await client.getObject({
    objectId: clusterId,
    include: { content: true },
    ...(signal ? { signal } : {}),
  });
  if (!object.content)
    throw new ChainError("CHAIN_OBJECT_MISSING", `cluster ${clusterId} has no contents`);
  return ClusterObject.parse(object.content);
}

/**
 * The chain's own clock (`0x6::clock::Clock`), which the Move verifier compares enclave
 * timestamps with. Signing with it keeps results fresh even where the local wall clock or a
 * test devnet's clock differs.
 */
export async function chainTimeMs(client: SuiGrpcClient, signal?: AbortSignal): Promise<bigint> {
  const { object } = await client.getObject({
    objectId: CLOCK_OBJECT_ID,
    include: { content: true },
    ...(signal ? { signal } : {}),
  });
  const contents = object.content;
  if (!contents || contents.length < 40)
    throw new ChainError("CHAIN_OBJECT_MISSING", "the Clock object has no timestamp");
  return Buffer.from(contents.subarray(32, 40)).readBigUInt64LE(0);
}
