import { bcs } from "@mysten/sui/bcs";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import {
  AttestationError,
  moveDocumentBytes,
  NITRO_ATTESTATION_DOCUMENT_TYPE,
  verifyNitroDocument,
} from "../../protocol/index.ts";
import type { MovePackage } from "../move-runtime.ts";
import { CLOCK_TYPE } from "../objects.ts";

/** `sui::nitro_attestation`'s error constants (plain u64s, as the framework declares them). */
const NITRO_ABORTS = { EParseError: 1, EVerifyError: 2 } as const;

/**
 * The devnet's twin of the Sui framework's `nitro_attestation::load_nitro_attestation`:
 * verifies the document against the devnet's clock and the trusted root — AWS's Nitro root,
 * or a test root the devnet was started with — and returns the Move value. A document that
 * does not parse aborts `EParseError`, one that does not verify `EVerifyError`, as on chain.
 */
export function suiFrameworkTwin(options: { nitroRootPem?: string } = {}): MovePackage {
  return {
    id: normalizeSuiAddress("0x2"),
    cleverErrors: false,
    modules: {
      nitro_attestation: {
        load_nitro_attestation: {
          params: [
            {
              kind: "pure",
              name: "attestation",
              typeName: "vector<u8>",
              layout: bcs.byteVector(),
            },
            { kind: "object", name: "clock", type: CLOCK_TYPE, mode: "ref" },
          ],
          run: (ctx, args) => {
            const attestation = args[0];
            if (attestation?.kind !== "pure") throw new Error("attestation is not a pure argument");
            try {
              // The parsed `vector<u8>`; `bytes` is its BCS, length prefix included.
              const document = verifyNitroDocument(
                Uint8Array.from(attestation.value as Iterable<number>),
                {
                  nowMs: ctx.clockMs,
                  ...(options.nitroRootPem === undefined ? {} : { rootPem: options.nitroRootPem }),
                },
              );
              return [
                {
                  kind: "value",
                  type: NITRO_ATTESTATION_DOCUMENT_TYPE,
                  bytes: moveDocumentBytes(document),
                },
              ];
            } catch (error) {
              if (!(error instanceof AttestationError)) throw error;
              const constant =
                error.code === "ATTESTATION_MALFORMED" ? "EParseError" : "EVerifyError";
              // Sui's native raises it from the private `load_nitro_attestation_internal`.
              return ctx.abort(
                "nitro_attestation",
                NITRO_ABORTS[constant],
                constant,
                "load_nitro_attestation_internal",
              );
            }
          },
        },
      },
    },
  };
}
