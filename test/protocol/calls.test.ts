// Pure-argument encoding of call descriptors, checked against the golden vectors.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CallArgumentError,
  callTarget,
  decodeEvent,
  decodePureArgs,
  encodePureArgs,
  type K8sAPIResultEvent,
  objectType,
  pureParams,
} from "../../src/protocol/index.ts";
import {
  CLUSTER_ID,
  DEPLOYMENT_MANIFEST,
  goldenSignatures,
  goldenVectors,
  OUTPUT_SHA256,
  RESULT_SUMMARY,
  resultEvent,
  TIMESTAMP_MS,
} from "./golden-fixtures.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

test("complete's pure arguments round-trip and carry the signed fields", async () => {
  const signature = Buffer.from((await goldenSignatures()).sig_result_r1_s1 as string, "hex");
  const values = {
    request_id: 1n,
    status_code: 201,
    output_sha256: OUTPUT_SHA256,
    summary: RESULT_SUMMARY,
    timestamp_ms: TIMESTAMP_MS,
    sequence: 1n,
    signature,
  };
  const args = encodePureArgs("complete", values);
  assert.deepEqual(
    pureParams("complete").map((p) => p.name),
    [
      "request_id",
      "status_code",
      "output_sha256",
      "summary",
      "timestamp_ms",
      "sequence",
      "signature",
    ],
  );
  assert.equal(hex(args[0] as Uint8Array), "0100000000000000");
  assert.equal(hex(args[1] as Uint8Array), "c900");
  const decoded = decodePureArgs("complete", args);
  assert.equal(decoded.request_id, "1");
  assert.equal(decoded.summary, RESULT_SUMMARY);
  assert.equal(hex(decoded.signature as Uint8Array), hex(signature));
});

test("deploy_pods_batch arguments encode u32 replicas and string fields", () => {
  const args = encodePureArgs("deploy_pods_batch", {
    deployment_name: "api",
    namespace: "team-a",
    image: "nginx:1.27",
    replicas: 3,
    priority: 2,
  });
  assert.deepEqual(args.map(hex), [
    "03617069",
    "067465616d2d61",
    "0a6e67696e783a312e3237",
    "03000000",
    "02",
  ]);
  assert.equal(
    hex(new TextEncoder().encode(DEPLOYMENT_MANIFEST)),
    goldenVectors().deployment_manifest_bytes,
  );
});

test("encodePureArgs and decodePureArgs reject incomplete argument lists", () => {
  assert.throws(() => encodePureArgs("cancel", {}), CallArgumentError);
  assert.throws(() => decodePureArgs("cancel", []), CallArgumentError);
});

test("callTarget names package::module::function", () => {
  assert.equal(callTarget("0x2a", "create_pod"), "0x2a::requests::create_pod");
  assert.equal(callTarget("0x2a", "register_worker_node"), "0x2a::workers::register_worker_node");
  assert.equal(objectType("0x2a", "NamespaceCap"), "0x2a::tenancy::NamespaceCap");
});

test("the golden result event decodes to the completed request", () => {
  const bytes = Buffer.from(goldenVectors().result_event_bcs as string, "hex");
  const { name, value } = decodeEvent(`${CLUSTER_ID}::events::K8sAPIResultEvent`, bytes);
  assert.equal(name, "K8sAPIResultEvent");
  const event = value as ReturnType<typeof K8sAPIResultEvent.parse>;
  assert.equal(event.request_id, "1");
  assert.equal(event.status_code, 201);
  assert.equal(event.requester, resultEvent.requester);
  assert.equal(hex(event.output_sha256), hex(OUTPUT_SHA256));
  assert.throws(() => decodeEvent("0x2::coin::CoinMetadata", bytes), /not a k8s_daas event/);
});
