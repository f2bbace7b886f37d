// A stand-in for AWS's Nitro PKI in tests, since no Nitro hardware is here: a P-384 root CA
// and a leaf certificate it signs (real X.509 DER, written with a minimal DER encoder),
// and attestation documents (COSE_Sign1 over the CBOR payload AWS specifies) signed by the
// leaf. Verifiers under test trust this root instead of AWS's; the real AWS document in
// test/fixtures/nitro covers the genuine chain.
import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { type CborValue, decodeCbor, encodeCbor } from "../../src/protocol/index.ts";
import type { NsmTransport } from "../../src/tee/index.ts";

const der = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
  const body = Buffer.concat(parts);
  const length =
    body.length < 0x80
      ? Uint8Array.of(body.length)
      : body.length < 0x100
        ? Uint8Array.of(0x81, body.length)
        : Uint8Array.of(0x82, body.length >> 8, body.length & 0xff);
  return Buffer.concat([Uint8Array.of(tag), length, body]);
};
const sequence = (...parts: Uint8Array[]) => der(0x30, ...parts);
const oid = (dotted: string): Uint8Array => {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Uint8Array.from(bytes));
};
const integer = (value: Uint8Array) =>
  der(
    0x02,
    value[0] !== undefined && value[0] & 0x80 ? Buffer.concat([Uint8Array.of(0), value]) : value,
  );
const utcTime = (ms: number) => {
  const iso = new Date(ms).toISOString();
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return der(0x17, Buffer.from(text, "ascii"));
};
const name = (commonName: string) =>
  sequence(der(0x31, sequence(oid("2.5.4.3"), der(0x0c, Buffer.from(commonName, "utf8")))));
const ECDSA_SHA384 = sequence(oid("1.2.840.10045.4.3.3"));

interface CertificateSpec {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  notBeforeMs: number;
  notAfterMs: number;
  ca: boolean;
}

function certificate(spec: CertificateSpec): Uint8Array {
  const extensions = spec.ca
    ? [
        der(
          0xa3,
          sequence(
            sequence(
              oid("2.5.29.19"),
              der(0x01, Uint8Array.of(0xff)),
              der(0x04, sequence(der(0x01, Uint8Array.of(0xff)))),
            ),
          ),
        ),
      ]
    : [];
  const tbs = sequence(
    der(0xa0, integer(Uint8Array.of(2))),
    integer(randomBytes(16).fill(0x11, 0, 1)),
    ECDSA_SHA384,
    name(spec.issuer),
    sequence(utcTime(spec.notBeforeMs), utcTime(spec.notAfterMs)),
    name(spec.subject),
    spec.publicKey.export({ format: "der", type: "spki" }),
    ...extensions,
  );
  const signature = sign("sha384", tbs, spec.signingKey);
  return sequence(tbs, ECDSA_SHA384, der(0x03, Buffer.concat([Uint8Array.of(0), signature])));
}

export interface TestNitroCa {
  rootPem: string;
  rootDer: Uint8Array;
  /** A document as the NSM would return it, signed by this CA's leaf. */
  document(fields: DocumentFields): Uint8Array;
}

export interface DocumentFields {
  pcrs: readonly Uint8Array[];
  timestampMs: number;
  userData?: Uint8Array;
  publicKey?: Uint8Array;
  nonce?: Uint8Array;
}

const p384 = () => generateKeyPairSync("ec", { namedCurve: "secp384r1" });

/** A root and a leaf valid from `validFromMs` to `validToMs`. */
export function createTestNitroCa(validFromMs: number, validToMs: number): TestNitroCa {
  const root = p384();
  const leaf = p384();
  const rootDer = certificate({
    subject: "k8s-daas test nitro root",
    issuer: "k8s-daas test nitro root",
    publicKey: root.publicKey,
    signingKey: root.privateKey,
    notBeforeMs: validFromMs,
    notAfterMs: validToMs,
    ca: true,
  });
  const leafDer = certificate({
    subject: "k8s-daas test enclave",
    issuer: "k8s-daas test nitro root",
    publicKey: leaf.publicKey,
    signingKey: root.privateKey,
    notBeforeMs: validFromMs,
    notAfterMs: validToMs,
    ca: false,
  });
  const base64 = Buffer.from(rootDer).toString("base64").replace(/.{64}/g, "$&\n");
  return {
    rootDer,
    rootPem: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    document(fields) {
      const payload = encodeCbor(
        new Map<string, Parameters<typeof encodeCbor>[0]>([
          ["module_id", "i-0123456789abcdef0-enc0123456789abcdef"],
          ["digest", "SHA384"],
          ["timestamp", fields.timestampMs],
          ["pcrs", new Map(fields.pcrs.map((value, index) => [index, value]))],
          ["certificate", leafDer],
          ["cabundle", [rootDer]],
          ["public_key", fields.publicKey ?? null],
          ["user_data", fields.userData ?? null],
          ["nonce", fields.nonce ?? null],
        ]),
      );
      const protectedHeader = encodeCbor(new Map([[1, -35]]));
      const signed = encodeCbor(["Signature1", protectedHeader, new Uint8Array(), payload]);
      const signature = sign("sha384", signed, { key: leaf.privateKey, dsaEncoding: "ieee-p1363" });
      return encodeCbor([protectedHeader, new Map(), payload, signature]);
    },
  };
}

/**
 * A stand-in for the NSM device: answers `{"Attestation": {...}}` requests as the NSM does,
 * with documents `ca` signs for `pcrs` at `nowMs`, echoing the request's user_data,
 * public_key and nonce; records each request body in `seen`.
 */
export function nsmStandIn(
  ca: TestNitroCa,
  document: { pcrs: readonly Uint8Array[]; nowMs: number },
  seen: Map<CborValue, CborValue>[] = [],
): NsmTransport {
  return async (request) => {
    const decoded = decodeCbor(request);
    const body =
      decoded instanceof Map && decoded.size === 1 ? decoded.get("Attestation") : undefined;
    if (!(body instanceof Map)) {
      return encodeCbor(new Map([["Error", "InvalidOperation"]]));
    }
    const keys = [...body.keys()].sort();
    assert.deepEqual(keys, ["nonce", "public_key", "user_data"], "the NSM's request fields");
    seen.push(body);
    const field = (name: string) => {
      const value = body.get(name);
      return value instanceof Uint8Array ? value : undefined;
    };
    const userData = field("user_data");
    const publicKey = field("public_key");
    const nonce = field("nonce");
    const signed = ca.document({
      pcrs: document.pcrs,
      timestampMs: document.nowMs,
      ...(userData ? { userData } : {}),
      ...(publicKey ? { publicKey } : {}),
      ...(nonce ? { nonce } : {}),
    });
    return encodeCbor(new Map([["Attestation", new Map([["document", signed]])]]));
  };
}
