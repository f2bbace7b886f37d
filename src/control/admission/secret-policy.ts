// A Secret of type service-account-token makes Kubernetes mint a token for the named
// ServiceAccount, which in a tenant namespace is the one holding the tenant's API rights.
import { type Rejection, rejection } from "./errors.ts";
import type { Mapping } from "./values.ts";

const SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";

export function checkSecret(secret: Mapping): Rejection | undefined {
  return secret.type === SERVICE_ACCOUNT_TOKEN
    ? rejection("ADMISSION_SECRET_TYPE", `type is ${SERVICE_ACCOUNT_TOKEN}`)
    : undefined;
}
