// The sealed request payload and sealed output formats (src/protocol/sealed-payload.ts) and
// the sealed box under them: real X25519, HKDF-SHA256 and AES-256-GCM from node:crypto.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  generateX25519KeyPair,
  openBox,
  openOutput,
  openRequestPayload,
  parseReplyKeyPayload,
  REPLY_KEY_PREFIX,
  replyKeyPayload,
  SEALED_PAYLOAD_OVERHEAD_BYTES,
  type SealedPayloadBinding,
  SealedPayloadError,
  sealBox,
  sealedPayloadRecipient,
  sealOutput,
  sealRequestPayload,
} from "../../src/protocol/index.ts";

const enclave = generateX25519KeyPair();
const reply = generateX25519KeyPair();
const binding: SealedPayloadBinding = {
  clusterId: `0x${"c1".repeat(32)}`,
  requester: `0x${"7e".repeat(32)}`,
  namespace: "team-a",
  method: "POST",
  resource: "secrets",
  name: "db",
};
const body = new TextEncoder().encode(
  '{"apiVersion":"v1","kind":"Secret","stringData":{"password":"hunter2"}}',
);

function throwsCode(work: () => unknown, code: string): void {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof SealedPayloadError, `expected a SealedPayloadError, got ${error}`);
    assert.equal(error.code, code);
    return true;
  });
}

describe("protocol: sealed request payloads", () => {
  it("open with the enclave key to the same body and reply key; the bytes hide the body", () => {
    const sealed = sealRequestPayload(
      enclave.publicKey,
      { body, replyKey: reply.publicKey },
      binding,
    );
    assert.equal(sealed[0], 1, "version byte");
    assert.deepEqual(sealedPayloadRecipient(sealed), enclave.publicKey);
    assert.equal(Buffer.from(sealed).indexOf(Buffer.from("hunter2")), -1);
    const opened = openRequestPayload(enclave, sealed, binding);
    assert.deepEqual(opened.body, body);
    assert.deepEqual(opened.replyKey, reply.publicKey);
    // Header and box, plus one-byte BCS length prefixes (both < 128) and the 32-byte reply key.
    assert.ok(body.length < 128);
    assert.equal(sealed.length, SEALED_PAYLOAD_OVERHEAD_BYTES + 1 + 32 + 1 + body.length);
  });

  it("a payload without a reply key, or with an empty body, opens too", () => {
    const opened = openRequestPayload(
      enclave,
      sealRequestPayload(enclave.publicKey, { body }, binding),
      binding,
    );
    assert.deepEqual(opened, { body });
    const emptyGet = sealRequestPayload(
      enclave.publicKey,
      { body: new Uint8Array(), replyKey: reply.publicKey },
      { ...binding, method: "GET" },
    );
    assert.deepEqual(openRequestPayload(enclave, emptyGet, { ...binding, method: "GET" }), {
      body: new Uint8Array(),
      replyKey: reply.publicKey,
    });
  });

  it("sealing the same body twice gives different bytes (fresh ephemeral key and nonce)", () => {
    const a = sealRequestPayload(enclave.publicKey, { body }, binding);
    const b = sealRequestPayload(enclave.publicKey, { body }, binding);
    assert.notDeepEqual(a, b);
  });

  for (const field of [
    "clusterId",
    "requester",
    "namespace",
    "method",
    "resource",
    "name",
  ] as const) {
    it(`copied into a request with another ${field}, it does not open (UNREADABLE)`, () => {
      const sealed = sealRequestPayload(enclave.publicKey, { body }, binding);
      const other =
        field === "clusterId" || field === "requester"
          ? `0x${"0b".repeat(32)}`
          : `${binding[field]}x`;
      throwsCode(
        () => openRequestPayload(enclave, sealed, { ...binding, [field]: other }),
        "SEALED_PAYLOAD_UNREADABLE",
      );
    });
  }

  it("any altered byte after the header is refused (UNREADABLE), and never opens to other text", () => {
    const sealed = sealRequestPayload(enclave.publicKey, { body }, binding);
    for (let index = 33; index < sealed.length; index += 7) {
      const tampered = Uint8Array.from(sealed);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      throwsCode(() => openRequestPayload(enclave, tampered, binding), "SEALED_PAYLOAD_UNREADABLE");
    }
  });

  it("sealed to another (older) key: STALE_KEY, from the header alone", () => {
    const rotatedAway = generateX25519KeyPair();
    const sealed = sealRequestPayload(rotatedAway.publicKey, { body }, binding);
    throwsCode(() => openRequestPayload(enclave, sealed, binding), "SEALED_PAYLOAD_STALE_KEY");
  });

  it("relabelling the recipient to the current key does not make an old payload open", () => {
    const rotatedAway = generateX25519KeyPair();
    const sealed = sealRequestPayload(rotatedAway.publicKey, { body }, binding);
    sealed.set(enclave.publicKey, 1);
    throwsCode(() => openRequestPayload(enclave, sealed, binding), "SEALED_PAYLOAD_UNREADABLE");
  });

  it("not this format: MALFORMED (unknown version, truncated, empty)", () => {
    const sealed = sealRequestPayload(enclave.publicKey, { body }, binding);
    const otherVersion = Uint8Array.from(sealed);
    otherVersion[0] = 2;
    throwsCode(
      () => openRequestPayload(enclave, otherVersion, binding),
      "SEALED_PAYLOAD_MALFORMED",
    );
    throwsCode(
      () => openRequestPayload(enclave, sealed.subarray(0, 60), binding),
      "SEALED_PAYLOAD_MALFORMED",
    );
    throwsCode(
      () => openRequestPayload(enclave, new Uint8Array(), binding),
      "SEALED_PAYLOAD_MALFORMED",
    );
    throwsCode(
      () => openRequestPayload(enclave, new TextEncoder().encode("kind: Secret"), binding),
      "SEALED_PAYLOAD_MALFORMED",
    );
  });

  it("refuses to seal to a key that is not 32 bytes (KEY_INVALID)", () => {
    throwsCode(
      () => sealRequestPayload(new Uint8Array(31), { body }, binding),
      "SEALED_PAYLOAD_KEY_INVALID",
    );
    throwsCode(
      () => sealRequestPayload(enclave.publicKey, { body, replyKey: new Uint8Array(5) }, binding),
      "SEALED_PAYLOAD_KEY_INVALID",
    );
  });
});

