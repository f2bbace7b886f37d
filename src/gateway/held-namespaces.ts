import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { NamespaceCapObject, objectType } from "../protocol/objects.ts";

export interface HeldNamespace {
  namespace: string;
  capId: string;
}

/** The NamespaceCaps `owner` holds for `clusterId`, sorted by namespace. */
export async function listHeldNamespaces(
  client: SuiGrpcClient,
  where: { packageId: string; clusterId: string; owner: string },
): Promise<HeldNamespace[]> {
  const held: HeldNamespace[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<SuiGrpcClient["listOwnedObjects"]>> =
      await client.listOwnedObjects({
        owner: where.owner,
        type: objectType(where.packageId, "NamespaceCap"),
        include: { content: true },
        ...(cursor ? { cursor } : {}),
      });
    for (const object of page.objects) {
      if (!object.content) continue;
      const cap = NamespaceCapObject.parse(object.content);
      if (cap.cluster_id === where.clusterId)
        held.push({ namespace: cap.namespace, capId: object.objectId });
    }
    cursor = page.hasNextPage ? page.cursor : null;
  } while (cursor);
  return held.sort((a, b) => a.namespace.localeCompare(b.namespace));
}
