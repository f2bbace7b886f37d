import {
  decodeEnclaveUserData,
  ENCLAVE_KEY_KIND,
  EnclaveConfigEvent,
  EnclaveKeyRemovedEvent,
  EnclaveRegisteredEvent,
  INSTALLED_ENCLAVE_KEY_KIND,
  LIMITS,
  NitroAttestationDocumentLayout,
  signingBytes,
} from "../../protocol/index.ts";
import type { MoveCallContext, MoveFunction } from "../move-runtime.ts";
import { assertAdmin } from "./cluster.ts";
import {
  type CallScope,
  type ClusterValue,
  ed25519Verify,
  entry,
  readCluster,
  writeCluster,
} from "./entry.ts";

/**
 * `enclave::verify_enclave_message`: key registered, signature, freshness, then sequence;
 * the accepted sequence is stored on the (caller-written) cluster value.
 */
export function verifyEnclaveMessage(
  scope: CallScope,
  cluster: ClusterValue,
  message: Uint8Array,
  timestampMs: bigint,
  sequence: bigint,
  signature: Uint8Array,
): void {
  const publicKey = cluster.enclave_public_key;
  if (publicKey.length === 0) scope.fail("enclave", "ENoEnclaveKey", "verify_enclave_message");
  if (!ed25519Verify(signature, publicKey, message))
    scope.fail("enclave", "EInvalidSignature", "verify_enclave_message");
  const now = BigInt(scope.ctx.clockMs);
  const window = BigInt(cluster.config.signature_window_ms);
  if (!(timestampMs + window >= now && timestampMs <= now + window)) {
    scope.fail("enclave", "ETimestampOutOfWindow", "verify_enclave_message");
  }
  if (sequence <= BigInt(cluster.last_sequence))
    scope.fail("enclave", "ESequenceReplay", "verify_enclave_message");
  cluster.last_sequence = sequence.toString();
}

/** Reads the trailing `timestamp_ms, sequence, signature` arguments of a signed call. */
export function signedArgs(scope: CallScope) {
  return {
    timestampMs: scope.args.u64("timestamp_ms"),
    sequence: scope.args.u64("sequence"),
    signature: scope.args.bytes("signature"),
  };
}

/**
 * `enclave::install_key`: the keys the enclave publishes (`EnclavePublicKeys`); `keyKind` is
 * what the key is (`Cluster.enclave_key_kind`), `eventKind` how it got there
 * (`EnclaveRegisteredEvent.kind`).
 */
function installKey(
  scope: CallScope,
  cluster: ClusterValue,
  keys: { public_key: Uint8Array; encryption_key: Uint8Array; tls_key_sha256: Uint8Array },
  keyKind: number,
  eventKind: number,
): void {
  if (keys.public_key.length !== LIMITS.enclavePublicKeyBytes)
    scope.fail("enclave", "EInvalidPublicKey", "install_key");
  if (keys.encryption_key.length !== LIMITS.enclaveEncryptionKeyBytes)
    scope.fail("enclave", "EInvalidEncryptionKey", "install_key");
  if (keys.tls_key_sha256.length !== LIMITS.enclaveTlsKeyHashBytes)
    scope.fail("enclave", "EInvalidTlsKeyHash", "install_key");
  cluster.enclave_public_key = keys.public_key;
  cluster.enclave_encryption_key = keys.encryption_key;
  cluster.enclave_tls_key_sha256 = keys.tls_key_sha256;
  cluster.enclave_key_kind = keyKind;
  scope.ctx.emit(
    "events",
    "EnclaveRegisteredEvent",
    EnclaveRegisteredEvent.serialize({
      cluster_id: cluster.id,
      kind: eventKind,
      ...keys,
    }).toBytes(),
  );
}

function emitEnclaveConfig(ctx: MoveCallContext, cluster: ClusterValue): void {
  ctx.emit(
    "events",
    "EnclaveConfigEvent",
    EnclaveConfigEvent.serialize({
      cluster_id: cluster.id,
      pcrs: cluster.pcrs,
      allow_dev_enclave: cluster.allow_dev_enclave,
    }).toBytes(),
  );
}

/**
 * `enclave::is_valid_pcr`: 48 bytes, not all zero (what a Nitro enclave in debug mode
 * reports, refused whichever PCR it is).
 */
function isValidPcr(pcr: Uint8Array): boolean {
  return pcr.length === LIMITS.pcrBytes && pcr.some((byte) => byte !== 0);
}

/**
 * `enclave::register_attested_key`: the pinned PCRs, then the document's `public_key` and
 * the keys in `user_data` (BCS `EnclavePublicKeys` naming that key), in the Move order of
 * checks.
 */
function registerAttestedKey(
  scope: CallScope,
  cluster: ClusterValue,
  attestedPcrs: Uint8Array[],
  publicKey: Uint8Array | undefined,
  userData: Uint8Array | undefined,
): void {
  const where = "register_attested_key";
  const expected = cluster.pcrs;
  if (expected.length === 0) scope.fail("enclave", "EPcrsNotConfigured", where);
  if (!attestedPcrs.every(isValidPcr)) scope.fail("enclave", "EInvalidPcrs", where);
  const same = attestedPcrs.every((pcr, index) => {
    const pinned = expected[index];
    return pinned !== undefined && Buffer.from(pcr).equals(Buffer.from(pinned));
  });
  if (!same || attestedPcrs.length !== expected.length)
    scope.fail("enclave", "EPcrMismatch", where);
  if (publicKey === undefined) scope.fail("enclave", "EInvalidPublicKey", where);
  if (userData === undefined) scope.fail("enclave", "EInvalidUserData", where);
  const keys = decodeEnclaveUserData(userData);
  if (!keys) scope.fail("enclave", "EInvalidUserData", "decode_enclave_public_keys");
  if (!Buffer.from(keys.public_key).equals(Buffer.from(publicKey)))
    scope.fail("enclave", "EInvalidUserData", where);
  installKey(scope, cluster, keys, INSTALLED_ENCLAVE_KEY_KIND.nitro, ENCLAVE_KEY_KIND.nitro);
}

