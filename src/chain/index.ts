// Public surface of src/chain: Sui access over gRPC (SuiGrpcClient).

export {
  type BillingView,
  type BillingViewQuery,
  type EscrowView,
  readBillingView,
} from "./billing-view.ts";
export { type ClusterView, chainTimeMs, readClusterObject } from "./cluster-view.ts";
export {
  type ControlRequestOptions,
  type ControlTransport,
  type ControlTransportOptions,
  type ControlWebSocket,
  controlTransport,
} from "./control-transport.ts";
export { ChainError, type ChainErrorCode, isChainError } from "./errors.ts";
export {
  assertCursorAvailable,
  type DecodedCursor,
  decodeCursor,
  encodeCursor,
  type FollowerCursor,
} from "./event-cursor.ts";
export {
  type EventPage,
  eventTypeFilter,
  normalizeEventTypeFilter,
  type RawChainEvent,
  readEventPage,
} from "./event-page.ts";
export {
  type DecodeResult,
  EventFollower,
  type EventFollowerOptions,
  type FollowedEvent,
  type FollowerStats,
  followEvents,
} from "./follower.ts";
export { type IntentState, type JournalEntry, SubmissionJournal } from "./journal.ts";
export {
  addAttestedEnclaveRegistration,
  addCall,
  type CallObjects,
  claimNamespace,
  createCluster,
  createClusterWithDevEnclave,
  createdObjectOfType,
  type EnclaveKeyHolder,
  type ExecuteTransaction,
  executeSigned,
  registerDevEnclave,
} from "./k8s-daas.ts";
export {
  appendToKeystore,
  DEFAULT_CLIENT_CONFIG_PATH,
  DEFAULT_KEY_ENV,
  DEFAULT_KEYSTORE_PATH,
  generateKeyIntoKeystore,
  type KeystoreSelection,
  keypairFromEnv,
  keypairFromKeystore,
  keypairFromKeystoreEntry,
  keypairFromSuiPrivateKey,
  parsePrivateKey,
  RedactedEd25519Keypair,
  readActiveAddress,
  readKeystoreEntries,
  toKeystoreEntry,
} from "./keys.ts";
export {
  type AbortNameLookup,
  MoveAbortError,
  type MoveAbortLocation,
  toExecutionError,
} from "./move-abort.ts";
export {
  createSuiClient,
  DEFAULT_LOCAL_URL,
  isNetworkValue,
  NETWORK_CHOICES,
  NETWORK_NAMES,
  type NetworkEndpoint,
  type NetworkName,
  resolveNetwork,
  type TransportTarget,
} from "./networks.ts";
export { isResumableReadError, isTransientTransportError, rpcErrorCode } from "./rpc-errors.ts";
export {
  type SubmissionResult,
  type SubmittedTransaction,
  Submitter,
  type SubmitterOptions,
  type TransactionBuilder,
} from "./submitter.ts";
