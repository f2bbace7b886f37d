// The key server's checks before any policy is evaluated, on requests built as
// `@mysten/seal`'s SessionKey builds them: the session certificate (signed personal message,
// lifetime), the request signature, the one-time key pair, the PTB's shape. A policy that
// counts its calls shows a bad request never reaches it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Transaction } from "@mysten/sui/transactions";
import { toBase64 } from "@mysten/sui/utils";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { type RunningKeyServer, SealMasterKey, startKeyServer } from "../../src/seal/index.ts";

const PACKAGE = `0x${"6b".repeat(32)}`;
const CLUSTER = `0x${"c1".repeat(32)}`;
const SERVER_ID = `0x${"5e".repeat(32)}`;

/** The ProgrammableTransaction bytes (no TransactionKind tag) calling `fn(id, cluster)`. */
async function ptb(fn = "seal_approve", pkg = PACKAGE): Promise<Uint8Array> {
  const tx = new Transaction();
  tx.moveCall({
    target: `${pkg}::seal_policy::${fn}`,
    arguments: [
      tx.pure.vector("u8", [1, 2, 3]),
      tx.sharedObjectRef({ objectId: CLUSTER, initialSharedVersion: 1, mutable: false }),
    ],
  });
  return (await tx.build({ onlyTransactionKind: true })).slice(1);
}

interface Options {
  fn?: string;
  pkg?: string;
  creationTime?: number;
  ttlMin?: number;
  certifier?: Ed25519Keypair;
  requestSigner?: Ed25519Keypair;
  verificationSecret?: Uint8Array;
}

/** A fetch_key body as the client sends it, with one part optionally spoiled. */
async function body(user: Ed25519Keypair, options: Options = {}) {
  const session = Ed25519Keypair.generate();
  const creationTime = options.creationTime ?? Date.now();
  const ttlMin = options.ttlMin ?? 10;
  const sessionVk = toBase64(session.getPublicKey().toRawBytes());
  const started = `${new Date(creationTime).toISOString().slice(0, 19).replace("T", " ")} UTC`;
  const message = `Accessing keys of package ${options.pkg ?? PACKAGE} for ${ttlMin} mins from ${started}, session key ${sessionVk}`;
  const { signature } = await (options.certifier ?? user).signPersonalMessage(
    new TextEncoder().encode(message),
  );
  const secret = bls12_381.utils.randomSecretKey();
  const encKey = bls12_381.G1.Point.BASE.multiply(
    BigInt(`0x${Buffer.from(secret).toString("hex")}`),
  ).toBytes();
  const other = options.verificationSecret ?? secret;
  const encVk = bls12_381.G2.Point.BASE.multiply(
    BigInt(`0x${Buffer.from(other).toString("hex")}`),
  ).toBytes();
  const program = await ptb(options.fn, options.pkg);
  const signed = bcs
    .struct("RequestFormat", {
      ptb: bcs.byteVector(),
      encKey: bcs.byteVector(),
      encVerificationKey: bcs.byteVector(),
    })
    .serialize({ ptb: program, encKey, encVerificationKey: encVk })
    .toBytes();
  return {
    ptb: toBase64(program),
    enc_key: toBase64(encKey),
    enc_verification_key: toBase64(encVk),
    request_signature: toBase64(await (options.requestSigner ?? session).sign(signed)),
    certificate: {
      user: user.toSuiAddress(),
      session_vk: sessionVk,
      creation_time: creationTime,
      ttl_min: ttlMin,
      signature,
    },
  };
}

describe("seal: fetch_key request checks", () => {
  let server: RunningKeyServer;
  let evaluations = 0;
  const user = Ed25519Keypair.generate();

  before(async () => {
    server = await startKeyServer({
      masterKey: SealMasterKey.generate(),
      objectId: SERVER_ID,
      allowedPackages: [PACKAGE],
      policy: {
        evaluate: async () => {
          evaluations++;
          return { approved: false, reason: "test policy refuses everything" };
        },
      },
    });
  });
  after(() => server?.close());

  async function post(
    payload: unknown,
  ): Promise<{ status: number; error: string; version: string | null }> {
    const response = await fetch(`${server.url}/v1/fetch_key`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof payload === "string" ? payload : JSON.stringify(payload),
    });
    const json = (await response.json()) as { error: string };
    return {
      status: response.status,
      error: json.error,
      version: response.headers.get("x-keyserver-version"),
    };
  }

  async function refused(payload: unknown, error: string, status: number): Promise<void> {
    const before = evaluations;
    const answer = await post(payload);
    assert.deepEqual({ status: answer.status, error: answer.error }, { status, error });
    assert.equal(evaluations, before, "the policy was not consulted");
  }

  it("a well-formed request reaches the policy, whose refusal is NoAccess (403)", async () => {
    const answer = await post(await body(user));
    assert.deepEqual(
      { status: answer.status, error: answer.error },
      { status: 403, error: "NoAccess" },
    );
    assert.equal(evaluations, 1);
    assert.equal(answer.version, "0.5.0");
  });

  it("an expired session or a ttl above 30 minutes: InvalidCertificate", async () => {
    await refused(
      await body(user, { creationTime: Date.now() - 11 * 60_000 }),
      "InvalidCertificate",
      403,
    );
    await refused(await body(user, { ttlMin: 31 }), "InvalidCertificate", 403);
  });

  it("a certificate signed by someone else than its user: InvalidSignature", async () => {
    await refused(
      await body(user, { certifier: Ed25519Keypair.generate() }),
      "InvalidSignature",
      403,
    );
  });

  it("a request not signed by the session key: InvalidSessionSignature", async () => {
    await refused(
      await body(user, { requestSigner: Ed25519Keypair.generate() }),
      "InvalidSessionSignature",
      403,
    );
  });

  it("one-time keys that are not one secret's: InvalidParameter", async () => {
    await refused(
      await body(user, { verificationSecret: bls12_381.utils.randomSecretKey() }),
      "InvalidParameter",
      400,
    );
  });

  it("a PTB calling anything but seal_approve*: InvalidPTB; another package: UnsupportedPackageId", async () => {
    await refused(await body(user, { fn: "transfer_namespace" }), "InvalidPTB", 400);
    await refused(await body(user, { pkg: `0x${"99".repeat(32)}` }), "UnsupportedPackageId", 403);
  });

  it("bad bodies and other service ids are refused with a code, never a crash", async () => {
    await refused("{not json", "InvalidParameter", 400);
    await refused({ ptb: "%%%" }, "InvalidParameter", 400);
    const service = await fetch(`${server.url}/v1/service?service_id=0x1`);
    assert.equal(service.status, 400);
    assert.equal(((await service.json()) as { error: string }).error, "InvalidServiceId");
  });
});
