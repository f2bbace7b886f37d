import type { Signer } from "@mysten/sui/cryptography";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { Transaction, type TransactionArgument } from "@mysten/sui/transactions";
import { CALLS, type CallName, callTarget, encodePureArgs } from "../protocol/index.ts";
import { ChainError } from "./errors.ts";

export interface CallObjects {
  cluster?: string;
  /** AdminCap, NamespaceCap or WorkerCap id, whichever the call takes. */
  cap?: string;
}

/**
 * Builds `k8s_daas` calls into a transaction from the protocol's call table, so argument
 * order and BCS types come from one place. Objects are passed by id (the SDK resolves
 * versions), fees and stakes are split from the gas coin, the Clock is `0x6`.
 */
export function addCall(
  tx: Transaction,
  packageId: string,
  name: CallName,
  values: Record<string, unknown>,
  objects: CallObjects = {},
  coinMist?: bigint,
): void {
  const pure = encodePureArgs(name, values);
  let nextPure = 0;
  const args: TransactionArgument[] = CALLS[name].params.map((param): TransactionArgument => {
    switch (param.kind) {
      case "pure": {
        const bytes = pure[nextPure++];
        if (!bytes)
          throw new ChainError(
            "CHAIN_CALL_ARGUMENT_INVALID",
            `${name}: missing pure argument ${param.name}`,
          );
        return tx.pure(bytes);
      }
      case "object": {
        const id = param.type === "Cluster" ? objects.cluster : objects.cap;
        if (!id)
          throw new ChainError(
            "CHAIN_CALL_ARGUMENT_INVALID",
            `${name}: the ${param.type} object id is required`,
          );
        return tx.object(id);
      }
      case "coin": {
        if (coinMist === undefined)
          throw new ChainError(
            "CHAIN_CALL_ARGUMENT_INVALID",
            `${name}: an amount for ${param.name} is required`,
          );
        const [coin] = tx.splitCoins(tx.gas, [coinMist]);
        if (!coin)
          throw new ChainError("CHAIN_CALL_ARGUMENT_INVALID", "splitCoins returned no coin");
        return coin;
      }
      case "clock":
        return tx.object.clock();
      default:
        throw new ChainError(
          "CHAIN_CALL_ARGUMENT_INVALID",
          `${name}: ${param.kind} arguments cannot be built here`,
        );
    }
  });
  tx.moveCall({ target: callTarget(packageId, name), arguments: args });
}

/** Signs and executes a transaction built by `build`; a failed execution throws. */
export async function executeSigned(
  client: SuiGrpcClient,
  signer: Signer,
  build: (tx: Transaction) => void,
) {
  const tx = new Transaction();
  tx.setSender(signer.toSuiAddress());
  build(tx);
  const result = await client.signAndExecuteTransaction({
    transaction: tx,
    signer,
    include: { objectTypes: true, events: true },
  });
  if (result.$kind !== "Transaction") {
    throw new ChainError(
      "CHAIN_EXECUTION_FAILED",
      `transaction failed: ${JSON.stringify(result.FailedTransaction.status)}`,
    );
  }
  return result.Transaction;
}

/** The id of the object of type `…<suffix>` (e.g. `::cluster::Cluster`) a transaction created. */
export function createdObjectOfType(
  result: { objectTypes?: Record<string, string> | undefined },
  suffix: string,
): string {
  const id = Object.entries(result.objectTypes ?? {}).find(([, type]) =>
    type.endsWith(suffix),
  )?.[0];
  if (!id) throw new ChainError("CHAIN_OBJECT_NOT_CREATED", `no ${suffix} was created`);
  return id;
}

/** Runs one transaction built by `build` (signing and executing it as the caller sees fit). */
export type ExecuteTransaction = (
  build: (tx: Transaction) => void,
) => Promise<{ objectTypes?: Record<string, string> | undefined }>;

