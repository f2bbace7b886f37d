// Public surface of admission: ownership, then decode, validate and normalize tenant
// requests, then worker placement.

export { type AdmissionResult, admit, isKubeWriteRequest } from "./admit.ts";
export { type AdmissionContext, admitRequest, type RequestAdmission } from "./admit-request.ts";
export { ADMISSION_ERRORS, type AdmissionErrorCode, type Rejection } from "./errors.ts";
export { checkOwnership, type OwnershipErrorCode } from "./ownership.ts";
export { withWorkerPlacement } from "./placement.ts";
export {
  type AdmissionPolicy,
  DEFAULT_ADMISSION_POLICY,
  type ResourceQuantities,
} from "./policy.ts";
export { checkResolved, resolvedObjectPolicy } from "./resolved.ts";
