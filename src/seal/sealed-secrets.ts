// Both ends of a Seal-protected Secret with `@mysten/seal`'s client: the tenant's CLI
// encrypts the data under an identity of its namespace, and whoever `seal_policy` admits
// (the namespace's holder, the cluster's enclave) decrypts it with key shares fetched by a
// session key that speaks for its address.
import { EncryptedObject, NoAccessError, SealClient, SealError, SessionKey } from "@mysten/seal";
import type { Signer } from "@mysten/sui/cryptography";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { Transaction } from "@mysten/sui/transactions";
import { fromHex, normalizeSuiAddress, toHex } from "@mysten/sui/utils";
import {
  decodeSealIdentity,
  decodeSecretData,
  encodeSecretData,
  newSealIdentity,
  SealIdentityError,
} from "../protocol/index.ts";

/** The key servers an encryption uses and how many of them must answer. */
export interface SealSettings {
  keyServers: readonly { objectId: string; weight?: number }[];
  threshold: number;
}

/** A session lasts this long; the enclave renews its own before it runs out. */
const SESSION_TTL_MIN = 10;
const SESSION_RENEW_MARGIN_MS = 60_000;

export type SealedSecretsErrorCode =
  | "SEAL_NO_ACCESS"
  | "SEAL_KEYS_UNAVAILABLE"
  | "SEAL_BLOB_INVALID"
  | "SEAL_BLOB_FOREIGN"
  | "SEAL_SETTINGS_INVALID";

export class SealedSecretsError extends Error {
  readonly code: SealedSecretsErrorCode;
  constructor(code: SealedSecretsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SealedSecretsError";
    this.code = code;
  }
}

/**
 * `verify`: check each server's proof of possession first (before encrypting to it; a
 * decryption needs no such check, every key share is verified against the server's
 * on-chain public key, and a server that is down must not stop the others).
 */
function sealClient(client: SuiGrpcClient, settings: SealSettings, verify: boolean): SealClient {
  if (settings.keyServers.length === 0 || settings.threshold < 1) {
    throw new SealedSecretsError("SEAL_SETTINGS_INVALID", "no key servers or a threshold below 1");
  }
  if (settings.threshold > settings.keyServers.length) {
    throw new SealedSecretsError(
      "SEAL_SETTINGS_INVALID",
      `threshold ${settings.threshold} exceeds the ${settings.keyServers.length} key servers`,
    );
  }
  return new SealClient({
    suiClient: client,
    serverConfigs: settings.keyServers.map((server) => ({
      objectId: server.objectId,
      weight: server.weight ?? 1,
    })),
    verifyKeyServers: verify,
  });
}

/**
 * Encrypts a Secret's data for the current claim (`claimId`, its NamespaceCap's id) of
 * `namespace` in `clusterId`; returns the EncryptedObject bytes.
 */
