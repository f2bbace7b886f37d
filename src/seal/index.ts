// Seal (`@mysten/seal`) for K8s-DaaS: a key server speaking Seal's key-server API, the
// local key servers `k8s-daas up` runs, and both ends of a Seal-protected Secret.
export { KeyServerError, type KeyServerErrorCode } from "./errors.ts";
export { KEY_SERVER_VERSION, type RunningKeyServer, startKeyServer } from "./key-server.ts";
export {
  type LocalKeyServers,
  type LocalKeyServersOptions,
  startLocalKeyServers,
} from "./local-key-servers.ts";
export { SealMasterKey } from "./master-key.ts";
export { type PolicyEvaluator, simulationEvaluator } from "./policy-evaluator.ts";
export { KeyServerRegistrationError, registerKeyServer } from "./registration.ts";
export {
  blobIdentity,
  SealedSecretOpener,
  SealedSecretsError,
  type SealedSecretsErrorCode,
  type SealSettings,
  sealSecretData,
} from "./sealed-secrets.ts";
