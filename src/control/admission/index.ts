// Public surface of admission: decode, validate and normalize tenant requests.
export { type AdmissionResult, admit } from "./admit.ts";
export { ADMISSION_ERRORS, type AdmissionErrorCode, type Rejection } from "./errors.ts";
export {
  type AdmissionPolicy,
  DEFAULT_ADMISSION_POLICY,
  type ResourceQuantities,
} from "./policy.ts";
