// The worker agent: register with a stake, join, heartbeat, leave, withdraw.

export { SupervisedProcess } from "../k8s/supervised-process.ts";
export {
  type CredentialContext,
  generateWorkerEncryptionKey,
  JOIN_CREDENTIAL_VERSION,
  type JoinCredential,
  openJoinCredential,
  sealJoinCredential,
  type WorkerEncryptionKey,
} from "../protocol/join-credential.ts";
export { ActivationWatcher, type WorkerVerdict } from "./activation-watcher.ts";
export { WorkerAgent, type WorkerAgentOptions } from "./agent.ts";
export { isWorkerError, WorkerError, type WorkerErrorCode } from "./errors.ts";
export { type Joiner, K3sAgentJoiner, SimulatedJoiner } from "./joiners.ts";
export { WorkerChain, type WorkerChainOptions } from "./worker-chain.ts";
export { loadOrCreateWorkerKey } from "./worker-key.ts";
