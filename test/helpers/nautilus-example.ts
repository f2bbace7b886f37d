// The real AWS Nitro attestation document of Nautilus' example (weather) enclave, as Sui's
// framework tests carry it (sui-framework/tests/crypto/nitro_attestation_test.move), and
// what that test asserts about it: our parser must read the same values.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const FIXTURE = join(
  import.meta.dirname,
  "..",
  "fixtures",
  "nitro",
  "nautilus-example-attestation.hex",
);

export function nautilusExampleDocument(): Buffer {
  return Buffer.from(readFileSync(FIXTURE, "utf8").trim(), "hex");
}

export const NAUTILUS_EXAMPLE = {
  /** The Clock Sui's test sets: inside every certificate's validity. */
  clockMs: 1_747_071_568_899,
  /** PCR0, PCR1, PCR2. */
  pcrs: [
    "cbe1afb6ed0ff89f10295af0b802247ec5670da8f886e71a4226373b032c322f4e42c9c98288e7211682b258684505a2",
    "cbe1afb6ed0ff89f10295af0b802247ec5670da8f886e71a4226373b032c322f4e42c9c98288e7211682b258684505a2",
    "21b9efbc184807662e966d34f390821309eeac6802309798826296bf3e8bec7c10edb30948c90ba67310f7b964fc500a",
  ],
  pcr3: "9af4960cd10ff0ddb81dc6660d16bf92165923d7ce3cbc53b9e42257424049b55bf459ca68ba632f39ff510064293c5f",
  /** The document's `public_key` field: the example enclave's ed25519 key. */
  publicKey: "e8e62201dbe293b703c759f653107acbc2c911fa1d2e66f2c747bec95971a2af",
} as const;
