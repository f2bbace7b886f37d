// Builders of tenant requests for admission tests.
import type { TenantRequest } from "../../../src/control/tenant-request.ts";

export const NAMESPACE = "team-a";

export function request(
  method: string,
  resource: string,
  name: string,
  payload: string | Uint8Array = "",
): TenantRequest {
  return {
    requestId: 42n,
    clusterId: "0x1",
    method,
    resource,
    namespace: NAMESPACE,
    name,
    payload: typeof payload === "string" ? new TextEncoder().encode(payload) : payload,
    priority: 0,
    requester: "0x2",
  };
}
