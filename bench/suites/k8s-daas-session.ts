import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { addCall, createdObjectOfType, executeSigned } from "../../src/chain/k8s-daas.ts";

/** A cluster with one claimed namespace, owned by `tenant`, on a fresh devnet. */
export interface Session {
  client: SuiGrpcClient;
  packageId: string;
  clusterId: string;
  capId: string;
  namespace: string;
}

export async function openSession(
  client: SuiGrpcClient,
  packageId: string,
  tenant: Ed25519Keypair,
  namespace: string,
): Promise<Session> {
  const clusterId = createdObjectOfType(
    await executeSigned(client, tenant, (tx) =>
      addCall(tx, packageId, "create_cluster", { name: "bench" }),
    ),
    "::cluster::Cluster",
  );
  const capId = createdObjectOfType(
    await executeSigned(client, tenant, (tx) =>
      addCall(tx, packageId, "claim_namespace", { namespace }, { cluster: clusterId }),
    ),
    "::tenancy::NamespaceCap",
  );
  return { client, packageId, clusterId, capId, namespace };
}

/** One transaction with a create_pod call (one K8sAPIRequestEvent) per name. */
export async function submitPods(
  session: Session,
  tenant: Ed25519Keypair,
  names: readonly string[],
  feeMist = 1_000_000n,
): Promise<void> {
  await executeSigned(session.client, tenant, (tx) => {
    for (const name of names) {
      addCall(
        tx,
        session.packageId,
        "create_pod",
        { pod_name: name, namespace: session.namespace, image: "nginx:1.27", priority: 1 },
        { cluster: session.clusterId, cap: session.capId },
        feeMist,
      );
    }
  });
}
