// Tenants' logs, events, object views and exec/attach sessions through nautilus-control, as the tenant's
// ServiceAccount, with per-tenant limits.

export { SessionAudit, type SessionRecord } from "./audit.ts";
export {
  STREAM_END_TRAILER,
  type StreamEndReason,
  StreamError,
  type StreamErrorCode,
} from "./errors.ts";
export { type ClientUpgrade, refuseUpgrade } from "./exec-bridge.ts";
export { parseExecQuery } from "./exec-options.ts";
export {
  DEFAULT_STREAM_LIMITS,
  type StreamLease,
  type StreamLimits,
  StreamQuota,
} from "./limits.ts";
export { parseLogQuery, parseSince } from "./log-options.ts";
export { StreamMetrics } from "./metrics.ts";
export { type StreamsOptions, StreamsService, type StreamUpstream } from "./service.ts";
