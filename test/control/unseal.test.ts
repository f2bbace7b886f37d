// The unseal step of the request pipeline (src/control/pipeline/unseal.ts): what admission
// sees, what a payload that does not open becomes, and what is kept of a sealed request's
// outcome. Real keys and real AES-GCM; the whole path through the chain is in
// test/attacks/sealing.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { outputJson } from "../../src/control/pipeline/outcome.ts";
import { unsealRequest } from "../../src/control/pipeline/unseal.ts";
import type { TenantRequest } from "../../src/control/tenant-request.ts";
import type { RequestOutcome } from "../../src/k8s/operations.ts";
import {
  generateX25519KeyPair,
  openOutput,
  replyKeyPayload,
  sealedOutputOf,
  sealRequestPayload,
} from "../../src/protocol/index.ts";

const enclave = generateX25519KeyPair();
const reply = generateX25519KeyPair();
const SECRET = "s3cr3t-hunter2";
const manifest = new TextEncoder().encode(
  JSON.stringify({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db" },
    stringData: { password: SECRET },
  }),
);
const base: TenantRequest = {
  requestId: 41n,
  clusterId: `0x${"c1".repeat(32)}`,
  method: "POST",
  resource: "secrets",
  namespace: "team-a",
  name: "db",
  payload: new Uint8Array(),
  priority: 5,
  requester: `0x${"7e".repeat(32)}`,
};

function sealed(request: TenantRequest, options: { replyKey?: boolean; to?: Uint8Array } = {}) {
  const payload = sealRequestPayload(
    options.to ?? enclave.publicKey,
    { body: manifest, ...(options.replyKey === false ? {} : { replyKey: reply.publicKey }) },
    request,
  );
  return { ...request, payload, sealed: true };
}

const sealing = (requireSealed = false) => ({
  encryptionKey: enclave,
  requireSealed: () => requireSealed,
});

const created: RequestOutcome = {
  statusCode: 201,
  summary: "secret/db created",
  output: { kind: "Secret", data: { password: Buffer.from(SECRET).toString("base64") } },
};
const refused: RequestOutcome = {
  statusCode: 422,
  errorCode: "ADMISSION_FIELD_INVALID",
  summary: `stringData.password is "${SECRET}"`,
  output: { error: "ADMISSION_FIELD_INVALID", message: `stringData.password is "${SECRET}"` },
};

describe("control: unseal step", () => {
  it("hands admission the opened body and keeps the sealed bytes where they were", () => {
    const request = sealed(base);
    const opened = unsealRequest(request, sealing());
    assert.ok(opened.ok);
    assert.deepEqual(opened.request.payload, manifest);
    assert.notDeepEqual(request.payload, manifest, "the job itself still carries the sealed bytes");
  });

  it("seals the full outcome to the reply key: nothing of the secret is left in the clear", () => {
    const opened = unsealRequest(sealed(base), sealing());
    assert.ok(opened.ok);
    const answered = opened.answer(created);
    const stored = outputJson(answered);
    assert.equal(stored.includes(SECRET), false);
    assert.equal(stored.includes(Buffer.from(SECRET).toString("base64")), false);
    assert.equal(answered.summary, "secret/db created");
    const box = sealedOutputOf(answered.output);
    assert.ok(box);
    const inner = openOutput(reply, box, { clusterId: base.clusterId, requestId: base.requestId });
    assert.equal(Buffer.from(inner).toString("utf8"), outputJson(created));
  });

  it("a failure of a sealed request keeps its code, not its message, in the summary", () => {
    const opened = unsealRequest(sealed(base), sealing());
    assert.ok(opened.ok);
    const answered = opened.answer(refused);
    assert.equal(answered.errorCode, "ADMISSION_FIELD_INVALID");
    assert.equal(answered.statusCode, 422);
    assert.equal(answered.summary.includes(SECRET), false);
    assert.equal(outputJson(answered).includes(SECRET), false);
  });

  it("a sealed request without a reply key gets its output withheld", () => {
    const opened = unsealRequest(sealed(base, { replyKey: false }), sealing());
    assert.ok(opened.ok);
    const stored = outputJson(opened.answer(created));
    assert.equal(stored.includes(Buffer.from(SECRET).toString("base64")), false);
    assert.match(stored, /withheld/);
  });

  it("a payload that does not open is a refusal with its stable code and status", () => {
    const cases: [TenantRequest, number, string][] = [
      [{ ...sealed(base), requester: `0x${"0b".repeat(32)}` }, 403, "SEALED_PAYLOAD_UNREADABLE"],
      [{ ...sealed(base), namespace: "team-b" }, 403, "SEALED_PAYLOAD_UNREADABLE"],
      [sealed(base, { to: generateX25519KeyPair().publicKey }), 409, "SEALED_PAYLOAD_STALE_KEY"],
      [{ ...base, sealed: true, payload: manifest }, 400, "SEALED_PAYLOAD_MALFORMED"],
    ];
    for (const [request, statusCode, code] of cases) {
      const opened = unsealRequest(request, sealing());
      assert.ok(!opened.ok, code);
      assert.equal(opened.refusal.statusCode, statusCode);
      assert.equal(opened.refusal.errorCode, code);
    }
  });

  it("a tampered byte is refused, whichever byte it is", () => {
    const request = sealed(base);
    for (let index = 40; index < request.payload.length; index += 11) {
      const payload = Uint8Array.from(request.payload);
      payload[index] = (payload[index] ?? 0) ^ 0x80;
      const opened = unsealRequest({ ...request, payload }, sealing());
      assert.ok(!opened.ok);
      assert.equal(opened.refusal.errorCode, "SEALED_PAYLOAD_UNREADABLE");
    }
  });

  it("a plaintext payload on a cluster that requires sealing is refused; empty ones pass", () => {
    const plain = { ...base, payload: manifest };
    const refusedPlain = unsealRequest(plain, sealing(true));
    assert.ok(!refusedPlain.ok);
    assert.equal(refusedPlain.refusal.errorCode, "SEALING_REQUIRED");
    assert.equal(refusedPlain.refusal.statusCode, 403);
    const get = unsealRequest({ ...base, method: "GET", payload: new Uint8Array() }, sealing(true));
    assert.ok(get.ok);
    const allowed = unsealRequest(plain, sealing(false));
    assert.ok(allowed.ok);
    assert.equal(allowed.answer(created), created, "a plaintext request's outcome is untouched");
  });

  it("an unsealed GET naming a reply key gets its output sealed to it", () => {
    const request = { ...base, method: "GET", payload: replyKeyPayload(reply.publicKey) };
    const opened = unsealRequest(request, sealing(true));
    assert.ok(opened.ok);
    assert.deepEqual(opened.request.payload, new Uint8Array(), "admission sees a plain GET");
    const box = sealedOutputOf(opened.answer(created).output);
    assert.ok(box);
    assert.equal(
      Buffer.from(openOutput(reply, box, { clusterId: base.clusterId, requestId: 41n })).toString(),
      outputJson(created),
    );
  });
});
