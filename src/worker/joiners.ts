import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { findK3s } from "../k8s/k3s.ts";
import { LABEL_JOIN_TOKEN_ID } from "../k8s/labels.ts";
import { SupervisedProcess } from "../k8s/supervised-process.ts";
import type { JoinCredential } from "../protocol/join-credential.ts";
import { type BackoffPolicy, backoffDelay, sleep } from "../shared/backoff.ts";
import { WorkerError } from "./errors.ts";

/** How a worker becomes a Kubernetes node once it holds its credential. */
export interface Joiner {
  join(nodeId: string, credential: JoinCredential): Promise<void>;
  /** Leaves the cluster (stops the agent process, if any). */
  stop(): Promise<void>;
}

/**
 * Simulated mode: no kubelet. The worker presents its bootstrap token at the control
 * plane's join endpoint, which checks it against the token Secret and creates a
 * KWOK-managed Node for this worker. The token is single-use and proves the worker could
 * open its sealed credential.
 */
export class SimulatedJoiner implements Joiner {
  readonly #attempts: number;
  readonly #backoff: BackoffPolicy;

  constructor(options: { attempts?: number; backoff?: BackoffPolicy } = {}) {
    this.#attempts = Math.max(1, options.attempts ?? 6);
    this.#backoff = options.backoff ?? { baseMs: 1_000, maxMs: 15_000 };
  }

  /**
   * Presents the token. No answer or a 5xx (the control plane busy or restarting) is
   * retried with backoff; a refusal (4xx) is final.
   */
  async join(nodeId: string, credential: JoinCredential): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#present(nodeId, credential);
      } catch (error) {
        const final =
          attempt >= this.#attempts ||
          !(error instanceof WorkerError) ||
          error.code === "WORKER_JOIN_REFUSED";
        if (final) throw error;
        await sleep(backoffDelay(this.#backoff, attempt - 1));
      }
    }
  }

  async #present(nodeId: string, credential: JoinCredential): Promise<void> {
    let response: Response;
    try {
      response = await fetch(credential.joinUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ nodeId, token: credential.token }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new WorkerError(
        "WORKER_JOIN_UNREACHABLE",
        `cannot reach the join endpoint ${credential.joinUrl}`,
        { cause: error },
      );
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as {
        error?: string;
        message?: string;
      };
      throw new WorkerError(
        response.status >= 500 ? "WORKER_JOIN_UNREACHABLE" : "WORKER_JOIN_REFUSED",
        `join ${response.status >= 500 ? "failed" : "refused"} (${response.status} ${body.error ?? ""}): ${body.message ?? ""}`,
      );
    }
  }

  async stop(): Promise<void> {}
}

/**
 * Real mode: runs and supervises `k3s agent --server URL --token TOKEN --node-name ID`. k3s
 * accepts Kubernetes bootstrap tokens for agents; the token goes through the environment
 * (`K3S_TOKEN`), not argv, so other users of the machine cannot read it from `ps`. The
 * kubelet registers its Node with the token's id (its public half) as a label: the control
 * plane adopts a Node only if it names a token issued for this worker.
 */
export class K3sAgentJoiner implements Joiner {
  readonly #dataDir: string;
  readonly #binary: string | undefined;
  readonly #log: ((line: string) => void) | undefined;
  #process: SupervisedProcess | undefined;

  constructor(options: { dataDir: string; binary?: string; log?: (line: string) => void }) {
    this.#dataDir = options.dataDir;
    this.#binary = options.binary ?? findK3s();
    this.#log = options.log;
  }

  async join(nodeId: string, credential: JoinCredential): Promise<void> {
    if (!this.#binary)
      throw new WorkerError(
        "WORKER_K3S_NOT_FOUND",
        "real mode needs k3s on PATH (or --k3s-binary)",
      );
    const dataDir = join(this.#dataDir, "k3s-agent");
    mkdirSync(dataDir, { recursive: true });
    this.#process = new SupervisedProcess({
      command: this.#binary,
      args: [
        "agent",
        "--server",
        credential.server,
        "--node-name",
        nodeId,
        "--data-dir",
        dataDir,
        "--node-label",
        `${LABEL_JOIN_TOKEN_ID}=${joinTokenId(credential.token)}`,
      ],
      env: { K3S_TOKEN: credential.token },
      ...(this.#log ? { log: this.#log } : {}),
    });
    this.#process.start();
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
  }
}

/** The id of a bootstrap token `<id>.<secret>`: public, it names the token's Secret. */
export function joinTokenId(token: string): string {
  return token.split(".")[0] ?? "";
}
