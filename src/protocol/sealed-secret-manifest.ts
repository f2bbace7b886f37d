// A Kubernetes Secret that references a Seal-encrypted blob instead of carrying its data.
// The blob (`@mysten/seal`'s EncryptedObject, base64) rides in one annotation of the
// manifest: it is ciphertext under a `seal_policy` identity of the Secret's own namespace,
// so the request payload (and with it the chain) can carry it. nautilus-control fetches
// the keys as the enclave, decrypts, and applies the Secret with its real `data`.
//
// Inside the blob: JSON `{"data": {"<key>": "<base64 value>"}}`, the Secret's `data`.

/** The annotation holding the blob; under the control plane's reserved prefix. */
export const SEALED_SECRET_ANNOTATION = "k8s-daas.io/sealed-data";

export interface SealedSecretInput {
  name: string;
  namespace: string;
  /** The EncryptedObject bytes. */
  blob: Uint8Array;
  /** The Secret's `type` (default Opaque). */
  type?: string;
}

/** The manifest `k8s-daas secret create` applies. */
export function sealedSecretManifest(input: SealedSecretInput): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: input.name,
      namespace: input.namespace,
      annotations: { [SEALED_SECRET_ANNOTATION]: Buffer.from(input.blob).toString("base64") },
    },
    type: input.type ?? "Opaque",
  };
}

export class SealedSecretError extends Error {
  readonly code: "SEALED_SECRET_MALFORMED";
  constructor(message: string) {
    super(message);
    this.name = "SealedSecretError";
    this.code = "SEALED_SECRET_MALFORMED";
  }
}

/** The blob a Secret references, or undefined when it carries no reference. */
export function sealedSecretBlob(annotations: unknown): Uint8Array | undefined {
  if (typeof annotations !== "object" || annotations === null) return undefined;
  const value = (annotations as Record<string, unknown>)[SEALED_SECRET_ANNOTATION];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
    throw new SealedSecretError(`${SEALED_SECRET_ANNOTATION} must be base64`);
  }
  return new Uint8Array(Buffer.from(value, "base64"));
}

/** The plaintext a blob carries: the Secret's data, values as bytes. */
export function encodeSecretData(data: Readonly<Record<string, Uint8Array>>): Uint8Array {
  const encoded = Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString("base64")]),
  );
  return new TextEncoder().encode(JSON.stringify({ data: encoded }));
}

/** Reads a blob's plaintext back into `data` (values base64, as a Secret's `data` holds them). */
export function decodeSecretData(plaintext: Uint8Array): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
  } catch {
    throw new SealedSecretError("the decrypted blob is not JSON");
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new SealedSecretError("the decrypted blob has no data mapping");
  }
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
      throw new SealedSecretError(`the value of ${key} is not base64`);
    }
  }
  return data as Record<string, string>;
}
