/** What `k8s-daas worker` and its lazily loaded actions share (no cycle between them). */
export const ACTIONS = [
  "register",
  "heartbeat",
  "list",
  "leave",
  "withdraw",
  "run",
  "earnings",
  "claim",
] as const;
export type Action = (typeof ACTIONS)[number];
export const DEFAULT_DATA_DIR = ".data/worker";
export const KEY_ENV = "K8S_DAAS_WORKER_KEY";
