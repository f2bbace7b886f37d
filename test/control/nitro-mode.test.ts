// nautilus-control chooses its enclave keys by the NSM device: where `nsmDevice` exists it
// runs as a Nitro enclave and asks the NSM (through `nsmHelper`) for an attestation before
// anything else starts, so a broken NSM stops it with a clear error rather than leaving it
// to sign with keys nobody can attest. The real ioctl helper runs against a device that is
// no NSM (no Nitro hardware here). A Nitro enclave serves HTTPS only: plain HTTP would
// make the attested TLS key clients pin pointless, so `insecureHttp` stops the start.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { defaultConfig, resolveConfig } from "../../src/control/config.ts";
import { startNautilusControl } from "../../src/control/nautilus-control.ts";
import { createNitroEnclaveSigner, NsmError } from "../../src/tee/index.ts";
import { createTestNitroCa, nsmStandIn } from "../helpers/nitro-ca.ts";

describe("control: Nitro mode", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-nitro-mode-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const helper = join(dir, "k8s-daas-nsm");
  const source = join(import.meta.dirname, "..", "..", "tools", "nsm-ioctl", "nsm-ioctl.c");
  const build = spawnSync("cc", ["-O2", "-std=c11", "-D_GNU_SOURCE", "-o", helper, source], {
    encoding: "utf8",
  });
  const skip = build.error ? "no C compiler (cc) on this machine" : undefined;

  it("with an NSM device present, refuses to start when the NSM does not answer", {
    skip,
  }, async () => {
    assert.equal(build.status, 0, build.stderr);
    const config = resolveConfig(defaultConfig(join(dir, "control")), {
      packageId: "0x1",
      clusterId: "0x2",
      nsmDevice: "/dev/null",
      nsmHelper: helper,
    });
    await assert.rejects(
      startNautilusControl(config, {
        // Never reached: the enclave keys come first.
        client: new SuiGrpcClient({ network: "localnet", baseUrl: "http://127.0.0.1:9" }),
        operator: Ed25519Keypair.generate(),
      }),
      (error: unknown) => {
        assert.ok(error instanceof NsmError, String(error));
        assert.equal(error.code, "NSM_UNAVAILABLE");
        assert.match(error.message, /NSM ioctl: Inappropriate ioctl for device/);
        return true;
      },
    );
  });

  it("as a Nitro enclave, refuses to serve plain HTTP (insecureHttp)", async () => {
    const now = Date.now();
    const ca = createTestNitroCa(now - 3_600_000, now + 3_600_000);
    const pcrs = [1, 2, 3].map((fill) => new Uint8Array(48).fill(fill));
    const config = resolveConfig(defaultConfig(join(dir, "control-http")), {
      packageId: "0x1",
      clusterId: "0x2",
      insecureHttp: true,
    });
    await assert.rejects(
      startNautilusControl(config, {
        client: new SuiGrpcClient({ network: "localnet", baseUrl: "http://127.0.0.1:9" }),
        operator: Ed25519Keypair.generate(),
        enclave: await createNitroEnclaveSigner(nsmStandIn(ca, { pcrs, nowMs: now })),
      }),
      { code: "CONFIG_INVALID", message: /insecureHttp is refused in a Nitro enclave/ },
    );
  });
});
