import type { AdmittedOperation, KubernetesObject, RequestOutcome } from "../../k8s/operations.ts";
import {
  SEALED_SECRET_ANNOTATION,
  SealedSecretError,
  sealedSecretBlob,
} from "../../protocol/index.ts";
import { SealedSecretsError, type SealedSecretsErrorCode } from "../../seal/index.ts";
import { refusal } from "./outcome.ts";

/** What the step needs of a Seal client: decrypt a blob meant for one cluster and namespace. */
export interface SealedSecretSource {
  open(
    blob: Uint8Array,
    expected: { clusterId: string; namespace: string; claimId: string },
  ): Promise<Record<string, string>>;
}

export type ResolvedSecret =
  | {
      ok: true;
      operation: AdmittedOperation;
      /** Keeps the decrypted values out of what is stored and served about the request. */
      answer: (outcome: RequestOutcome) => RequestOutcome;
    }
  | { ok: false; refusal: RequestOutcome };

const STATUS: Record<SealedSecretsErrorCode, number> = {
  SEAL_NO_ACCESS: 403,
  SEAL_BLOB_FOREIGN: 403,
  SEAL_BLOB_INVALID: 400,
  SEAL_KEYS_UNAVAILABLE: 503,
  SEAL_SETTINGS_INVALID: 503,
};

const REDACTED = "(Seal-protected: decrypted inside the enclave, never output)";

/**
 * The pipeline step after admission: a Secret whose data is a Seal blob (admission checked
 * its form) is decrypted here, inside the enclave, with key shares fetched as the enclave's
 * address, and applied with its real `data`. The blob must protect a secret of this very
 * cluster, namespace and claim — the enclave may decrypt every tenant's secrets, so a blob
 * copied into another namespace's request (or kept from an earlier claim of the name) is
 * refused before any key is fetched. Other operations pass through untouched.
 */
export async function resolveSealedSecret(
  operation: AdmittedOperation,
  claim: { clusterId: string; claimId: string },
  source: SealedSecretSource | undefined,
): Promise<ResolvedSecret> {
  const unchanged: ResolvedSecret = { ok: true, operation, answer: (outcome) => outcome };
  if (operation.kind !== "apply" || operation.object.kind !== "Secret") return unchanged;
  const metadata = operation.object.metadata;
  let blob: Uint8Array | undefined;
  try {
    blob = sealedSecretBlob(metadata.annotations);
  } catch (error) {
    if (!(error instanceof SealedSecretError)) throw error;
    return { ok: false, refusal: refusal(422, error.code, error.message) };
  }
  if (blob === undefined) return unchanged;
  if (!source) {
    return {
      ok: false,
      refusal: refusal(
        501,
        "SEAL_NOT_CONFIGURED",
        "this control plane has no Seal key servers configured (sealKeyServers)",
      ),
    };
  }
  let data: Record<string, string>;
  try {
    data = await source.open(blob, { ...claim, namespace: operation.namespace });
  } catch (error) {
    if (error instanceof SealedSecretsError) {
      return { ok: false, refusal: refusal(STATUS[error.code], error.code, error.message) };
    }
    if (error instanceof SealedSecretError) {
      return { ok: false, refusal: refusal(422, error.code, error.message) };
    }
    throw error;
  }
  const { [SEALED_SECRET_ANNOTATION]: _blob, ...annotations } = metadata.annotations as Record<
    string,
    unknown
  >;
  const object: KubernetesObject = {
    ...operation.object,
    metadata: { ...metadata, annotations },
    data,
  };
  return {
    ok: true,
    operation: { ...operation, object },
    answer: (outcome) => ({ ...outcome, output: redactSecretData(outcome.output) }),
  };
}

/** The applied Secret as Kubernetes returned it, its values replaced by a note. */
function redactSecretData(output: unknown): unknown {
  if (typeof output !== "object" || output === null) return output;
  const secret = output as { data?: unknown; stringData?: unknown };
  const keys = (value: unknown) =>
    typeof value === "object" && value !== null ? Object.keys(value) : [];
  const redacted = [...keys(secret.data), ...keys(secret.stringData)];
  if (redacted.length === 0) return output;
  const { stringData: _stringData, ...rest } = secret;
  return { ...rest, data: Object.fromEntries(redacted.map((key) => [key, REDACTED])) };
}
