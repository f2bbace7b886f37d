// A Secret of type service-account-token makes Kubernetes mint a token for the named
// ServiceAccount, which in a tenant namespace is the one holding the tenant's API rights.
// A Secret may instead reference a Seal-encrypted blob (k8s-daas.io/sealed-data, the one
// reserved annotation a tenant may set): nautilus-control decrypts it after admission and
// fills in `data`, so such a Secret must not carry data of its own.
import {
  SEALED_SECRET_ANNOTATION,
  SealedSecretError,
  sealedSecretBlob,
} from "../../protocol/index.ts";
import { type Rejection, rejection } from "./errors.ts";
import { isMapping, isUnset, type Mapping } from "./values.ts";

const SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";

export function checkSecret(secret: Mapping): Rejection | undefined {
  if (secret.type === SERVICE_ACCOUNT_TOKEN) {
    return rejection("ADMISSION_SECRET_TYPE", `type is ${SERVICE_ACCOUNT_TOKEN}`);
  }
  const metadata = isMapping(secret.metadata) ? secret.metadata : undefined;
  const annotations = metadata?.annotations;
  if (!isMapping(annotations) || annotations[SEALED_SECRET_ANNOTATION] === undefined) {
    return undefined;
  }
  if (!isUnset(secret.data) || !isUnset(secret.stringData)) {
    return rejection("ADMISSION_SEALED_SECRET_INVALID", "data or stringData beside the Seal blob");
  }
  try {
    sealedSecretBlob(annotations);
  } catch (error) {
    if (error instanceof SealedSecretError) {
      return rejection("ADMISSION_SEALED_SECRET_INVALID", error.message);
    }
    throw error;
  }
  return undefined;
}