export function enclaveModule(packageId: string): Record<string, MoveFunction> {
  return {
    set_enclave_pcrs: entry(packageId, "set_enclave_pcrs", (scope) => {
      const clusterArg = scope.args.object("cluster");
      const cluster = readCluster(clusterArg);
      assertAdmin(scope, cluster, scope.args.object("cap"));
      const pcrs = [scope.args.bytes("pcr0"), scope.args.bytes("pcr1"), scope.args.bytes("pcr2")];
      if (!pcrs.every(isValidPcr)) scope.fail("enclave", "EInvalidPcrs");
      cluster.pcrs = pcrs;
      writeCluster(clusterArg, cluster);
      emitEnclaveConfig(scope.ctx, cluster);
    }),
    register_enclave: entry(packageId, "register_enclave", (scope) => {
      const clusterArg = scope.args.object("cluster");
      const cluster = readCluster(clusterArg);
      assertAdmin(scope, cluster, scope.args.object("cap"));
      const document = NitroAttestationDocumentLayout.parse(scope.args.value("document"));
      const attested = [0, 1, 2].map((index) =>
        Uint8Array.from(document.pcrs.find((entry) => entry.index === index)?.value ?? []),
      );
      const optional = (value: Iterable<number> | null) =>
        value === null ? undefined : Uint8Array.from(value);
      registerAttestedKey(
        scope,
        cluster,
        attested,
        optional(document.public_key),
        optional(document.user_data),
      );
      writeCluster(clusterArg, cluster);
    }),
    register_dev_enclave: entry(packageId, "register_dev_enclave", (scope) => {
      const clusterArg = scope.args.object("cluster");
      const cluster = readCluster(clusterArg);
      assertAdmin(scope, cluster, scope.args.object("cap"));
      if (!cluster.allow_dev_enclave) scope.fail("enclave", "EDevEnclaveDisabled");
      installKey(
        scope,
        cluster,
        {
          public_key: scope.args.bytes("public_key"),
          encryption_key: scope.args.bytes("encryption_key"),
          tls_key_sha256: scope.args.bytes("tls_key_sha256"),
        },
        INSTALLED_ENCLAVE_KEY_KIND.dev,
        ENCLAVE_KEY_KIND.dev,
      );
      writeCluster(clusterArg, cluster);
    }),
    disable_dev_enclave: entry(packageId, "disable_dev_enclave", (scope) => {
      const clusterArg = scope.args.object("cluster");
      const cluster = readCluster(clusterArg);
      assertAdmin(scope, cluster, scope.args.object("cap"));
      cluster.allow_dev_enclave = false;
      emitEnclaveConfig(scope.ctx, cluster);
      const removed = cluster.enclave_public_key;
      if (removed.length > 0 && cluster.enclave_key_kind === INSTALLED_ENCLAVE_KEY_KIND.dev) {
        // The kind stays: a rotation signed by the removed key is refused as dev.
        cluster.enclave_public_key = new Uint8Array();
        cluster.enclave_encryption_key = new Uint8Array();
        cluster.enclave_tls_key_sha256 = new Uint8Array();
        scope.ctx.emit(
          "events",
          "EnclaveKeyRemovedEvent",
          EnclaveKeyRemovedEvent.serialize({
            cluster_id: cluster.id,
            public_key: removed,
            kind: INSTALLED_ENCLAVE_KEY_KIND.dev,
          }).toBytes(),
        );
      }
      writeCluster(clusterArg, cluster);
    }),
    rotate_enclave_key: entry(packageId, "rotate_enclave_key", (scope) => {
      const clusterArg = scope.args.object("cluster");
      const cluster = readCluster(clusterArg);
      const keyKind = cluster.enclave_key_kind;
      if (keyKind === INSTALLED_ENCLAVE_KEY_KIND.dev && !cluster.allow_dev_enclave)
        scope.fail("enclave", "EDevEnclaveDisabled");
      const newKeys = {
        public_key: scope.args.bytes("new_public_key"),
        encryption_key: scope.args.bytes("new_encryption_key"),
        tls_key_sha256: scope.args.bytes("new_tls_key_sha256"),
      };
      const { timestampMs, sequence, signature } = signedArgs(scope);
      const message = signingBytes("keyRotation", timestampMs, {
        cluster_id: cluster.id,
        sequence,
        new_public_key: newKeys.public_key,
        new_encryption_key: newKeys.encryption_key,
        new_tls_key_sha256: newKeys.tls_key_sha256,
      });
      verifyEnclaveMessage(scope, cluster, message, timestampMs, sequence, signature);
      installKey(scope, cluster, newKeys, keyKind, ENCLAVE_KEY_KIND.rotation);
      writeCluster(clusterArg, cluster);
    }),
  };
}
