// nautilus-control's GET /get_attestation (Nautilus template's endpoint): inside a Nitro
// enclave it serves a fresh NSM document of the enclave's keys; with a dev key it refuses.
// The NSM is a stand-in (no Nitro hardware here) whose documents a test CA signs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Registry } from "prom-client";
import type { Attest } from "../../src/control/http/attestation-route.ts";
import { type ApiServer, startApiServer } from "../../src/control/http/server.ts";
import { type ControlState, openControlState } from "../../src/control/inbox/index.ts";
import { verifyNitroAttestation } from "../../src/protocol/index.ts";
import {
  type AttestingEnclaveSigner,
  createNitroEnclaveSigner,
  NsmError,
} from "../../src/tee/index.ts";
import { createTestNitroCa, nsmStandIn } from "../helpers/nitro-ca.ts";

const CLUSTER = `0x${"ab".repeat(32)}`;
const now = Date.now();
const ca = createTestNitroCa(now - 3_600_000, now + 3_600_000);
const pcrs = [7, 8, 9].map((fill) => new Uint8Array(48).fill(fill));

describe("control: GET /get_attestation", () => {
  let state: ControlState;
  const servers: ApiServer[] = [];
  let signer: AttestingEnclaveSigner;

  async function serve(attest: Attest | undefined): Promise<string> {
    const api = await startApiServer(
      {
        requests: state.requests,
        registry: new Registry(),
        readiness: [],
        info: { cluster: CLUSTER },
        ...(attest ? { attest } : {}),
      },
      { host: "127.0.0.1", port: 0 },
    );
    servers.push(api);
    return api.url;
  }

  before(async () => {
    state = openControlState(":memory:", { clusterId: CLUSTER });
    signer = await createNitroEnclaveSigner(nsmStandIn(ca, { pcrs, nowMs: now }));
  });
  after(async () => {
    for (const api of servers) await api.close();
    state?.inbox.close();
  });

  it("serves {attestation: hex} of a document whose user_data holds the enclave's keys", async () => {
    const url = await serve(signer.attest);
    const response = await fetch(`${url}/get_attestation`);
    assert.equal(response.status, 200);
    const { attestation } = (await response.json()) as { attestation: string };
    const verified = verifyNitroAttestation(Buffer.from(attestation, "hex"), {
      nowMs: now,
      rootPem: ca.rootPem,
      expectedPcrs: pcrs,
    });
    assert.deepEqual(verified.keys.public_key, signer.publicKey);
    assert.deepEqual(verified.keys.encryption_key, signer.encryptionKey.publicKey);
    assert.deepEqual(verified.keys.tls_key_sha256, signer.tlsKey.spkiSha256);
    assert.equal(verified.document.nonce, undefined);
  });

  it("binds a caller's nonce, and refuses one that is not hex or too long", async () => {
    const url = await serve(signer.attest);
    const response = await fetch(`${url}/get_attestation?nonce=c0ffee`);
    const { attestation } = (await response.json()) as { attestation: string };
    const verified = verifyNitroAttestation(Buffer.from(attestation, "hex"), {
      nowMs: now,
      rootPem: ca.rootPem,
    });
    assert.deepEqual(verified.document.nonce, Uint8Array.of(0xc0, 0xff, 0xee));
    for (const nonce of ["xyz", "a".repeat(1026)]) {
      const refused = await fetch(`${url}/get_attestation?nonce=${nonce}`);
      assert.equal(refused.status, 400);
      assert.equal(((await refused.json()) as { error: string }).error, "NONCE_INVALID");
    }
  });

  it("answers 404 NOT_ATTESTED with a dev key, and 503 with the NSM's code when it fails", async () => {
    const dev = await fetch(`${await serve(undefined)}/get_attestation`);
    assert.equal(dev.status, 404);
    assert.equal(((await dev.json()) as { error: string }).error, "NOT_ATTESTED");
    const failing = await serve(async () => {
      throw new NsmError("NSM_UNAVAILABLE", "the NSM helper exited with 1");
    });
    const broken = await fetch(`${failing}/get_attestation`);
    assert.equal(broken.status, 503);
    assert.deepEqual(await broken.json(), {
      error: "NSM_UNAVAILABLE",
      message: "the NSM helper exited with 1",
    });
  });
});
