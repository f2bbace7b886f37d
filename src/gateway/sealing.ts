import type { ClusterView } from "../chain/cluster-view.ts";
import {
  generateX25519KeyPair,
  LIMITS,
  SealedPayloadError,
  sealRequestPayload,
  type X25519KeyPair,
} from "../protocol/index.ts";
import { GatewayError } from "./errors.ts";

/** What the CLI sends, before it decides how: one `k8s_daas` call of a planned request. */
export interface PlainCall {
  call: "submit" | "submit_get" | "execute_k8s_api" | "create_pod" | "deploy_pods_batch";
  values: Record<string, unknown>;
  /** `pod/web`, for messages. */
  label: string;
  /** The bytes that go on chain as the payload, when the chain does not build them itself. */
  payload?: Uint8Array;
  /** What secret the payload carries, if any (`the data of secret/db`), for warnings. */
  secret?: string;
}

/** Whether to seal, and to which key. */
export type SealingDecision =
  | { seal: true; encryptionKey: Uint8Array }
  | { seal: false; reason: string };

/**
 * Seal every request when the cluster publishes an enclave encryption key, unless
 * `--no-seal`. Unsealed, a payload is public on chain for ever: refused with
 * SEALING_REQUIRED on a cluster that requires sealing (the chain would abort it too), else a
 * secret in it is warned about, once.
 */
export function decideSealing(
  cluster: ClusterView,
  noSeal: boolean,
  calls: readonly PlainCall[],
  warn: (line: string) => void,
): SealingDecision {
  const encryptionKey = Uint8Array.from(cluster.enclave_encryption_key);
  if (!noSeal && encryptionKey.length === LIMITS.enclaveEncryptionKeyBytes) {
    return { seal: true, encryptionKey };
  }
  const reason = noSeal ? "--no-seal" : "the cluster has no enclave encryption key registered";
  const plaintext = calls.find((call) => bodyOf(call).length > 0);
  if (cluster.config.require_sealed && plaintext) {
    throw new GatewayError(
      "SEALING_REQUIRED",
      `this cluster requires sealed payloads, and ${plaintext.secret ?? `the payload of ${plaintext.label}`} would go on chain in plaintext (${reason})`,
      {
        hint: noSeal
          ? "drop --no-seal: the CLI seals to the enclave's encryption key"
          : "the cluster's enclave must register its encryption key first",
        kind: "usage",
      },
    );
  }
  const secrets = calls.flatMap((call) => (call.secret ? [call.secret] : []));
  if (secrets.length > 0) {
    warn(
      `warning: ${secrets.join(", ")} will be public on chain, for ever: the payload is not sealed (${reason})`,
    );
  }
  return { seal: false, reason };
}

/** The request a call makes, whichever entry point it uses. */
interface RequestShape {
  method: string;
  resource: string;
  name: string;
  body: Uint8Array;
}

function requestShape(call: PlainCall): RequestShape {
  const v = call.values;
  const text = (key: string) => String(v[key] ?? "");
  switch (call.call) {
    case "submit":
      return {
        method: text("method"),
        resource: text("resource"),
        name: text("name"),
        body: (v.payload as Uint8Array | undefined) ?? new Uint8Array(),
      };
    case "execute_k8s_api":
      return {
        method: text("method"),
        resource: text("resource"),
        name: text("name"),
        body: new TextEncoder().encode(text("payload")),
      };
    case "submit_get":
      return {
        method: "GET",
        resource: text("resource"),
        name: text("name"),
        body: new Uint8Array(),
      };
    case "create_pod":
      return { method: "POST", resource: "pods", name: text("pod_name"), body: bodyOf(call) };
    case "deploy_pods_batch":
      return {
        method: "POST",
        resource: "deployments",
        name: text("deployment_name"),
        body: bodyOf(call),
      };
  }
}

/** The sealed form of a call, and the one-time key its output will be sealed to. */
export interface SealedCall {
  values: Record<string, unknown>;
  payload: Uint8Array;
  replyKey: X25519KeyPair;
}

/**
 * `call` as `requests::submit_sealed`: its body sealed to the enclave's encryption key, bound
 * to this cluster, requester, namespace, method, resource and name, with a fresh one-time
 * reply key its output comes back sealed to.
 */
export function sealCall(
  call: PlainCall,
  encryptionKey: Uint8Array,
  binding: { clusterId: string; requester: string; namespace: string },
): SealedCall {
  const shape = requestShape(call);
  const replyKey = generateX25519KeyPair();
  let payload: Uint8Array;
  try {
    payload = sealRequestPayload(
      encryptionKey,
      { body: shape.body, replyKey: replyKey.publicKey },
      { ...binding, method: shape.method, resource: shape.resource, name: shape.name },
    );
  } catch (error) {
    if (!(error instanceof SealedPayloadError)) throw error;
    throw new GatewayError(error.code, `cannot seal ${call.label}: ${error.message}`, {
      hint: "the cluster's registered encryption key is unusable; pass --no-seal to send it in the clear",
      cause: error,
    });
  }
  return {
    values: {
      method: shape.method,
      resource: shape.resource,
      name: shape.name,
      sealed_payload: payload,
    },
    payload,
    replyKey,
  };
}

function bodyOf(call: PlainCall): Uint8Array {
  if (call.payload) return call.payload;
  if (call.call === "submit")
    return (call.values.payload as Uint8Array | undefined) ?? new Uint8Array();
  if (call.call === "execute_k8s_api")
    return new TextEncoder().encode(String(call.values.payload ?? ""));
  return new Uint8Array();
}
