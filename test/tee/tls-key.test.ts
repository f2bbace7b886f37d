// The enclave's TLS key and the certificate our DER encoder makes around it: Node's TLS
// server serves it, Node's TLS client (and OpenSSL's verifier, given it as a CA) accepts
// it, and the key hash clients pin is the SHA-256 of the key's SPKI.
import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { connect } from "node:tls";
import { tlsKeySha256 } from "../../src/protocol/index.ts";
import { derTime, derUnsignedInteger } from "../../src/tee/der.ts";
import {
  EnclaveKeyError,
  generateTlsKey,
  loadDevEnclaveSigner,
  selfSignedCertificate,
  tlsServerCredentials,
} from "../../src/tee/index.ts";

/** Serves `credentials` on 127.0.0.1 and runs `client` against the port. */
async function withTlsServer<T>(
  credentials: { key: string; cert: string },
  client: (port: number) => Promise<T>,
): Promise<T> {
  const server = createServer(credentials, (_req, res) => res.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await client((server.address() as AddressInfo).port);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("tee: the TLS key and its self-signed certificate", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-tls-key-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("makes an X.509 v3 certificate Node parses, self-signed by the key, naming the hosts", () => {
    const key = generateTlsKey();
    const { der } = selfSignedCertificate(key.privateKey, {
      commonName: "nautilus-control",
      dnsNames: ["control.example"],
      ipAddresses: ["127.0.0.1", "::1", "fd00::1:2"],
    });
    const certificate = new X509Certificate(der);
    assert.equal(certificate.subject, "CN=nautilus-control");
    assert.equal(certificate.issuer, "CN=nautilus-control");
    assert.equal(certificate.ca, false);
    assert.ok(certificate.verify(createPublicKey(key.privateKey)), "signed by its own key");
    assert.equal(
      certificate.subjectAltName,
      "DNS:control.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:1:2",
    );
    assert.equal(new Date(certificate.validTo).getUTCFullYear(), 9999);
    assert.deepEqual(
      tlsKeySha256(certificate.publicKey.export({ format: "der", type: "spki" })),
      key.spkiSha256,
      "the hash clients pin is the certificate's key",
    );
  });

  it("is served by Node's TLS server and accepted by its client: pinned, or verified as its own CA", async () => {
    const key = generateTlsKey();
    const credentials = tlsServerCredentials(key, { dnsNames: [], ipAddresses: ["127.0.0.1"] });
    await withTlsServer(credentials, async (port) => {
      const presented = await new Promise<Uint8Array>((resolve, reject) => {
        const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
          const peer = socket.getPeerX509Certificate();
          assert.equal(socket.getProtocol(), "TLSv1.3");
          socket.end();
          resolve(
            tlsKeySha256(
              peer?.publicKey.export({ format: "der", type: "spki" }) ?? new Uint8Array(),
            ),
          );
        });
        socket.on("error", reject);
      });
      assert.deepEqual(presented, key.spkiSha256);
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const socket = connect({ host: "127.0.0.1", port, ca: credentials.cert }, () => {
          socket.end();
          resolve(socket.authorized);
        });
        socket.on("error", reject);
      });
      assert.equal(authorized, true, "OpenSSL's chain and name checks accept it too");
    });
  });

  it("signs only with ed25519 keys", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    assert.throws(() => selfSignedCertificate(privateKey, { commonName: "x" }), /only ed25519/);
  });

  it("encodes DER integers and times as RFC 5280 wants", () => {
    assert.equal(derUnsignedInteger(Buffer.from([0x00, 0x00, 0x7f])).toString("hex"), "02017f");
    assert.equal(derUnsignedInteger(Buffer.from([0x80])).toString("hex"), "02020080");
    assert.equal(derUnsignedInteger(Buffer.from([0x00])).toString("hex"), "020100");
    // UTCTime through 2049, GeneralizedTime from 2050.
    assert.equal(
      derTime(new Date(Date.UTC(2026, 11, 1, 0, 50, 0))).toString("latin1"),
      "\x17\x0d261201005000Z",
    );
    assert.equal(
      derTime(new Date(Date.UTC(2050, 0, 1))).toString("latin1"),
      "\x18\x0f20500101000000Z",
    );
  });

  it("keeps the TLS key in the dev key file, gives one to an older file, and refuses a bad one", () => {
    const path = join(dir, "enclave.json");
    const created = loadDevEnclaveSigner(path);
    assert.equal(created.tlsKey.spkiSha256.length, 32);
    assert.deepEqual(loadDevEnclaveSigner(path).tlsKey.spkiSha256, created.tlsKey.spkiSha256);
    // A file from before TLS: the signing and encryption keys only.
    const { tlsPkcs8: _dropped, ...older } = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify(older), { mode: 0o600 });
    const upgraded = loadDevEnclaveSigner(path);
    assert.deepEqual(upgraded.publicKey, created.publicKey, "the signing key is kept");
    assert.notDeepEqual(upgraded.tlsKey.spkiSha256, created.tlsKey.spkiSha256);
    assert.deepEqual(loadDevEnclaveSigner(path).tlsKey.spkiSha256, upgraded.tlsKey.spkiSha256);
    const file = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify({ ...file, tlsPkcs8: file.encryptionPkcs8 }));
    assert.throws(
      () => loadDevEnclaveSigner(path),
      (error: unknown) =>
        error instanceof EnclaveKeyError &&
        error.code === "ENCLAVE_KEY_INVALID" &&
        /no valid ed25519 TLS key/.test(error.message),
    );
  });
});
