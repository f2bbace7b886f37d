// Tenants' logs, events and object views through nautilus-control, as the tenant's
// ServiceAccount, with per-tenant limits.

export {
  STREAM_END_TRAILER,
  type StreamEndReason,
  StreamError,
  type StreamErrorCode,
} from "./errors.ts";
export {
  DEFAULT_STREAM_LIMITS,
  type StreamLease,
  type StreamLimits,
  StreamQuota,
} from "./limits.ts";
export { parseLogQuery, parseSince } from "./log-options.ts";
export { StreamMetrics } from "./metrics.ts";
export { type StreamsOptions, StreamsService } from "./service.ts";
