import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { readClusterObject } from "../../chain/cluster-view.ts";
import {
  createCluster,
  type EnclaveKeyHolder,
  type ExecuteTransaction,
  registerDevEnclave,
} from "../../chain/k8s-daas.ts";
import { publishedKeysMatch } from "../../tee/index.ts";
import { executeTransaction } from "../execute.ts";

/** The cluster object `up` made, kept so the next `up` reuses it instead of making another. */
export interface StackClusterObject {
  packageId: string;
  clusterId: string;
  adminCapId: string;
}

/**
 * Reuses the Cluster object recorded in `<dataDir>/cluster-object.json` if the chain still
 * has it, else creates one; then makes sure `enclave`'s keys (signing and encryption) are its
 * registered (dev) enclave keys.
 */
export async function ensureClusterObject(options: {
  client: SuiGrpcClient;
  packageId: string;
  admin: Ed25519Keypair;
  enclave: EnclaveKeyHolder;
  dataDir: string;
  name: string;
  log: (line: string) => void;
}): Promise<StackClusterObject & { created: boolean }> {
  const { client, packageId, admin, log } = options;
  const execute: ExecuteTransaction = (build) => executeTransaction(client, admin, build);
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
    record = { packageId, ...(await createCluster(execute, packageId, options.name)) };
    writeFileSync(recordPath, `${JSON.stringify(record, null, 2)}\n`);
    created = true;
    log(`created cluster object ${record.clusterId}`);
  }
  const cluster = await readClusterObject(client, record.clusterId);
  if (!publishedKeysMatch(cluster, options.enclave)) {
    await registerDevEnclave(execute, packageId, record, options.enclave);
    log(
      "registered the dev enclave keys (signing, encryption, TLS key hash) on the cluster object",
    );
  }
  return { ...record, created };
}

function readRecord(path: string, packageId: string): StackClusterObject | undefined {
  if (!existsSync(path)) return undefined;
  const record = JSON.parse(readFileSync(path, "utf8")) as StackClusterObject;
  return record.packageId === packageId ? record : undefined;
}
