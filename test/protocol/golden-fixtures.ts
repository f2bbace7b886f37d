// Golden vectors shared by the TS tests and the Move tests. `renderGoldenMove()` renders
// move/tests/golden.move (written by `node test/protocol/golden-fixtures.ts --write`);
// golden.test.ts fails when that file is stale, and the Move tests assert the same hex
// against the Move package's own BCS, so TS and Move cannot drift apart silently.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import {
  ClusterObject,
  DEFAULT_CONFIG,
  deploymentManifest,
  EXPIRED_STATUS_CODE,
  encodeEnclaveUserData,
  INSTALLED_ENCLAVE_KEY_KIND,
  imagePcrs,
  K8sAPIRequestEvent,
  K8sAPIResultEvent,
  parseNitroAttestation,
  podManifest,
  RequestResultPayload,
  signingBytes,
  tlsKeySha256,
  UsageReportPayload,
  WorkerRefusalPayload,
  x25519KeyPairFromPkcs8,
} from "../../src/protocol/index.ts";

import { NAUTILUS_EXAMPLE, nautilusExampleDocument } from "../helpers/nautilus-example.ts";

export const GOLDEN_MOVE_PATH = join(
  import.meta.dirname,
  "..",
  "..",
  "move",
  "tests",
  "golden.move",
);

/** Id of the cluster `test_env::begin()` creates: the first object of test_scenario tx 0. */
export const CLUSTER_ID = "0x034401905bebdf8c04f3cd5f04f442a39372c8dc321c29edfb4f9cb30b23ab96";
/** `test_env::tenant()`. */
export const TENANT = `0x${"7e".padStart(64, "0")}`;
/** `test_env::admin()`. */
export const ADMIN = `0x${"ad".padStart(64, "0")}`;
export const TIMESTAMP_MS = 1_700_000_000_000n;
const WINDOW_MS = DEFAULT_CONFIG.signatureWindowMs;

export const enclaveKey = Ed25519Keypair.fromSecretKey(new Uint8Array(32).fill(0x11));
export const otherKey = Ed25519Keypair.fromSecretKey(new Uint8Array(32).fill(0x22));
export const WORKER_ENCRYPTION_KEY = new Uint8Array(32).fill(0x33);

/** An X25519 key pair from a fixed 32-byte private scalar (PKCS#8 of RFC 8410). */
function x25519FromScalar(fill: number) {
  const prefix = Buffer.from("302e020100300506032b656e04220420", "hex");
  return x25519KeyPairFromPkcs8(Buffer.concat([prefix, Buffer.alloc(32, fill)]));
}
/** The golden enclave's X25519 encryption key pair, registered with `enclaveKey`. */
export const enclaveEncryptionKey = x25519FromScalar(0x44);
/** The encryption key pair `otherKey` brings in by rotation. */
export const otherEncryptionKey = x25519FromScalar(0x55);
/** A rotation's encryption key of the wrong length (`x"0102"`). */
export const SHORT_ENCRYPTION_KEY = new Uint8Array([1, 2]);

/** SHA-256 of the SPKI of an ed25519 TLS key made from a fixed seed (RFC 8410 PKCS#8). */
function tlsKeyHashFromSeed(fill: number): Uint8Array {
  const prefix = Buffer.from("302e020100300506032b657004220420", "hex");
  const key = createPrivateKey({
    key: Buffer.concat([prefix, Buffer.alloc(32, fill)]),
    format: "der",
    type: "pkcs8",
  });
  return tlsKeySha256(createPublicKey(key).export({ format: "der", type: "spki" }));
}
/** The golden enclave's TLS key hash, registered with `enclaveKey`. */
export const enclaveTlsKeySha256 = tlsKeyHashFromSeed(0x66);
/** The TLS key hash `otherKey` brings in by rotation. */
export const otherTlsKeySha256 = tlsKeyHashFromSeed(0x77);
/** A rotation's TLS key hash of the wrong length (`x"0102"`). */
export const SHORT_TLS_KEY_HASH = new Uint8Array([1, 2]);

export const OUTPUT_SHA256 = new Uint8Array(32).fill(0xab);
export const RESULT_SUMMARY = "created pod team-a/web";
export const JOIN_CREDENTIAL = new Uint8Array([0xc0, 0xff, 0xee, 0x01, 0x02, 0x03]);
export const SLASH_REASON = "missed heartbeats";
export const USAGE_SUMMARY = "cpu 40%, memory 2Gi";
export const REFUSAL_REASON = "node node-1 already exists and was not made for this worker";
export const EXPIRED_SUMMARY = "request expired before it was started";

