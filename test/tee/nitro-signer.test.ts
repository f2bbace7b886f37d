// The Nitro signer and the NSM protocol. No NSM device exists here: a stand-in transport
// answers the CBOR requests the signer sends the way the NSM does, with documents from a
// test CA; the real ioctl helper is compiled and run against a device that is no NSM.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPublicKey, verify as verifySignature } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  CborError,
  type CborValue,
  decodeCbor,
  encodeCbor,
  openBox,
  sealBox,
  verifyNitroAttestation,
} from "../../src/protocol/index.ts";
import {
  createNitroEnclaveSigner,
  decodeAttestationResponse,
  encodeAttestationRequest,
  NsmError,
  type NsmTransport,
  nsmHelperTransport,
  requestAttestation,
} from "../../src/tee/index.ts";
import { createTestNitroCa, nsmStandIn } from "../helpers/nitro-ca.ts";

const now = Date.parse("2026-06-01T00:00:00Z");
const ca = createTestNitroCa(now - 3_600_000, now + 3_600_000);
const pcrs = [4, 5, 6].map((fill) => new Uint8Array(48).fill(fill));

const standInNsm = (seen?: Map<CborValue, CborValue>[]) =>
  nsmStandIn(ca, { pcrs, nowMs: now }, seen);

describe("tee: the Nitro enclave signer", () => {
  it("attests its own keys: user_data holds both, the signing key signs, the encryption key opens", async () => {
    const seen: Map<CborValue, CborValue>[] = [];
    const signer = await createNitroEnclaveSigner(standInNsm(seen));
    assert.equal(signer.mode, "nitro");
    assert.equal(seen.length, 1, "one attestation at start-up proves the NSM answers");
    const nonce = Buffer.from("a fresh nonce");
    const document = await signer.attest(nonce);
    const verified = verifyNitroAttestation(document, {
      nowMs: now,
      rootPem: ca.rootPem,
      expectedPcrs: pcrs,
    });
    assert.deepEqual(verified.keys.public_key, signer.publicKey);
    assert.deepEqual(verified.keys.encryption_key, signer.encryptionKey.publicKey);
    assert.deepEqual(verified.keys.tls_key_sha256, signer.tlsKey.spkiSha256);
    assert.deepEqual(
      verified.document.publicKey,
      signer.publicKey,
      "public_key as Nautilus puts it",
    );
    assert.deepEqual(verified.document.nonce, new Uint8Array(nonce));

    const message = Buffer.from("result payload");
    const signature = await signer.sign(message);
    const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), signer.publicKey]);
    const publicKey = createPublicKey({ key: spki, format: "der", type: "spki" });
    assert.ok(verifySignature(null, message, publicKey, signature));
    const binding = { info: "k8s-daas test", aad: Buffer.from("ctx") };
    const sealed = sealBox(verified.keys.encryption_key, Buffer.from("secret"), binding);
    assert.equal(Buffer.from(openBox(signer.encryptionKey, sealed, binding)).toString(), "secret");
  });

  it("makes new keys each start: nothing is written or reused", async () => {
    const first = await createNitroEnclaveSigner(standInNsm());
    const second = await createNitroEnclaveSigner(standInNsm());
    assert.notDeepEqual(first.publicKey, second.publicKey);
    assert.notDeepEqual(first.encryptionKey.publicKey, second.encryptionKey.publicKey);
    assert.notDeepEqual(first.tlsKey.spkiSha256, second.tlsKey.spkiSha256);
  });

  it("fails to start when the NSM refuses, with the NSM's reason", async () => {
    const refusing: NsmTransport = async () => encodeCbor(new Map([["Error", "InternalError"]]));
    await assert.rejects(createNitroEnclaveSigner(refusing), (error: unknown) => {
      assert.ok(error instanceof NsmError);
      assert.equal(error.code, "NSM_REFUSED");
      assert.match(error.message, /InternalError/);
      return true;
    });
  });
});

describe("tee: NSM request and response encoding", () => {
  it("encodes an attestation request as the NSM's externally tagged CBOR map", () => {
    const request = encodeAttestationRequest({ userData: Uint8Array.of(1, 2) });
    // {"Attestation": {"user_data": h'0102', "nonce": null, "public_key": null}}
    assert.equal(
      Buffer.from(request).toString("hex"),
      "a1 6b 4174746573746174696f6e a3 69 757365725f64617461 42 0102 65 6e6f6e6365 f6 6a 7075626c69635f6b6579 f6".replaceAll(
        " ",
        "",
      ),
    );
    assert.throws(() => encodeAttestationRequest({ nonce: new Uint8Array(513) }), RangeError);
  });

  it("reads responses: a document, an error, and garbage each as what they are", async () => {
    const document = Uint8Array.of(9, 9);
    assert.deepEqual(
      decodeAttestationResponse(
        encodeCbor(new Map([["Attestation", new Map([["document", document]])]])),
      ),
      document,
    );
    for (const [bytes, code] of [
      [encodeCbor(new Map([["Error", "InvalidArgument"]])), "NSM_REFUSED"],
      [encodeCbor(new Map([["Attestation", new Map()]])), "NSM_RESPONSE_INVALID"],
      [Uint8Array.of(0xff), "NSM_RESPONSE_INVALID"],
    ] as const) {
      assert.throws(
        () => decodeAttestationResponse(bytes),
        (error: unknown) => {
          assert.ok(error instanceof NsmError);
          assert.equal(error.code, code);
          return true;
        },
      );
    }
    await assert.rejects(
      requestAttestation(async () => Uint8Array.of(), {}),
      (error: unknown) => error instanceof NsmError && error.code === "NSM_RESPONSE_INVALID",
    );
  });

  it("CBOR refuses truncated items, trailing bytes and indefinite lengths", () => {
    const value = new Map<CborValue, CborValue>([
      ["a", [1, -2, Uint8Array.of(3), null, true, 2 ** 40]],
    ]);
    assert.deepEqual(decodeCbor(encodeCbor(value)), value);
    for (const bad of ["a161", "0000", "5f", "9f", "1b0000"]) {
      assert.throws(() => decodeCbor(Buffer.from(bad, "hex")), CborError, bad);
    }
  });
});

describe("tee: the NSM ioctl helper (tools/nsm-ioctl)", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-nsm-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const helper = join(dir, "k8s-daas-nsm");
  const source = join(import.meta.dirname, "..", "..", "tools", "nsm-ioctl", "nsm-ioctl.c");
  const build = spawnSync(
    "cc",
    ["-O2", "-Wall", "-Wextra", "-Werror", "-std=c11", "-D_GNU_SOURCE", "-o", helper, source],
    {
      encoding: "utf8",
    },
  );
  const skip = build.error ? "no C compiler (cc) on this machine" : undefined;

  it("compiles warning-free, and reports a device that is no NSM as NSM_UNAVAILABLE", {
    skip,
  }, async () => {
    assert.equal(build.status, 0, build.stderr);
    for (const device of ["/dev/null", join(dir, "missing")]) {
      await assert.rejects(
        requestAttestation(nsmHelperTransport(helper, device), {}),
        (error: unknown) => {
          assert.ok(error instanceof NsmError);
          assert.equal(error.code, "NSM_UNAVAILABLE");
          assert.match(
            error.message,
            device === "/dev/null" ? /NSM ioctl: Inappropriate ioctl/ : /No such file/,
          );
          return true;
        },
      );
    }
  });
});
