import type { NamespaceClaim } from "../inbox/index.ts";
import type { TenantRequest } from "../tenant-request.ts";

/** Why a request is refused before its payload is even looked at. */
export type OwnershipErrorCode = "NAMESPACE_NOT_CLAIMED" | "NAMESPACE_NOT_OWNED";

export interface OwnershipRejection {
  code: OwnershipErrorCode;
  statusCode: number;
  message: string;
}

/**
 * The first admission step: the namespace is claimed on this cluster and the requester holds
 * the claim. Writes carry the NamespaceCap on chain, but reads (`submit_get`) need none, so
 * this is where a GET into another tenant's namespace is refused; RBAC refuses it again.
 */
export function checkOwnership(
  request: Pick<TenantRequest, "namespace" | "requester">,
  claim: NamespaceClaim | undefined,
): OwnershipRejection | undefined {
  if (!claim || claim.released) {
    return {
      code: "NAMESPACE_NOT_CLAIMED",
      statusCode: 404,
      message: `namespace ${request.namespace} is not claimed on this cluster`,
    };
  }
  if (claim.owner !== request.requester) {
    return {
      code: "NAMESPACE_NOT_OWNED",
      statusCode: 403,
      message: `namespace ${request.namespace} belongs to another tenant`,
    };
  }
  return undefined;
}
