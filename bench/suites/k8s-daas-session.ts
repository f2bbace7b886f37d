import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Transaction } from "@mysten/sui/transactions";
import { callTarget } from "../../src/protocol/index.ts";

/** A cluster with one claimed namespace, owned by `tenant`, on a fresh devnet. */
export interface Session {
  client: SuiGrpcClient;
  packageId: string;
  clusterId: string;
  capId: string;
  namespace: string;
}

async function execute(client: SuiGrpcClient, signer: Ed25519Keypair, tx: Transaction) {
  tx.setSenderIfNotSet(signer.toSuiAddress());
  const result = await client.signAndExecuteTransaction({
    transaction: tx,
    signer,
    include: { objectTypes: true },
  });
  if (result.$kind !== "Transaction") {
    throw new Error(`transaction failed: ${JSON.stringify(result.FailedTransaction.status)}`);
  }
  return result.Transaction;
}

function created(types: Record<string, string> | undefined, suffix: string): string {
  const id = Object.entries(types ?? {}).find(([, type]) => type.endsWith(suffix))?.[0];
  if (!id) throw new Error(`no ${suffix} was created`);
  return id;
}

export async function openSession(
  client: SuiGrpcClient,
  packageId: string,
  tenant: Ed25519Keypair,
  namespace: string,
): Promise<Session> {
  const create = new Transaction();
  create.moveCall({
    target: callTarget(packageId, "create_cluster"),
    arguments: [create.pure.string("bench")],
  });
  const clusterId = created(
    (await execute(client, tenant, create)).objectTypes,
    "::cluster::Cluster",
  );
  const claim = new Transaction();
  claim.moveCall({
    target: callTarget(packageId, "claim_namespace"),
    arguments: [claim.object(clusterId), claim.pure.string(namespace)],
  });
  const capId = created(
    (await execute(client, tenant, claim)).objectTypes,
    "::tenancy::NamespaceCap",
  );
  return { client, packageId, clusterId, capId, namespace };
}

/** One transaction with `count` create_pod calls (one K8sAPIRequestEvent each). */
export async function submitPods(
  session: Session,
  tenant: Ed25519Keypair,
  names: readonly string[],
  feeMist = 1_000_000n,
): Promise<void> {
  const tx = new Transaction();
  const fees = tx.splitCoins(
    tx.gas,
    names.map(() => feeMist),
  );
  names.forEach((name, index) => {
    tx.moveCall({
      target: callTarget(session.packageId, "create_pod"),
      arguments: [
        tx.object(session.clusterId),
        tx.object(session.capId),
        tx.pure.string(name),
        tx.pure.string(session.namespace),
        tx.pure.string("nginx:1.27"),
        tx.pure.u8(1),
        fees[index] as never,
        tx.object.clock(),
      ],
    });
  });
  await execute(session.client, tenant, tx);
}
