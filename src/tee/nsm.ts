// The Nitro Security Module's request/response protocol. The NSM device (/dev/nsm) takes
// one CBOR request and returns one CBOR response per ioctl; requests and responses are
// externally tagged enums, e.g. `{"Attestation": {"user_data": h'..', "nonce": null,
// "public_key": null}}` → `{"Attestation": {"document": h'..'}}` or `{"Error":
// "InvalidArgument"}`. Node cannot issue an ioctl, so the bytes pass through a small
// helper program in the enclave image (tools/nsm-ioctl), run once per request.
import { spawn } from "node:child_process";
import { type CborValue, decodeCbor, encodeCbor } from "../protocol/index.ts";

/** Sends one request's CBOR bytes to the NSM and returns the response's CBOR bytes. */
export type NsmTransport = (request: Uint8Array) => Promise<Uint8Array>;

/** AWS caps each of these fields of an attestation request. */
export const NSM_LIMITS = { userDataBytes: 512, nonceBytes: 512, publicKeyBytes: 1024 } as const;

export class NsmError extends Error {
  /** NSM_UNAVAILABLE: the helper or device failed; NSM_REFUSED: the NSM answered an error. */
  readonly code: "NSM_UNAVAILABLE" | "NSM_REFUSED" | "NSM_RESPONSE_INVALID";
  constructor(code: NsmError["code"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NsmError";
    this.code = code;
  }
}

export interface AttestationRequest {
  userData?: Uint8Array;
  nonce?: Uint8Array;
  publicKey?: Uint8Array;
}

export function encodeAttestationRequest(request: AttestationRequest): Uint8Array {
  const check = (value: Uint8Array | undefined, max: number, name: string) => {
    if (value && value.length > max) throw new RangeError(`${name} is over ${max} bytes`);
    return value ?? null;
  };
  return encodeCbor(
    new Map<CborValue, CborValue>([
      [
        "Attestation",
        new Map<CborValue, CborValue>([
          ["user_data", check(request.userData, NSM_LIMITS.userDataBytes, "user_data")],
          ["nonce", check(request.nonce, NSM_LIMITS.nonceBytes, "nonce")],
          ["public_key", check(request.publicKey, NSM_LIMITS.publicKeyBytes, "public_key")],
        ]),
      ],
    ]),
  );
}

/** The attestation document from an `Attestation` response; an `Error` response throws. */
export function decodeAttestationResponse(response: Uint8Array): Uint8Array {
  let decoded: CborValue;
  try {
    decoded = decodeCbor(response);
  } catch (error) {
    throw new NsmError("NSM_RESPONSE_INVALID", "the NSM's response is not CBOR", { cause: error });
  }
  if (!(decoded instanceof Map) || decoded.size !== 1) {
    throw new NsmError("NSM_RESPONSE_INVALID", "the NSM's response is not a one-key map");
  }
  const error = decoded.get("Error");
  if (typeof error === "string") {
    throw new NsmError("NSM_REFUSED", `the NSM refused the attestation request: ${error}`);
  }
  const body = decoded.get("Attestation");
  const document = body instanceof Map ? body.get("document") : undefined;
  if (!(document instanceof Uint8Array) || document.length === 0) {
    throw new NsmError("NSM_RESPONSE_INVALID", "the NSM's response carries no document");
  }
  return document;
}

/** Asks the NSM for an attestation document over `transport`. */
export async function requestAttestation(
  transport: NsmTransport,
  request: AttestationRequest,
): Promise<Uint8Array> {
  return decodeAttestationResponse(await transport(encodeAttestationRequest(request)));
}

/**
 * A transport through the helper program: `helper DEVICE` reads the request on stdin,
 * issues the ioctl, and writes the response on stdout (exit 0), or says why on stderr.
 */
export function nsmHelperTransport(helperPath: string, devicePath: string): NsmTransport {
  return (request) =>
    new Promise((resolve, reject) => {
      const child = spawn(helperPath, [devicePath], { stdio: ["pipe", "pipe", "pipe"] });
      const out: Buffer[] = [];
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("error", (error) =>
        reject(
          new NsmError("NSM_UNAVAILABLE", `cannot run the NSM helper ${helperPath}`, {
            cause: error,
          }),
        ),
      );
      child.on("close", (code) => {
        if (code === 0) resolve(new Uint8Array(Buffer.concat(out)));
        else
          reject(
            new NsmError(
              "NSM_UNAVAILABLE",
              `the NSM helper exited with ${code}: ${stderr.trim() || "no message"}`,
            ),
          );
      });
      child.stdin.on("error", () => {
        // The helper exited before reading: its exit code and stderr say why.
      });
      child.stdin.end(request);
    });
}
