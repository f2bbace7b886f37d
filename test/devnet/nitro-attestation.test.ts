// The devnet's twin of `0x2::nitro_attestation::load_nitro_attestation`: what Sui's native
// refuses (a document that does not parse: EParseError; one that does not verify at the
// chain's time or to the trusted root: EVerifyError) it refuses too, and the document it
// returns can only come from it, never from a transaction's own bytes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { callTarget, encodeEnclaveUserData } from "../../src/protocol/index.ts";
import { GOLDEN_MS, type Scenario, TwinAbortError, withScenario } from "../conformance/fixture.ts";
import { NAUTILUS_EXAMPLE, nautilusExampleDocument } from "../helpers/nautilus-example.ts";
import { createTestNitroCa } from "../helpers/nitro-ca.ts";

const pcrs = [1, 2, 3].map((fill) => new Uint8Array(48).fill(fill));
const publicKey = new Uint8Array(32).fill(5);
const keys = encodeEnclaveUserData({
  public_key: publicKey,
  encryption_key: new Uint8Array(32).fill(6),
  tls_key_sha256: new Uint8Array(32).fill(7),
});

async function nitroAbort(promise: Promise<unknown>): Promise<TwinAbortError> {
  const error = await promise.then(
    () => assert.fail("expected a Move abort"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof TwinAbortError, String(error));
  assert.equal(error.module, "nitro_attestation");
  assert.equal(error.functionName, "load_nitro_attestation_internal");
  return error;
}

async function pinned(s: Scenario) {
  await s.call(s.admin, "set_enclave_pcrs", { pcr0: pcrs[0], pcr1: pcrs[1], pcr2: pcrs[2] });
}

describe("devnet: load_nitro_attestation", () => {
  it("aborts EParseError (1) for bytes that are no attestation document", () =>
    withScenario(async (s) => {
      await pinned(s);
      const error = await nitroAbort(s.registerAttested({ document: Buffer.from("not cbor") }));
      assert.equal(error.code, 1);
    }));

  it("aborts EVerifyError (2) for a document from a root the chain does not trust", () =>
    withScenario(async (s) => {
      await pinned(s);
      const stranger = createTestNitroCa(GOLDEN_MS - 3_600_000, GOLDEN_MS + 3_600_000);
      const document = stranger.document({
        pcrs,
        timestampMs: GOLDEN_MS,
        publicKey,
        userData: keys,
      });
      assert.equal((await nitroAbort(s.registerAttested({ document }))).code, 2);
    }));

  it("aborts EVerifyError (2) for the real AWS document once its certificates expired", () =>
    withScenario(
      async (s) => {
        await pinned(s);
        const document = nautilusExampleDocument();
        assert.equal((await nitroAbort(s.registerAttested({ document }))).code, 2);
      },
      { clockAt: NAUTILUS_EXAMPLE.clockMs + 24 * 3_600_000, nitroRoot: "aws" },
    ));

  it("aborts EVerifyError (2) for a tampered copy of the real AWS document", () =>
    withScenario(
      async (s) => {
        await pinned(s);
        const document = Buffer.from(nautilusExampleDocument());
        const at = document.indexOf(Buffer.from(NAUTILUS_EXAMPLE.pcrs[2] as string, "hex"));
        document[at] = (document[at] as number) ^ 1;
        assert.equal((await nitroAbort(s.registerAttested({ document }))).code, 2);
      },
      { clockAt: NAUTILUS_EXAMPLE.clockMs, nitroRoot: "aws" },
    ));

  it("refuses a NitroAttestationDocument made of the transaction's own bytes", () =>
    withScenario(async (s) => {
      await pinned(s);
      const error = await s
        .transact(s.admin, (tx) => {
          tx.moveCall({
            target: callTarget(s.packageId, "register_enclave"),
            arguments: [tx.object(s.clusterId), tx.object(s.adminCapId), tx.pure(keys)],
          });
        })
        .then(
          () => assert.fail("a forged document was accepted"),
          (caught: unknown) => caught,
        );
      assert.match(String(error), /NitroAttestationDocument/);
      assert.deepEqual([...(await s.cluster()).enclave_public_key], []);
    }));
});
