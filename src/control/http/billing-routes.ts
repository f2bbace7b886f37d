import type { ServerResponse } from "node:http";
import { checkOwnership } from "../admission/ownership.ts";
import { type BillingMeter, BillingNotReadyError, usageDocument } from "../billing/index.ts";
import type { NamespaceStore } from "../inbox/index.ts";
import { sendJson } from "./serve.ts";

const DNS_LABEL = "[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?";
const USAGE = new RegExp(`^/v1/namespaces/(${DNS_LABEL})/usage$`);

/** What the usage route reads: the meter and who holds which namespace. */
export interface BillingRoutes {
  meter: Pick<BillingMeter, "openUsage">;
  namespaces: Pick<NamespaceStore, "get">;
}

/** The namespace of `GET /v1/namespaces/<ns>/usage`, or undefined for any other path. */
export function usageRouteNamespace(path: string): string | undefined {
  return USAGE.exec(path)?.[1];
}

/**
 * `GET /v1/namespaces/<ns>/usage` for an authenticated `requester`, only the namespace's
 * holder: the open period's metered usage so far, what runs now, the prices, the charge
 * so far and the projected charge of the period (`usageDocument`). Refusals:
 * `NAMESPACE_NOT_CLAIMED` 404, `NAMESPACE_NOT_OWNED` 403, `BILLING_NOT_READY` 503.
 */
export async function serveUsage(
  billing: BillingRoutes,
  requester: string,
  namespace: string,
  res: ServerResponse,
): Promise<void> {
  const refusal = checkOwnership({ namespace, requester }, billing.namespaces.get(namespace));
  if (refusal)
    return sendJson(res, refusal.statusCode, { error: refusal.code, message: refusal.message });
  try {
    return sendJson(res, 200, usageDocument(await billing.meter.openUsage(namespace)));
  } catch (error) {
    if (!(error instanceof BillingNotReadyError)) throw error;
    return sendJson(res, 503, { error: error.code, message: error.message });
  }
}
