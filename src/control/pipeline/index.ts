// The request pipeline: ingest → schedule → unseal and admit → execute → record → report.

export { chainSummary, outputJson, refusal, truncateUtf8 } from "./outcome.ts";
export { Reporter, type ReporterOptions, type ReporterProblem } from "./reporter.ts";
export {
  type AdmitRequest,
  type OperationRunner,
  type ProvisionNamespace,
  RequestPipeline,
  type RequestPipelineOptions,
} from "./request-pipeline.ts";
export { type Schedulable, Scheduler } from "./scheduler.ts";
export {
  type ResolvedSecret,
  resolveSealedSecret,
  type SealedSecretSource,
} from "./sealed-secrets.ts";
export { type SealingOptions, type Unsealed, unsealRequest } from "./unseal.ts";
