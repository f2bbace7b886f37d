import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { addCall } from "../../chain/k8s-daas.ts";
import { readClusterObject } from "../../control/chain-view.ts";
import { executeTransaction } from "../execute.ts";
import { createdObjectId } from "../session.ts";

/** The cluster object `up` made, kept so the next `up` reuses it instead of making another. */
export interface StackClusterObject {
  packageId: string;
  clusterId: string;
  adminCapId: string;
}

/**
 * Reuses the Cluster object recorded in `<dataDir>/cluster-object.json` if the chain still
 * has it, else creates one; then makes sure `enclaveKey` is its registered (dev) enclave key.
 */
export async function ensureClusterObject(options: {
  client: SuiGrpcClient;
  packageId: string;
  admin: Ed25519Keypair;
  enclaveKey: Uint8Array;
  dataDir: string;
  name: string;
  log: (line: string) => void;
}): Promise<StackClusterObject & { created: boolean }> {
  const { client, packageId, admin, log } = options;
  const recordPath = join(options.dataDir, "cluster-object.json");
  let record = readRecord(recordPath, packageId);
  let created = false;
  if (record) {
    const exists = await readClusterObject(client, record.clusterId).then(
      () => true,
      () => false,
    );
    if (!exists) {
      log(`cluster object ${record.clusterId} is not on this chain any more; creating a new one`);
      record = undefined;
    }
  }
  if (!record) {
    const tx = await executeTransaction(client, admin, (tx) =>
      addCall(tx, packageId, "create_cluster", { name: options.name }),
    );
    record = {
      packageId,
      clusterId: await createdObjectId(client, tx, "::cluster::Cluster"),
      adminCapId: await createdObjectId(client, tx, "::cluster::AdminCap"),
    };
    writeFileSync(recordPath, `${JSON.stringify(record, null, 2)}\n`);
    created = true;
    log(`created cluster object ${record.clusterId}`);
  }
  const cluster = await readClusterObject(client, record.clusterId);
  if (!Buffer.from(cluster.enclave_public_key).equals(Buffer.from(options.enclaveKey))) {
    const { clusterId, adminCapId } = record;
    await executeTransaction(client, admin, (tx) =>
      addCall(
        tx,
        packageId,
        "register_dev_enclave",
        { public_key: options.enclaveKey },
        { cluster: clusterId, cap: adminCapId },
      ),
    );
    log("registered the dev enclave key on the cluster object");
  }
  return { ...record, created };
}

function readRecord(path: string, packageId: string): StackClusterObject | undefined {
  if (!existsSync(path)) return undefined;
  const record = JSON.parse(readFileSync(path, "utf8")) as StackClusterObject;
  return record.packageId === packageId ? record : undefined;
}