/** The Cluster object `create_cluster("prod")` shares: every default, no key, nothing paid. */
export const createdCluster = {
  id: CLUSTER_ID,
  name: "prod",
  admin: ADMIN,
  config: {
    request_fee_mist: DEFAULT_CONFIG.requestFeeMist,
    min_worker_stake_mist: DEFAULT_CONFIG.minWorkerStakeMist,
    heartbeat_period_ms: DEFAULT_CONFIG.heartbeatPeriodMs,
    unbonding_period_ms: DEFAULT_CONFIG.unbondingPeriodMs,
    max_payload_bytes: DEFAULT_CONFIG.maxPayloadBytes,
    signature_window_ms: DEFAULT_CONFIG.signatureWindowMs,
    request_timeout_ms: DEFAULT_CONFIG.requestTimeoutMs,
    require_sealed: DEFAULT_CONFIG.requireSealed,
  },
  paused: false,
  treasury: 0n,
  allow_dev_enclave: true,
  pcrs: [],
  enclave_public_key: new Uint8Array(),
  enclave_encryption_key: new Uint8Array(),
  enclave_tls_key_sha256: new Uint8Array(),
  enclave_key_kind: INSTALLED_ENCLAVE_KEY_KIND.nitro,
  last_sequence: 0n,
  next_request_id: 1n,
};

/** `refuse_worker(node-1, REFUSAL_REASON)` with sequence 1, as the enclave signs it. */
export const refusalPayload = {
  cluster_id: CLUSTER_ID,
  sequence: 1n,
  node_id: "node-1",
  reason: REFUSAL_REASON,
};

/**
 * Billing prices of the usage-report vectors (MIST per core-hour, GiB-memory-hour,
 * GiB-storage-hour; treasury share in basis points).
 */
export const BILLING_PRICES = {
  cpu_core_hour_mist: 1_000_000_000n,
  memory_gib_hour_mist: 400_000_000n,
  storage_gib_hour_mist: 100_000_000n,
  treasury_share_bps: 1_000n,
};
const MINUTE_MS = 60_000n;
const GIB = 1_073_741_824n;

/**
 * Usage report `period` (1 or 2) signed with `sequence`: one minute each, period 2 ending
 * at the golden timestamp. team-a ran 1.5 cores, 512 MiB and a 1 GiB volume; node-1 served
 * 1 core and the 512 MiB, node-2 half a core (the volume is on no worker's node).
 */
export function usageReportPayload(period: 1n | 2n, sequence: bigint) {
  const end = TIMESTAMP_MS - (2n - period) * MINUTE_MS;
  return {
    cluster_id: CLUSTER_ID,
    sequence,
    period,
    period_start_ms: end - MINUTE_MS,
    period_end_ms: end,
    part: 0n,
    parts: 1n,
    namespaces: ["team-a"],
    namespace_usage: [1_500n * MINUTE_MS, (GIB / 2n) * MINUTE_MS, GIB * MINUTE_MS],
    node_ids: ["node-1", "node-2"],
    node_usage: [1_000n * MINUTE_MS, (GIB / 2n) * MINUTE_MS, 0n, 500n * MINUTE_MS, 0n, 0n],
  };
}

/**
 * Report 1 in two parts signed with `sequence`: part 0 holds team-a and no nodes, part 1
 * the two nodes and no namespace (the workers' shares come from part 0's collection).
 */
export function usageReportPartPayload(part: 0n | 1n, sequence: bigint) {
  const whole = usageReportPayload(1n, sequence);
  return part === 0n
    ? { ...whole, part, parts: 2n, node_ids: [], node_usage: [] }
    : { ...whole, part, parts: 2n, namespaces: [], namespace_usage: [] };
}

/** The event `create_pod(web, team-a, nginx:1.27, priority 5)` emits as request 1. */
export const requestEvent = {
  cluster_id: CLUSTER_ID,
  request_id: 1n,
  method: "POST",
  resource: "pods",
  namespace: "team-a",
  name: "web",
  payload: new TextEncoder().encode(podManifest("web", "team-a", "nginx:1.27")),
  priority: 5,
  requester: TENANT,
  fee_mist: DEFAULT_CONFIG.requestFeeMist,
  timestamp_ms: TIMESTAMP_MS,
  sealed: false,
};

/** The event `complete(request 1, 201, golden digest and summary, sequence 1)` emits. */
export const resultEvent = {
  cluster_id: CLUSTER_ID,
  request_id: 1n,
  status_code: 201,
  output_sha256: OUTPUT_SHA256,
  summary: RESULT_SUMMARY,
  requester: TENANT,
  sequence: 1n,
  timestamp_ms: TIMESTAMP_MS,
};

/** The payload `deploy_pods_batch(api, team-a, nginx:1.27, 3 replicas)` sends. */
export const DEPLOYMENT_MANIFEST = deploymentManifest("api", "team-a", "nginx:1.27", 3);

