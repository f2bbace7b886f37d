import {
  ChainError,
  isTransientTransportError,
  MoveAbortError,
  rpcErrorCode,
} from "../chain/index.ts";
import { GatewayError } from "../gateway/index.ts";
import { abortCodeInfo } from "../protocol/index.ts";
import { CliError, EXIT } from "./errors.ts";

/** What to do about each abort a tenant or operator can cause, by Move constant name. */
const ABORT_HINTS: Record<string, string> = {
  ENamespaceTaken: "pick another name; 'k8s-daas namespace list' shows the ones you hold",
  ENamespaceReserved: "'default' and 'kube-*' belong to the cluster; pick another name",
  ENamespaceNotClaimed: "claim it first: k8s-daas namespace claim NAME",
  EInvalidNamespace: "a namespace is a DNS label: lowercase letters, digits and '-', at most 63",
  EInsufficientFee: "omit --fee to pay the cluster's fee ('k8s-daas cluster status' shows it)",
  EPayloadTooLarge: "split the manifest into smaller objects (the limit is per request)",
  EPaused: "the cluster's admin has paused it; try again later",
  EWrongCluster: "that NamespaceCap belongs to another cluster; check --cluster-id",
  ENamespaceMismatch: "the namespace must be the one your NamespaceCap names",
  EInvalidImage: "an image reference is 1-255 characters of [A-Za-z0-9._/:@-]",
  EInvalidReplicas: "replicas must be 1-100",
  EInvalidObjectName: "object names are DNS subdomains: lowercase letters, digits, '-' and '.'",
  ENotAdmin: "this command needs the cluster's AdminCap, held by the cluster's creator",
};

const CHAIN_KEY_HINT =
  "create a key with 'k8s-daas keys new', or pass --keystore FILE and --address ADDR";

/** Turns anything a command throws into a one-line CliError with a hint and exit code. */
export function toCliError(error: unknown, where: { chainUrl?: string } = {}): unknown {
  if (error instanceof CliError) return error;
  if (error instanceof GatewayError) {
    return new CliError(error.code, error.message, {
      ...(error.hint ? { hint: error.hint } : {}),
      exitCode:
        error.kind === "usage"
          ? EXIT.usage
          : error.kind === "unavailable"
            ? EXIT.unavailable
            : EXIT.failure,
      cause: error,
    });
  }
  if (error instanceof MoveAbortError) {
    const info = error.module ? abortCodeInfo(error.module, Number(error.abortCode)) : undefined;
    const name = error.constantName ?? info?.name ?? `abort ${error.abortCode}`;
    const paid =
      error.digest === undefined
        ? "refused before sending; no gas was paid"
        : `transaction ${error.digest} aborted`;
    return new CliError(name, `${info?.message ?? error.message} (${paid})`, {
      ...(ABORT_HINTS[name] ? { hint: ABORT_HINTS[name] } : {}),
      cause: error,
    });
  }
  if (error instanceof ChainError) {
    if (error.code === "CHAIN_TRANSPORT_GAVE_UP") return unreachableChain(error, where.chainUrl);
    if (error.code.startsWith("CHAIN_KEY") || error.code.startsWith("CHAIN_CLIENT_CONFIG")) {
      return new CliError(error.code, error.message, {
        hint: CHAIN_KEY_HINT,
        exitCode: EXIT.usage,
      });
    }
    if (error.code === "CHAIN_NETWORK_INVALID") {
      return new CliError(error.code, error.message, { exitCode: EXIT.usage });
    }
    return new CliError(error.code, error.message, { cause: error });
  }
  // The SDK wraps a transport failure during simulation (SimulationError, …) in its own
  // error: the chain is just as unreachable when the failure is one of the causes.
  if (causes(error).some((e) => isTransientTransportError(e) || isConnectionFailure(e))) {
    return unreachableChain(error, where.chainUrl);
  }
  // The project's typed errors (K3S_NOT_FOUND, TESTENV_*, CONFIG_INVALID, …) and Node's
  // system errors (ENOENT, EACCES) carry a stable code: a failure to report, not a bug.
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (typeof code === "string" && /^[A-Z][A-Z0-9_]+$/.test(code)) {
    return new CliError(code, (error as Error).message.split("\n")[0] ?? code, { cause: error });
  }
  return error;
}

/** `error` and the causes it carries, outermost first (a few levels: chains are short). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && chain.length < 5; ) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

/** The SDK reports a refused connection as an RpcError (code INTERNAL, "fetch failed"). */
function isConnectionFailure(error: unknown): boolean {
  return (
    rpcErrorCode(error) !== undefined &&
    /fetch failed|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|socket/i.test(rootMessage(error))
  );
}

function unreachableChain(error: unknown, url: string | undefined): CliError {
  return new CliError(
    "CHAIN_UNREACHABLE",
    `the chain at ${url ?? "the configured network"} does not answer (${connectionProblem(error)})`,
    {
      hint: "is the local stack running? start it with 'k8s-daas up', or check --network",
      exitCode: EXIT.unavailable,
      cause: error,
    },
  );
}

/** The SDK's "fetch failed" carries no cause; say what it means. */
function connectionProblem(error: unknown): string {
  const message = rootMessage(error);
  return message === "fetch failed" ? "connection failed" : message;
}

/** The innermost cause's message: "connect ECONNREFUSED 127.0.0.1:9000", not "fetch failed". */
export function rootMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