/** Creates a Cluster object; the sender receives its AdminCap. */
export async function createCluster(
  execute: ExecuteTransaction,
  packageId: string,
  name: string,
): Promise<{ clusterId: string; adminCapId: string }> {
  const created = await execute((tx) => addCall(tx, packageId, "create_cluster", { name }));
  return {
    clusterId: createdObjectOfType(created, "::cluster::Cluster"),
    adminCapId: createdObjectOfType(created, "::cluster::AdminCap"),
  };
}

/**
 * The public halves of an enclave's keys, as registered together (an `EnclaveSigner` is
 * one); on chain they are `messages::EnclavePublicKeys`.
 */
export interface EnclaveKeyHolder {
  /** ed25519 signing key. */
  readonly publicKey: Uint8Array;
  /** X25519 encryption key request payloads are sealed to. */
  readonly encryptionKey: { readonly publicKey: Uint8Array };
  /** TLS key the control plane serves with; clients pin the SHA-256 of its SPKI. */
  readonly tlsKey: { readonly spkiSha256: Uint8Array };
}

/** Registers `enclave`'s keys as the cluster's dev enclave keys (admin only). */
export async function registerDevEnclave(
  execute: ExecuteTransaction,
  packageId: string,
  cluster: { clusterId: string; adminCapId: string },
  enclave: EnclaveKeyHolder,
): Promise<void> {
  await execute((tx) =>
    addCall(
      tx,
      packageId,
      "register_dev_enclave",
      {
        public_key: enclave.publicKey,
        encryption_key: enclave.encryptionKey.publicKey,
        tls_key_sha256: enclave.tlsKey.spkiSha256,
      },
      { cluster: cluster.clusterId, cap: cluster.adminCapId },
    ),
  );
}

/** Where the Sui framework's attestation verifier lives (a native, on chain). */
const LOAD_NITRO_ATTESTATION = "0x2::nitro_attestation::load_nitro_attestation";

/**
 * Registers the enclave whose Nitro attestation document is `attestation`, in one
 * transaction: `load_nitro_attestation` verifies the document against the Clock and yields
 * the `NitroAttestationDocument` that `enclave::register_enclave` checks against the pinned
 * PCRs and takes the keys from (admin only).
 */
export function addAttestedEnclaveRegistration(
  tx: Transaction,
  packageId: string,
  cluster: { clusterId: string; adminCapId: string },
  attestation: Uint8Array,
): void {
  const [document] = tx.moveCall({
    target: LOAD_NITRO_ATTESTATION,
    arguments: [tx.pure.vector("u8", attestation), tx.object.clock()],
  });
  if (!document) {
    throw new ChainError("CHAIN_CALL_ARGUMENT_INVALID", "load_nitro_attestation returned nothing");
  }
  tx.moveCall({
    target: callTarget(packageId, "register_enclave"),
    arguments: [tx.object(cluster.clusterId), tx.object(cluster.adminCapId), document],
  });
}

/** Creates a Cluster object and registers `enclave`'s keys as its (dev) enclave keys. */
export async function createClusterWithDevEnclave(
  client: SuiGrpcClient,
  packageId: string,
  admin: Signer,
  enclave: EnclaveKeyHolder,
  name: string,
): Promise<{ clusterId: string; adminCapId: string }> {
  const execute: ExecuteTransaction = (build) => executeSigned(client, admin, build);
  const cluster = await createCluster(execute, packageId, name);
  await registerDevEnclave(execute, packageId, cluster, enclave);
  return cluster;
}

/** Claims `namespace` on the cluster for `tenant`; returns the NamespaceCap id. */
export async function claimNamespace(
  client: SuiGrpcClient,
  packageId: string,
  clusterId: string,
  tenant: Signer,
  namespace: string,
): Promise<string> {
  const claimed = await executeSigned(client, tenant, (tx) =>
    addCall(tx, packageId, "claim_namespace", { namespace }, { cluster: clusterId }),
  );
  return createdObjectOfType(claimed, "::tenancy::NamespaceCap");
}
