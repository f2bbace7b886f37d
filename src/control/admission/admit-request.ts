import type { AdmittedOperation } from "../../k8s/operations.ts";
import type { NamespaceClaim } from "../inbox/index.ts";
import type { TenantRequest } from "../tenant-request.ts";
import { admit } from "./admit.ts";
import { checkOwnership } from "./ownership.ts";
import { withWorkerPlacement } from "./placement.ts";
import type { AdmissionPolicy } from "./policy.ts";

export interface AdmissionContext {
  /** The namespace's current claim on this cluster, if any. */
  claim: NamespaceClaim | undefined;
  clusterId: string;
  /** Pin pod templates to active workers of this cluster (worker placement). */
  placeOnWorkers: boolean;
  /** The namespace's escrow cannot pay what runs (billing): writes wait for a top-up. */
  suspended?: boolean;
  policy?: Partial<AdmissionPolicy>;
}

export type RequestAdmission =
  | { ok: true; operation: AdmittedOperation }
  | { ok: false; rejection: { code: string; statusCode: number; message: string } };

/**
 * Admission as the pipeline runs it, in order: ownership (the requester holds the
 * namespace), suspension (no writes while the escrow cannot pay), the request and payload
 * policy (`admit`), then worker placement. The first
 * refusal is the answer; nothing here touches the cluster.
 */
export function admitRequest(request: TenantRequest, context: AdmissionContext): RequestAdmission {
  const refused = checkOwnership(request, context.claim);
  if (refused) return { ok: false, rejection: refused };
  // Reads and deletes stay allowed: a tenant can look and shrink what it is billed for.
  if (context.suspended && request.method !== "GET" && request.method !== "DELETE") {
    return {
      ok: false,
      rejection: {
        code: "NAMESPACE_SUSPENDED",
        statusCode: 402,
        message: `namespace ${request.namespace} is suspended: its escrow cannot pay for what runs; top it up (k8s-daas escrow deposit AMOUNT -n ${request.namespace})`,
      },
    };
  }
  const admitted = admit(request, context.policy);
  if (!admitted.ok) return admitted;
  return {
    ok: true,
    operation: context.placeOnWorkers
      ? withWorkerPlacement(admitted.operation, context.clusterId)
      : admitted.operation,
  };
}