describe("protocol: reply keys and sealed outputs", () => {
  it("an unsealed reply-key payload round-trips; anything else is not one", () => {
    const payload = replyKeyPayload(reply.publicKey);
    assert.ok(new TextDecoder().decode(payload).startsWith(REPLY_KEY_PREFIX));
    assert.deepEqual(parseReplyKeyPayload(payload), reply.publicKey);
    assert.equal(parseReplyKeyPayload(new TextEncoder().encode("kind: Pod")), undefined);
    assert.equal(parseReplyKeyPayload(new Uint8Array()), undefined);
    throwsCode(
      () => parseReplyKeyPayload(new TextEncoder().encode(`${REPLY_KEY_PREFIX}short`)),
      "SEALED_PAYLOAD_MALFORMED",
    );
  });

  it("an output opens with the reply key for its own request only", () => {
    const output = new TextEncoder().encode('{"statusCode":200,"output":{"data":"aHVudGVyMg=="}}');
    const context = { clusterId: binding.clusterId, requestId: 7n };
    const sealed = sealOutput(reply.publicKey, output, context);
    assert.deepEqual(openOutput(reply, sealed, context), output);
    assert.throws(
      () => openOutput(reply, sealed, { ...context, requestId: 8n }),
      (error: unknown) =>
        error instanceof SealedPayloadError && error.code === "SEALED_OUTPUT_UNREADABLE",
    );
    assert.throws(
      () => openOutput(generateX25519KeyPair(), sealed, context),
      (error: unknown) =>
        error instanceof SealedPayloadError && error.code === "SEALED_OUTPUT_UNREADABLE",
    );
    assert.throws(
      () => openOutput(reply, sealed.subarray(0, 20), context),
      (error: unknown) =>
        error instanceof SealedPayloadError && error.code === "SEALED_OUTPUT_MALFORMED",
    );
  });

  it("boxes are domain-separated: the same key and data under another info string stay shut", () => {
    const aad = new Uint8Array([1, 2, 3]);
    const box = sealBox(reply.publicKey, body, { info: "k8s-daas/sealed-output/v1", aad });
    assert.deepEqual(openBox(reply, box, { info: "k8s-daas/sealed-output/v1", aad }), body);
    assert.throws(() => openBox(reply, box, { info: "k8s-daas/join-credential/v1", aad }), {
      code: "SEALED_BOX_UNREADABLE",
    });
  });
});

describe("protocol: keys nothing can be agreed with", () => {
  it("a low-order reply key is refused where it is read (MALFORMED) and where it is sealed to", () => {
    const lowOrder = new Uint8Array(32);
    throwsCode(
      () =>
        parseReplyKeyPayload(
          new TextEncoder().encode(
            `${REPLY_KEY_PREFIX}${Buffer.from(lowOrder).toString("base64url")}`,
          ),
        ),
      "SEALED_PAYLOAD_MALFORMED",
    );
    throwsCode(
      () =>
        sealOutput(lowOrder, new Uint8Array([1]), { clusterId: binding.clusterId, requestId: 1n }),
      "SEALED_PAYLOAD_KEY_INVALID",
    );
    throwsCode(() => sealRequestPayload(lowOrder, { body }, binding), "SEALED_PAYLOAD_KEY_INVALID");
    // A point of order 8, with the bit X25519 ignores set: refused all the same.
    const orderEight = Buffer.from(
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
      "hex",
    );
    throwsCode(
      () => sealRequestPayload(enclave.publicKey, { body, replyKey: orderEight }, binding),
      "SEALED_PAYLOAD_KEY_INVALID",
    );
  });
});
