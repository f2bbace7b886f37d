// `0x2::nitro_attestation::NitroAttestationDocument` as Move holds it: what
// `load_nitro_attestation` returns and `enclave::register_enclave` reads.
import { bcs } from "@mysten/sui/bcs";
import { normalizeStructTag } from "@mysten/sui/utils";
import type { NitroAttestationDocument } from "./document.ts";

export const NITRO_ATTESTATION_DOCUMENT_TYPE = normalizeStructTag(
  "0x2::nitro_attestation::NitroAttestationDocument",
);

export const PcrEntryLayout = bcs.struct("PCREntry", { index: bcs.u8(), value: bcs.byteVector() });

export const NitroAttestationDocumentLayout = bcs.struct("NitroAttestationDocument", {
  module_id: bcs.byteVector(),
  timestamp: bcs.u64(),
  digest: bcs.byteVector(),
  pcrs: bcs.vector(PcrEntryLayout),
  public_key: bcs.option(bcs.byteVector()),
  user_data: bcs.option(bcs.byteVector()),
  nonce: bcs.option(bcs.byteVector()),
});

/** The PCRs Sui's native keeps, in this order: the ones AWS documents (0-4 and 8). */
export const MOVE_DOCUMENT_PCRS = [0, 1, 2, 3, 4, 8] as const;

/** The BCS of the Move value `load_nitro_attestation` makes from a verified document. */
export function moveDocumentBytes(document: NitroAttestationDocument): Uint8Array {
  const text = new TextEncoder();
  return NitroAttestationDocumentLayout.serialize({
    module_id: text.encode(document.moduleId),
    timestamp: BigInt(document.timestampMs),
    digest: text.encode(document.digest),
    pcrs: MOVE_DOCUMENT_PCRS.flatMap((index) => {
      const value = document.pcrs.get(index);
      return value ? [{ index, value }] : [];
    }),
    public_key: document.publicKey ?? null,
    user_data: document.userData ?? null,
    nonce: document.nonce ?? null,
  }).toBytes();
}
