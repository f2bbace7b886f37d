// Nitro attestation documents: the real one from Nautilus' example enclave (Sui's framework
// tests carry it) verified against the AWS Nitro root, tampered copies refused, and
// documents from a test CA for what no real document here has (our user_data).
import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import {
  AttestationError,
  type AttestationErrorCode,
  AWS_NITRO_ROOT_PEM,
  AWS_NITRO_ROOT_SHA256,
  encodeEnclaveUserData,
  imagePcrs,
  parseNitroAttestation,
  verifyNitroAttestation,
} from "../../src/protocol/index.ts";
import { NAUTILUS_EXAMPLE, nautilusExampleDocument } from "../helpers/nautilus-example.ts";
import { createTestNitroCa } from "../helpers/nitro-ca.ts";

function refusedWith(code: AttestationErrorCode, run: () => unknown): AttestationError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof AttestationError,
    `expected an AttestationError, got ${String(caught)}`,
  );
  assert.equal(caught.code, code, caught.message);
  return caught;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("tee: the AWS Nitro root", () => {
  it("is the certificate whose SHA-256 fingerprint AWS publishes, a CA valid until 2049", () => {
    const root = new X509Certificate(AWS_NITRO_ROOT_PEM);
    assert.equal(createHash("sha256").update(root.raw).digest("hex"), AWS_NITRO_ROOT_SHA256);
    assert.equal(root.ca, true);
    assert.equal(root.validToDate.toISOString(), "2049-10-28T14:28:05.000Z");
  });
});

describe("tee: the real attestation document of Nautilus' example enclave", () => {
  const bytes = nautilusExampleDocument();

  it("parses to the PCRs, public key and module that Sui's framework test asserts", () => {
    const { document, algorithm } = parseNitroAttestation(bytes);
    assert.equal(algorithm, -35);
    assert.equal(document.digest, "SHA384");
    assert.equal(document.moduleId, "i-06e4b98c6549ff803-enc0196373b195fb723");
    assert.deepEqual(imagePcrs(document).map(hex), NAUTILUS_EXAMPLE.pcrs);
    assert.equal(hex(document.pcrs.get(3) as Uint8Array), NAUTILUS_EXAMPLE.pcr3);
    assert.equal(hex(document.publicKey as Uint8Array), NAUTILUS_EXAMPLE.publicKey);
    assert.equal(document.userData, undefined);
    assert.equal(document.nonce, undefined);
    assert.equal(document.cabundle.length, 4);
  });

  it("verifies to the AWS root at a time inside its validity, then is refused for carrying no keys", () => {
    // Chain, signature and PCR checks run before the keys: reaching KEYS_INVALID means
    // they passed. Nautilus' example puts its key in public_key and no user_data.
    const error = refusedWith("ATTESTATION_KEYS_INVALID", () =>
      verifyNitroAttestation(bytes, {
        nowMs: NAUTILUS_EXAMPLE.clockMs,
        expectedPcrs: NAUTILUS_EXAMPLE.pcrs.map((p) => Buffer.from(p, "hex")),
      }),
    );
    assert.match(error.message, /no user_data/);
  });

  it("is refused when the pinned PCRs differ, naming the PCR that differs", () => {
    const expected = NAUTILUS_EXAMPLE.pcrs.map((p) => Buffer.from(p, "hex"));
    expected[2] = Buffer.alloc(48, 7);
    const error = refusedWith("ATTESTATION_PCR_MISMATCH", () =>
      verifyNitroAttestation(bytes, { nowMs: NAUTILUS_EXAMPLE.clockMs, expectedPcrs: expected }),
    );
    assert.match(error.message, /^PCR2 is 21b9efbc/);
    assert.doesNotMatch(error.message, /PCR0|PCR1/);
  });

  it("is refused before and after its certificates' validity", () => {
    refusedWith("ATTESTATION_EXPIRED", () =>
      verifyNitroAttestation(bytes, { nowMs: NAUTILUS_EXAMPLE.clockMs + 4 * 3_600_000 }),
    );
    refusedWith("ATTESTATION_EXPIRED", () =>
      verifyNitroAttestation(bytes, { nowMs: Date.parse("2025-01-01T00:00:00Z") }),
    );
  });

  it("is refused when one byte of the signed payload changes (a PCR)", () => {
    const tampered = Buffer.from(bytes);
    const pcr2 = tampered.indexOf(Buffer.from(NAUTILUS_EXAMPLE.pcrs[2] as string, "hex"));
    assert.ok(pcr2 > 0);
    tampered[pcr2] = (tampered[pcr2] as number) ^ 0x01;
    refusedWith("ATTESTATION_SIGNATURE_INVALID", () =>
      verifyNitroAttestation(tampered, { nowMs: NAUTILUS_EXAMPLE.clockMs }),
    );
  });

  it("is refused when its signature changes", () => {
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 0x80;
    refusedWith("ATTESTATION_SIGNATURE_INVALID", () =>
      verifyNitroAttestation(tampered, { nowMs: NAUTILUS_EXAMPLE.clockMs }),
    );
  });

  it("is refused when another root is trusted", () => {
    const other = createTestNitroCa(Date.parse("2025-01-01"), Date.parse("2026-01-01"));
    refusedWith("ATTESTATION_CHAIN_INVALID", () =>
      verifyNitroAttestation(bytes, { nowMs: NAUTILUS_EXAMPLE.clockMs, rootPem: other.rootPem }),
    );
  });

  it("is refused as malformed when truncated or followed by extra bytes", () => {
    for (const broken of [
      bytes.subarray(0, bytes.length - 10),
      Buffer.concat([bytes, Buffer.of(0)]),
    ]) {
      refusedWith("ATTESTATION_MALFORMED", () =>
        verifyNitroAttestation(broken, { nowMs: NAUTILUS_EXAMPLE.clockMs }),
      );
    }
    refusedWith("ATTESTATION_MALFORMED", () => parseNitroAttestation(Buffer.from("not cbor")));
  });
});

