import { createPublicKey, type KeyObject, randomBytes, sign, X509Certificate } from "node:crypto";
import {
  derBitString,
  derBoolean,
  derExplicit,
  derObjectIdentifier,
  derOctetString,
  derSequence,
  derSet,
  derTime,
  derTlv,
  derUnsignedInteger,
  derUtf8String,
} from "./der.ts";

const OID = {
  ed25519: "1.3.101.112",
  commonName: "2.5.4.3",
  basicConstraints: "2.5.29.19",
  subjectAltName: "2.5.29.17",
} as const;

/** RFC 5280's "no well-defined expiration date": clients pin the key, not a validity period. */
const NO_EXPIRY = new Date(Date.UTC(9999, 11, 31, 23, 59, 59));

export interface SelfSignedCertificate {
  /** DER, as `tls.createServer({ cert })` takes it once PEM-wrapped (`pem`). */
  readonly der: Buffer;
  readonly pem: string;
}

/**
 * A self-signed X.509 v3 certificate for an ed25519 key, to serve TLS with. No CA vouches
 * for it and no client checks its names or dates: clients compare the SHA-256 of its
 * SubjectPublicKeyInfo with the hash registered on chain. It names `commonName` and, as
 * subject alternative names, `dnsNames` and `ipAddresses`, so tools that do check (curl
 * with `--cacert`) can be pointed at it.
 */
export function selfSignedCertificate(
  privateKey: KeyObject,
  options: {
    commonName: string;
    dnsNames?: readonly string[];
    ipAddresses?: readonly string[];
    notBefore?: Date;
  },
): SelfSignedCertificate {
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new TypeError(`a ${privateKey.asymmetricKeyType} key: only ed25519 is supported`);
  const algorithm = derSequence(derObjectIdentifier(OID.ed25519));
  const name = derSequence(
    derSet(derSequence(derObjectIdentifier(OID.commonName), derUtf8String(options.commonName))),
  );
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive, as RFC 5280 asks
  const tbs = derSequence(
    derExplicit(0, derUnsignedInteger(Buffer.from([2]))), // v3
    derUnsignedInteger(serial),
    algorithm,
    name,
    derSequence(derTime(options.notBefore ?? new Date()), derTime(NO_EXPIRY)),
    name,
    spki,
    derExplicit(3, derSequence(...extensions(options.dnsNames ?? [], options.ipAddresses ?? []))),
  );
  const signature = sign(null, tbs, privateKey);
  const der = derSequence(tbs, algorithm, derBitString(signature));
  const base64 = der.toString("base64").replace(/.{64}/g, "$&\n");
  const pem = `-----BEGIN CERTIFICATE-----\n${base64.replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
  // Parse it back: a certificate Node cannot read must fail here, not in a TLS handshake.
  new X509Certificate(der);
  return { der, pem };
}

function extensions(dnsNames: readonly string[], ipAddresses: readonly string[]): Buffer[] {
  // basicConstraints cA=FALSE, critical: an end-entity certificate, signing nothing else.
  const list = [
    derSequence(
      derObjectIdentifier(OID.basicConstraints),
      derBoolean(true),
      derOctetString(derSequence()),
    ),
  ];
  const altNames = [
    ...dnsNames.map((dns) => derTlv(0x82, Buffer.from(dns, "ascii"))),
    ...ipAddresses.map((ip) => derTlv(0x87, ipBytes(ip))),
  ];
  if (altNames.length > 0)
    list.push(
      derSequence(
        derObjectIdentifier(OID.subjectAltName),
        derOctetString(derSequence(...altNames)),
      ),
    );
  return list;
}

/** IPv4 dotted quad or IPv6 text → its 4 or 16 bytes. */
function ipBytes(ip: string): Buffer {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return Buffer.from(ip.split(".").map(Number));
  const [head = "", tail] = ip.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  const all = [...left, ...Array<string>(zeros).fill("0"), ...right];
  if (all.length !== 8) throw new TypeError(`not an IP address: ${ip}`);
  const bytes = Buffer.alloc(16);
  for (const [i, group] of all.entries()) bytes.writeUInt16BE(Number.parseInt(group, 16), i * 2);
  return bytes;
}
