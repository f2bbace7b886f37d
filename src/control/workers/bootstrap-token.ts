import { randomInt, timingSafeEqual } from "node:crypto";
import { isK8sError, LABEL_MANAGED } from "../../k8s/index.ts";
import { WorkerControlError } from "./errors.ts";
import type { KubeRequests } from "./kube-requests.ts";
import { LABEL_WORKER } from "./node-labels.ts";

// Kubernetes bootstrap tokens (`<id>.<secret>`, a `bootstrap.kubernetes.io/token` Secret
// named `bootstrap-token-<id>` in kube-system): what `k3s agent --token` accepts and what a
// kubelet's TLS bootstrap authenticates with. One per admitted worker, labelled with its
// node id, short-lived, and revoked as soon as the worker has joined.

export const TOKEN_GROUP = "system:bootstrappers:k8s-daas:worker";
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const TOKEN_FORMAT = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const SECRETS = "/api/v1/namespaces/kube-system/secrets";

export interface IssuedToken {
  token: string;
  id: string;
  expiresAtMs: number;
}

function randomText(length: number): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
}

export async function issueBootstrapToken(
  kube: KubeRequests,
  nodeId: string,
  ttlMs: number,
  now: number = Date.now(),
): Promise<IssuedToken> {
  const id = randomText(6);
  const secret = randomText(16);
  const expiresAtMs = now + ttlMs;
  await kube.request("POST", SECRETS, {
    body: {
      apiVersion: "v1",
      kind: "Secret",
      type: "bootstrap.kubernetes.io/token",
      metadata: {
        name: `bootstrap-token-${id}`,
        namespace: "kube-system",
        labels: { [LABEL_MANAGED]: "true", [LABEL_WORKER]: nodeId },
      },
      stringData: {
        description: `k8s-daas join token of worker ${nodeId}`,
        "token-id": id,
        "token-secret": secret,
        expiration: new Date(expiresAtMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
        "usage-bootstrap-authentication": "true",
        "auth-extra-groups": TOKEN_GROUP,
      },
    },
  });
  return { token: `${id}.${secret}`, id, expiresAtMs };
}

/**
 * Checks a token a worker presents: it exists, was issued to `nodeId`, has not expired, and
 * its secret matches. Throws WORKERS_JOIN_TOKEN_INVALID (never says which part failed).
 */
export async function verifyBootstrapToken(
  kube: KubeRequests,
  token: string,
  nodeId: string,
  now: number = Date.now(),
): Promise<{ id: string }> {
  const invalid = () =>
    new WorkerControlError("WORKERS_JOIN_TOKEN_INVALID", `no valid join token for ${nodeId}`);
  const match = TOKEN_FORMAT.exec(token);
  if (!match) throw invalid();
  const [, id = "", secret = ""] = match;
  let body: unknown;
  try {
    ({ body } = await kube.request("GET", `${SECRETS}/bootstrap-token-${id}`));
  } catch (error) {
    if (isK8sError(error, "K8S_NOT_FOUND")) throw invalid();
    throw error;
  }
  const stored = body as {
    metadata?: { labels?: Record<string, string> };
    data?: Record<string, string>;
  };
  const field = (key: string) => Buffer.from(stored.data?.[key] ?? "", "base64");
  const expected = field("token-secret");
  const presented = Buffer.from(secret);
  const expires = Date.parse(field("expiration").toString("utf8"));
  if (
    stored.metadata?.labels?.[LABEL_WORKER] !== nodeId ||
    expected.length !== presented.length ||
    !timingSafeEqual(expected, presented) ||
    !(expires > now)
  ) {
    throw invalid();
  }
  return { id };
}

/** Deletes a token (used up, or its worker left); a missing one is fine. */
export async function revokeBootstrapToken(kube: KubeRequests, id: string): Promise<void> {
  try {
    await kube.request("DELETE", `${SECRETS}/bootstrap-token-${id}`);
  } catch (error) {
    if (!isK8sError(error, "K8S_NOT_FOUND")) throw error;
  }
}

/** Revokes every token issued to `nodeId` (e.g. it was slashed before joining). */
export async function revokeTokensOf(kube: KubeRequests, nodeId: string): Promise<void> {
  const { body } = await kube.request("GET", SECRETS, {
    query: { labelSelector: `${LABEL_WORKER}=${nodeId}` },
  });
  for (const item of (body as { items?: { metadata?: { name?: string } }[] }).items ?? []) {
    const name = item.metadata?.name ?? "";
    if (name.startsWith("bootstrap-token-"))
      await revokeBootstrapToken(kube, name.slice("bootstrap-token-".length));
  }
}