export function resultPayload(requestId: bigint, sequence: bigint) {
  return {
    cluster_id: CLUSTER_ID,
    sequence,
    request_id: requestId,
    status_code: 201,
    output_sha256: OUTPUT_SHA256,
    summary: RESULT_SUMMARY,
  };
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** Golden BCS vectors, name -> hex. */
export function goldenVectors(): Record<string, string> {
  return {
    request_event_bcs: hex(K8sAPIRequestEvent.serialize(requestEvent).toBytes()),
    result_event_bcs: hex(K8sAPIResultEvent.serialize(resultEvent).toBytes()),
    deployment_manifest_bytes: hex(new TextEncoder().encode(DEPLOYMENT_MANIFEST)),
    result_payload_bcs: hex(RequestResultPayload.serialize(resultPayload(1n, 1n)).toBytes()),
    result_intent_message_bcs: hex(
      signingBytes("requestResult", TIMESTAMP_MS, resultPayload(1n, 1n)),
    ),
    created_cluster_bcs: hex(ClusterObject.serialize(createdCluster).toBytes()),
    refusal_payload_bcs: hex(WorkerRefusalPayload.serialize(refusalPayload).toBytes()),
    refusal_intent_message_bcs: hex(signingBytes("workerRefusal", TIMESTAMP_MS, refusalPayload)),
    usage_report_payload_bcs: hex(
      UsageReportPayload.serialize(usageReportPayload(1n, 1n)).toBytes(),
    ),
    usage_report_intent_message_bcs: hex(
      signingBytes("usageReport", TIMESTAMP_MS, usageReportPayload(1n, 1n)),
    ),
    enclave_user_data: hex(
      encodeEnclaveUserData({
        public_key: enclaveKey.getPublicKey().toRawBytes(),
        encryption_key: enclaveEncryptionKey.publicKey,
        tls_key_sha256: enclaveTlsKeySha256,
      }),
    ),
  };
}

/**
 * The real attestation document of Nautilus' example enclave and what our parser reads from
 * it (PCR0..2, its `public_key`): the Move tests pin these PCRs and replay the document, so the values Move
 * compares are the ones the TS verifier extracts.
 */
export function nautilusExampleVectors(): Record<string, string> {
  const bytes = nautilusExampleDocument();
  const { document } = parseNitroAttestation(bytes);
  const [pcr0, pcr1, pcr2] = imagePcrs(document).map(hex);
  return {
    nautilus_example_attestation: hex(bytes),
    nautilus_example_public_key: hex(document.publicKey ?? new Uint8Array()),
    nautilus_example_pcr0: pcr0 as string,
    nautilus_example_pcr1: pcr1 as string,
    nautilus_example_pcr2: pcr2 as string,
  };
}

/** Signatures the Move tests replay, name -> hex. */
export async function goldenSignatures(): Promise<Record<string, string>> {
  const sign = async (key: Ed25519Keypair, message: Uint8Array) => hex(await key.sign(message));
  const result = (id: bigint, seq: bigint, ts = TIMESTAMP_MS) =>
    signingBytes("requestResult", ts, resultPayload(id, seq));
  return {
    sig_result_r1_s1: await sign(enclaveKey, result(1n, 1n)),
    sig_result_r1_s1_other_key: await sign(otherKey, result(1n, 1n)),
    sig_result_r2_s1: await sign(enclaveKey, result(2n, 1n)),
    sig_result_r2_s2: await sign(enclaveKey, result(2n, 2n)),
    sig_result_r1_s1_stale: await sign(enclaveKey, result(1n, 1n, TIMESTAMP_MS - WINDOW_MS - 1n)),
    sig_result_r1_s2_other_key: await sign(otherKey, result(1n, 2n)),
    sig_result_expired_r1_s1: await sign(
      enclaveKey,
      signingBytes("requestResult", TIMESTAMP_MS, {
        ...resultPayload(1n, 1n),
        status_code: EXPIRED_STATUS_CODE,
        summary: EXPIRED_SUMMARY,
      }),
    ),
    sig_activation_s1: await sign(
      enclaveKey,
      signingBytes("workerActivation", TIMESTAMP_MS, {
        cluster_id: CLUSTER_ID,
        sequence: 1n,
        node_id: "node-1",
        encrypted_join_credential: JOIN_CREDENTIAL,
      }),
    ),
    sig_slash_s1: await sign(
      enclaveKey,
      signingBytes("slashVerdict", TIMESTAMP_MS, {
        cluster_id: CLUSTER_ID,
        sequence: 1n,
        node_id: "node-1",
        reason: SLASH_REASON,
      }),
    ),
    sig_refusal_s1: await sign(
      enclaveKey,
      signingBytes("workerRefusal", TIMESTAMP_MS, refusalPayload),
    ),
    sig_state_s1: await sign(
      enclaveKey,
      signingBytes("clusterState", TIMESTAMP_MS, {
        cluster_id: CLUSTER_ID,
        sequence: 1n,
        node_count: 3n,
        ready_node_count: 2n,
        pod_count: 10n,
        running_pod_count: 8n,
        usage_summary: USAGE_SUMMARY,
      }),
    ),
    sig_usage_p1_s1: await sign(
      enclaveKey,
      signingBytes("usageReport", TIMESTAMP_MS, usageReportPayload(1n, 1n)),
    ),
    sig_usage_p2_s2: await sign(
      enclaveKey,
      signingBytes("usageReport", TIMESTAMP_MS, usageReportPayload(2n, 2n)),
    ),
    sig_usage_p1_part0of2_s1: await sign(
      enclaveKey,
      signingBytes("usageReport", TIMESTAMP_MS, usageReportPartPayload(0n, 1n)),
    ),
    sig_usage_p1_part1of2_s2: await sign(
      enclaveKey,
      signingBytes("usageReport", TIMESTAMP_MS, usageReportPartPayload(1n, 2n)),
    ),
    sig_rotation_s1: await sign(
      enclaveKey,
      signingBytes("keyRotation", TIMESTAMP_MS, {
        cluster_id: CLUSTER_ID,
        sequence: 1n,
        new_public_key: otherKey.getPublicKey().toRawBytes(),
        new_encryption_key: otherEncryptionKey.publicKey,
        new_tls_key_sha256: otherTlsKeySha256,
      }),
    ),
    sig_rotation_short_encryption_key_s1: await sign(
      enclaveKey,
      signingBytes("keyRotation", TIMESTAMP_MS, {
        cluster_id: CLUSTER_ID,
        sequence: 1n,
        new_public_key: otherKey.getPublicKey().toRawBytes(),
        new_encryption_key: SHORT_ENCRYPTION_KEY,
        new_tls_key_sha256: otherTlsKeySha256,
      }),
    ),
    sig_rotation_short_tls_key_hash_s1: await sign(
      enclaveKey,
      signingBytes("keyRotation", TIMESTAMP_MS, {
        cluster_id: CLUSTER_ID,
        sequence: 1n,
        new_public_key: otherKey.getPublicKey().toRawBytes(),
        new_encryption_key: otherEncryptionKey.publicKey,
        new_tls_key_sha256: SHORT_TLS_KEY_HASH,
      }),
    ),
  };
}

const bytesFn = (name: string, value: string) => `public fun ${name}(): vector<u8> { x"${value}" }`;

/** The full text of move/tests/golden.move. */
export async function renderGoldenMove(): Promise<string> {
  const functions = [
    `public fun cluster_id(): ID { object::id_from_address(@${CLUSTER_ID}) }`,
    `public fun timestamp_ms(): u64 { ${TIMESTAMP_MS} }`,
    bytesFn("enclave_public_key", hex(enclaveKey.getPublicKey().toRawBytes())),
    bytesFn("other_public_key", hex(otherKey.getPublicKey().toRawBytes())),
    bytesFn("enclave_encryption_key", hex(enclaveEncryptionKey.publicKey)),
    bytesFn("other_encryption_key", hex(otherEncryptionKey.publicKey)),
    bytesFn("enclave_tls_key_sha256", hex(enclaveTlsKeySha256)),
    bytesFn("other_tls_key_sha256", hex(otherTlsKeySha256)),
    bytesFn("worker_encryption_key", hex(WORKER_ENCRYPTION_KEY)),
    bytesFn("output_sha256", hex(OUTPUT_SHA256)),
    bytesFn("join_credential", hex(JOIN_CREDENTIAL)),
    ...Object.entries(goldenVectors()).map(([name, value]) => bytesFn(name, value)),
    `public fun nautilus_example_clock_ms(): u64 { ${NAUTILUS_EXAMPLE.clockMs} }`,
    ...Object.entries(nautilusExampleVectors()).map(([name, value]) => bytesFn(name, value)),
    ...Object.entries(await goldenSignatures()).map(([name, value]) => bytesFn(name, value)),
  ];
  return [
    "// GENERATED by `node test/protocol/golden-fixtures.ts --write`; do not edit.",
    "// Golden vectors and enclave signatures shared with test/protocol/golden.test.ts.",
    "",
    "#[test_only]",
    "module k8s_daas::golden;",
    "",
    ...functions,
    "",
  ].join("\n");
}

/** The committed golden.move text. */
export function readGoldenMove(): string {
  return readFileSync(GOLDEN_MOVE_PATH, "utf8");
}

if (process.argv.includes("--write")) {
  writeFileSync(GOLDEN_MOVE_PATH, await renderGoldenMove());
  console.log(`wrote ${GOLDEN_MOVE_PATH}`);
}