export async function sealSecretData(
  client: SuiGrpcClient,
  settings: SealSettings,
  target: { packageId: string; clusterId: string; namespace: string; claimId: string },
  data: Readonly<Record<string, Uint8Array>>,
): Promise<Uint8Array> {
  const identity = newSealIdentity(target.clusterId, target.namespace, target.claimId);
  try {
    const { encryptedObject } = await sealClient(client, settings, true).encrypt({
      threshold: settings.threshold,
      packageId: target.packageId,
      id: toHex(identity),
      data: encodeSecretData(data),
    });
    return encryptedObject;
  } catch (error) {
    if (error instanceof SealedSecretsError) throw error;
    throw new SealedSecretsError(
      "SEAL_KEYS_UNAVAILABLE",
      `cannot encrypt to the key servers: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** What a blob says it protects, read before any key is fetched. */
export interface BlobIdentity {
  packageId: string;
  clusterId: string;
  namespace: string;
  claimId: string;
}

export function blobIdentity(blob: Uint8Array): BlobIdentity {
  let parsed: ReturnType<typeof EncryptedObject.parse>;
  try {
    parsed = EncryptedObject.parse(blob);
  } catch {
    throw new SealedSecretsError("SEAL_BLOB_INVALID", "the blob is not a Seal EncryptedObject");
  }
  try {
    const identity = decodeSealIdentity(fromHex(parsed.id));
    return {
      packageId: normalizeSuiAddress(parsed.packageId),
      clusterId: identity.clusterId,
      namespace: identity.namespace,
      claimId: identity.claimId,
    };
  } catch (error) {
    if (!(error instanceof SealIdentityError)) throw error;
    throw new SealedSecretsError("SEAL_BLOB_INVALID", `the blob's identity: ${error.message}`);
  }
}

/**
 * Decrypts blobs as `signer`'s address: a session key signed once by `signer` (renewed
 * before it expires), a `seal_approve` PTB per blob, key shares from `threshold` servers.
 */
export class SealedSecretOpener {
  readonly #client: SuiGrpcClient;
  readonly #seal: SealClient;
  readonly #signer: Signer;
  readonly #packageId: string;
  #session: { key: SessionKey; expiresAt: number } | undefined;
  #clusterVersion: Promise<string> | undefined;

  constructor(client: SuiGrpcClient, settings: SealSettings, signer: Signer, packageId: string) {
    this.#client = client;
    this.#seal = sealClient(client, settings, false);
    this.#signer = signer;
    this.#packageId = normalizeSuiAddress(packageId);
  }

  /**
   * The data of `blob`, which must protect a secret of `expected` (the cluster, namespace
   * and, when given, the claim the caller is about to use it in): a blob copied from
   * another namespace or an earlier claim is refused before any key is asked for
   * (`SEAL_BLOB_FOREIGN`).
   */
  async open(
    blob: Uint8Array,
    expected: { clusterId: string; namespace: string; claimId?: string },
  ): Promise<Record<string, string>> {
    const identity = blobIdentity(blob);
    if (
      identity.packageId !== this.#packageId ||
      identity.clusterId !== normalizeSuiAddress(expected.clusterId) ||
      identity.namespace !== expected.namespace
    ) {
      throw new SealedSecretsError(
        "SEAL_BLOB_FOREIGN",
        `the blob protects a secret of ${identity.namespace} in cluster ${identity.clusterId}, not of ${expected.namespace}`,
      );
    }
    if (
      expected.claimId !== undefined &&
      identity.claimId !== normalizeSuiAddress(expected.claimId)
    ) {
      throw new SealedSecretsError(
        "SEAL_BLOB_FOREIGN",
        `the blob protects a secret of an earlier claim of ${identity.namespace} (${identity.claimId})`,
      );
    }
    const parsed = EncryptedObject.parse(blob);
    try {
      const txBytes = await this.#approvalKind(fromHex(parsed.id), identity.clusterId);
      const plaintext = await this.#seal.decrypt({
        data: blob,
        sessionKey: await this.#sessionKey(),
        txBytes,
      });
      return decodeSecretData(plaintext);
    } catch (error) {
      if (error instanceof NoAccessError) {
        throw new SealedSecretsError(
          "SEAL_NO_ACCESS",
          `the key servers refused ${this.#signer.toSuiAddress()} the keys of this secret (seal_policy::seal_approve aborted)`,
          { cause: error },
        );
      }
      if (error instanceof SealError || error instanceof TypeError) {
        throw new SealedSecretsError(
          "SEAL_KEYS_UNAVAILABLE",
          `cannot fetch the keys of this secret: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * The `seal_approve(id, &Cluster)` PTB, its inputs resolved here (the cluster as a shared
   * reference read from the chain), so building it needs no simulation: the enclave's
   * address holds no SUI.
   */
  async #approvalKind(id: Uint8Array, clusterId: string): Promise<Uint8Array> {
    this.#clusterVersion ??= this.#client
      .getObject({ objectId: clusterId })
      .then(({ object }) => {
        const shared = object.owner.$kind === "Shared" ? object.owner.Shared : undefined;
        if (!shared)
          throw new SealedSecretsError("SEAL_BLOB_INVALID", `${clusterId} is not a shared cluster`);
        return shared.initialSharedVersion;
      })
      .catch((error: unknown) => {
        this.#clusterVersion = undefined;
        throw error;
      });
    const initialSharedVersion = await this.#clusterVersion;
    const tx = new Transaction();
    tx.moveCall({
      target: `${this.#packageId}::seal_policy::seal_approve`,
      arguments: [
        tx.pure.vector("u8", [...id]),
        tx.sharedObjectRef({ objectId: clusterId, initialSharedVersion, mutable: false }),
      ],
    });
    return tx.build({ onlyTransactionKind: true });
  }

  async #sessionKey(): Promise<SessionKey> {
    if (this.#session && Date.now() < this.#session.expiresAt - SESSION_RENEW_MARGIN_MS) {
      return this.#session.key;
    }
    const key = await SessionKey.create({
      address: this.#signer.toSuiAddress(),
      packageId: this.#packageId,
      ttlMin: SESSION_TTL_MIN,
      signer: this.#signer,
      suiClient: this.#client,
    });
    this.#session = { key, expiresAt: Date.now() + SESSION_TTL_MIN * 60_000 };
    return key;
  }
}
