import { AdminCapObject } from "../protocol/index.ts";
import { CliError } from "./errors.ts";
import type { Session } from "./session.ts";

/**
 * The signer's AdminCap of the session's cluster, or ENotAdmin's message before any gas is
 * paid. `purpose` completes the hint: "setting prices", "pinning PCRs", ...
 */
export async function adminCap(session: Session, purpose: string): Promise<string> {
  const { packageId, clusterId } = session.connection;
  const owner = await session.address();
  const { objects } = await session.chain(() =>
    session.client.listOwnedObjects({
      owner,
      type: `${packageId}::cluster::AdminCap`,
      include: { content: true },
    }),
  );
  const cap = objects.find(
    (object) => object.content && AdminCapObject.parse(object.content).cluster_id === clusterId,
  );
  if (!cap)
    throw new CliError("ENotAdmin", `${owner} holds no AdminCap of cluster ${clusterId}`, {
      hint: `${purpose} needs the cluster's AdminCap, held by the cluster's creator`,
    });
  return cap.objectId;
}
