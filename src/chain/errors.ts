export type ChainErrorCode =
  // networks
  | "CHAIN_NETWORK_INVALID"
  // keys
  | "CHAIN_KEY_MALFORMED"
  | "CHAIN_KEY_UNKNOWN_SCHEME"
  | "CHAIN_KEY_UNSUPPORTED_SCHEME"
  | "CHAIN_KEYSTORE_MISSING"
  | "CHAIN_KEYSTORE_MALFORMED"
  | "CHAIN_KEY_ADDRESS_NOT_IN_KEYSTORE"
  | "CHAIN_KEY_ENV_MISSING"
  | "CHAIN_CLIENT_CONFIG_MALFORMED"
  // follower
  | "CHAIN_EVENT_TYPE_INVALID"
  | "CHAIN_CURSOR_MALFORMED"
  | "CHAIN_CURSOR_PRUNED"
  | "CHAIN_FOLLOWER_GAVE_UP"
  | "CHAIN_FOLLOWER_FAILED"
  | "CHAIN_SERVER_RESPONSE_INVALID"
  // submitter
  | "CHAIN_MOVE_ABORT"
  | "CHAIN_EXECUTION_FAILED"
  | "CHAIN_TX_REJECTED"
  | "CHAIN_INTENT_CONFLICT"
  | "CHAIN_TRANSPORT_GAVE_UP"
  | "CHAIN_JOURNAL_CORRUPT"
  // k8s_daas calls and objects
  | "CHAIN_CALL_ARGUMENT_INVALID"
  | "CHAIN_OBJECT_MISSING"
  | "CHAIN_OBJECT_NOT_CREATED"
  // the pinned transport to the control plane
  | "CONTROL_TLS_KEY_MISMATCH"
  | "CONTROL_TLS_KEY_UNREGISTERED"
  | "CONTROL_PLAINTEXT_REFUSED"
  | "CONTROL_URL_INVALID"
  | "CONTROL_WEBSOCKET_REFUSED";

/**
 * Every failure that leaves `src/chain` is a `ChainError` with a stable `code`, so callers
 * (CLI, control plane) branch on the code and never on message text.
 */
export class ChainError extends Error {
  readonly code: ChainErrorCode;

  constructor(code: ChainErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ChainError";
    this.code = code;
  }
}

export function isChainError(error: unknown, code?: ChainErrorCode): error is ChainError {
  return error instanceof ChainError && (code === undefined || error.code === code);
}