describe("tee: attestation documents carrying the enclave's keys (test CA)", () => {
  const now = Date.parse("2026-06-01T00:00:00Z");
  const ca = createTestNitroCa(now - 3_600_000, now + 3_600_000);
  const pcrs = [1, 2, 3].map((fill) => new Uint8Array(48).fill(fill));
  const keys = {
    public_key: new Uint8Array(32).fill(0xa1),
    encryption_key: new Uint8Array(32).fill(0xb2),
    tls_key_sha256: new Uint8Array(32).fill(0xc3),
  };
  /**
   * A document as nautilus-control's NSM makes it (`public_key` and `user_data` set);
   * `userData: null` leaves `user_data` out.
   */
  const attested = (
    fields: { userData?: Uint8Array | null; publicKey?: Uint8Array; pcrs?: Uint8Array[] } = {},
  ) => {
    const userData = fields.userData === undefined ? encodeEnclaveUserData(keys) : fields.userData;
    return ca.document({
      pcrs: fields.pcrs ?? pcrs,
      timestampMs: now,
      publicKey: fields.publicKey ?? keys.public_key,
      ...(userData === null ? {} : { userData }),
    });
  };

  it("verifies and yields the keys from user_data (BCS EnclavePublicKeys) and PCR0..2", () => {
    const document = attested();
    const verified = verifyNitroAttestation(document, {
      nowMs: now,
      rootPem: ca.rootPem,
      expectedPcrs: pcrs,
    });
    assert.deepEqual(verified.keys, keys);
    assert.deepEqual(verified.pcrs, pcrs);
  });

  it("refuses user_data that is not exactly one EnclavePublicKeys with 32-byte values", () => {
    const good = encodeEnclaveUserData(keys);
    const shortKey = encodeEnclaveUserData({ ...keys, encryption_key: new Uint8Array(31) });
    const shortHash = encodeEnclaveUserData({ ...keys, tls_key_sha256: new Uint8Array(16) });
    const multiByteLength = Buffer.from(good);
    multiByteLength[0] = 0x80;
    const refused = [
      Buffer.concat([good, Buffer.of(0)]),
      shortKey,
      shortHash,
      good.subarray(0, 66),
      multiByteLength,
    ];
    for (const userData of refused) {
      refusedWith("ATTESTATION_KEYS_INVALID", () =>
        verifyNitroAttestation(attested({ userData }), { nowMs: now, rootPem: ca.rootPem }),
      );
    }
  });

  it("refuses a document without public_key or user_data, or whose user_data names another key", () => {
    const other = new Uint8Array(32).fill(0xd4);
    const cases: [Uint8Array, RegExp][] = [
      [attested({ userData: null }), /no user_data/],
      [
        ca.document({ pcrs, timestampMs: now, userData: encodeEnclaveUserData(keys) }),
        /no public_key/,
      ],
      [attested({ publicKey: other }), /another signing key/],
    ];
    for (const [document, message] of cases) {
      const error = refusedWith("ATTESTATION_KEYS_INVALID", () =>
        verifyNitroAttestation(document, { nowMs: now, rootPem: ca.rootPem }),
      );
      assert.match(error.message, message);
    }
  });

  it("refuses a debug-mode enclave (PCR0..2 all zero)", () => {
    const zero = [0, 1, 2].map(() => new Uint8Array(48));
    const document = attested({ pcrs: zero });
    refusedWith("ATTESTATION_DEBUG_MODE", () =>
      verifyNitroAttestation(document, { nowMs: now, rootPem: ca.rootPem }),
    );
  });

  it("is not trusted under the AWS root", () => {
    const document = attested();
    refusedWith("ATTESTATION_CHAIN_INVALID", () =>
      verifyNitroAttestation(document, { nowMs: now }),
    );
  });
});
