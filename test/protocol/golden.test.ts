// Golden BCS vectors: the same hex is asserted here against src/protocol/ and in
// move/tests/golden_tests.move against the Move package's own BCS.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Ed25519PublicKey } from "@mysten/sui/keypairs/ed25519";
import {
  decodeEvent,
  INTENT,
  IntentMessage,
  K8sAPIRequestEvent,
  RequestResultPayload,
  signingBytes,
} from "../../src/protocol/index.ts";
import {
  CLUSTER_ID,
  enclaveKey,
  goldenVectors,
  readGoldenMove,
  renderGoldenMove,
  requestEvent,
  resultPayload,
  TIMESTAMP_MS,
} from "./golden-fixtures.ts";

const REQUEST_EVENT_HEX =
  "034401905bebdf8c04f3cd5f04f442a39372c8dc321c29edfb4f9cb30b23ab96010000000000000004504f535404706f6473067465616d2d61037765628b017b2261706956657273696f6e223a227631222c226b696e64223a22506f64222c226d65746164617461223a7b226e616d65223a22776562222c226e616d657370616365223a227465616d2d61227d2c2273706563223a7b22636f6e7461696e657273223a5b7b226e616d65223a22776562222c22696d616765223a226e67696e783a312e3237227d5d7d7d05000000000000000000000000000000000000000000000000000000000000007e40420f00000000000068e5cf8b01000000";
const RESULT_PAYLOAD_HEX =
  "034401905bebdf8c04f3cd5f04f442a39372c8dc321c29edfb4f9cb30b23ab9601000000000000000100000000000000c90020abababababababababababababababababababababababababababababababab166372656174656420706f64207465616d2d612f776562";
const INTENT_MESSAGE_HEX = `00${"0068e5cf8b010000"}${RESULT_PAYLOAD_HEX}`;

const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex, "hex"));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

test("K8sAPIRequestEvent encodes to the golden hex and decodes back", () => {
  assert.equal(toHex(K8sAPIRequestEvent.serialize(requestEvent).toBytes()), REQUEST_EVENT_HEX);
  const decoded = decodeEvent(
    `${CLUSTER_ID}::events::K8sAPIRequestEvent`,
    fromHex(REQUEST_EVENT_HEX),
  );
  assert.equal(decoded.name, "K8sAPIRequestEvent");
  const value = decoded.value as ReturnType<typeof K8sAPIRequestEvent.parse>;
  assert.equal(value.request_id, "1");
  assert.equal(value.method, "POST");
  assert.equal(value.namespace, "team-a");
  assert.equal(value.requester, requestEvent.requester);
  assert.equal(value.sealed, false);
  assert.equal(
    new TextDecoder().decode(value.payload),
    new TextDecoder().decode(requestEvent.payload),
  );
});

test("RequestResultPayload encodes to the golden hex and decodes back", () => {
  assert.equal(
    toHex(RequestResultPayload.serialize(resultPayload(1n, 1n)).toBytes()),
    RESULT_PAYLOAD_HEX,
  );
  const value = RequestResultPayload.parse(fromHex(RESULT_PAYLOAD_HEX));
  assert.equal(value.cluster_id, CLUSTER_ID);
  assert.equal(value.status_code, 201);
  assert.equal(value.summary, "created pod team-a/web");
});

test("IntentMessage bytes are intent ++ u64 LE timestamp ++ payload", () => {
  const bytes = signingBytes("requestResult", TIMESTAMP_MS, resultPayload(1n, 1n));
  assert.equal(toHex(bytes), INTENT_MESSAGE_HEX);
  const parsed = IntentMessage(RequestResultPayload).parse(bytes);
  assert.equal(parsed.intent, INTENT.requestResult);
  assert.equal(parsed.timestamp_ms, TIMESTAMP_MS.toString());
});

test("the golden enclave signature verifies over the golden IntentMessage", async () => {
  const message = fromHex(INTENT_MESSAGE_HEX);
  const signature = await enclaveKey.sign(message);
  const publicKey = new Ed25519PublicKey(enclaveKey.getPublicKey().toRawBytes());
  assert.equal(await publicKey.verify(message, signature), true);
  message[0] = INTENT.clusterState; // another intent must not verify
  assert.equal(await publicKey.verify(message, signature), false);
});

test("move/tests/golden.move carries the same vectors and is up to date", async () => {
  const committed = readGoldenMove();
  for (const [name, hex] of Object.entries(goldenVectors())) {
    assert.ok(committed.includes(`fun ${name}(): vector<u8> { x"${hex}" }`), name);
  }
  assert.ok(committed.includes(REQUEST_EVENT_HEX));
  assert.ok(committed.includes(INTENT_MESSAGE_HEX));
  assert.equal(
    committed,
    await renderGoldenMove(),
    "run: node test/protocol/golden-fixtures.ts --write",
  );
});
