import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import type { Transaction } from "@mysten/sui/transactions";
import { type ClusterView, readClusterObject } from "../chain/cluster-view.ts";
import {
  type ControlTransport,
  controlTransport,
  createSuiClient,
  isChainError,
  keypairFromKeystore,
  resolveNetwork,
  type SubmittedTransaction,
} from "../chain/index.ts";

import { NamespaceCapObject, objectType } from "../protocol/objects.ts";
import type { ParsedArgs } from "./command.ts";
import { type Connection, resolveConnection } from "./context.ts";
import { ControlApi } from "./control-api.ts";
import { CliError, EXIT } from "./errors.ts";
import { executeTransaction } from "./execute.ts";
import { toCliError } from "./failures.ts";

export interface HeldNamespace {
  namespace: string;
  capId: string;
}

/**
 * One command's view of the chain: client, signer, the Cluster object and the caller's
 * namespaces, each loaded once and only when needed. Chain failures come out as CliErrors.
 */
export class Session {
  readonly connection: Connection;
  readonly client: SuiGrpcClient;
  readonly chainUrl: string;
  #signer: Promise<Ed25519Keypair> | undefined;
  #cluster: Promise<ClusterView> | undefined;
  #namespaces: Promise<HeldNamespace[]> | undefined;

  constructor(values: ParsedArgs["values"], options: { needCluster?: boolean } = {}) {
    this.connection = resolveConnection(values, options);
    const endpoint = (() => {
      try {
        return resolveNetwork(this.connection.network);
      } catch (error) {
        throw toCliError(error);
      }
    })();
    this.chainUrl = endpoint.url;
    this.client = createSuiClient(endpoint);
  }

  /** Runs `work`, turning chain failures into CliErrors that name this session's URL. */
  async chain<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toCliError(error, { chainUrl: this.chainUrl });
    }
  }

  signer(): Promise<Ed25519Keypair> {
    this.#signer ??= this.chain(() =>
      keypairFromKeystore({
        keystorePath: this.connection.keystorePath,
        clientConfigPath: this.connection.clientConfigPath,
        ...(this.connection.address ? { address: this.connection.address } : {}),
      }),
    );
    return this.#signer;
  }

  async address(): Promise<string> {
    return (await this.signer()).toSuiAddress();
  }

  cluster(): Promise<ClusterView> {
    this.#cluster ??= this.chain(() => readClusterObject(this.client, this.connection.clusterId));
    return this.#cluster;
  }

  /** The Cluster object read again (after a key rotation, say), and kept as the new view. */
  refreshCluster(): Promise<ClusterView> {
    this.#cluster = undefined;
    return this.cluster();
  }

  /** The NamespaceCaps the signer holds for this cluster. */
  namespaces(): Promise<HeldNamespace[]> {
    this.#namespaces ??= this.chain(async () => {
      const owner = await this.address();
      const held: HeldNamespace[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<SuiGrpcClient["listOwnedObjects"]>> =
          await this.client.listOwnedObjects({
            owner,
            type: objectType(this.connection.packageId, "NamespaceCap"),
            include: { content: true },
            ...(cursor ? { cursor } : {}),
          });
        for (const object of page.objects) {
          if (!object.content) continue;
          const cap = NamespaceCapObject.parse(object.content);
          if (cap.cluster_id === this.connection.clusterId)
            held.push({ namespace: cap.namespace, capId: object.objectId });
        }
        cursor = page.hasNextPage ? page.cursor : null;
      } while (cursor);
      return held.sort((a, b) => a.namespace.localeCompare(b.namespace));
    });
    return this.#namespaces;
  }

  /**
   * The namespace a command works in: `-n` if given, else the context's, else the only one
   * the signer holds.
   */
  async namespace(flag: unknown): Promise<string> {
    if (typeof flag === "string") return flag;
    if (this.connection.namespace) return this.connection.namespace;
    const held = await this.namespaces();
    if (held.length === 1 && held[0]) return held[0].namespace;
    throw new CliError(
      "NAMESPACE_REQUIRED",
      held.length === 0
        ? "you hold no namespace on this cluster"
        : `you hold ${held.length} namespaces (${held.map((h) => h.namespace).join(", ")}); say which`,
      {
        hint:
          held.length === 0
            ? "claim one first: k8s-daas namespace claim NAME"
            : "pass -n NAMESPACE",
        exitCode: EXIT.usage,
      },
    );
  }

  /** The signer's NamespaceCap for `namespace`, or NAMESPACE_NOT_OWNED before any gas is paid. */
  async namespaceCap(namespace: string): Promise<string> {
    const held = (await this.namespaces()).find((entry) => entry.namespace === namespace);
    if (held) return held.capId;
    throw new CliError(
      "NAMESPACE_NOT_OWNED",
      `${await this.address()} holds no NamespaceCap for namespace "${namespace}" on this cluster`,
      {
        hint: "'k8s-daas namespace list' shows yours; claim a free one with 'k8s-daas namespace claim NAME'",
      },
    );
  }

  /** Signs and executes one transaction; Move aborts caught in simulation cost nothing. */
  async execute(build: (tx: Transaction) => void): Promise<SubmittedTransaction> {
    const signer = await this.signer();
    return this.chain(() => executeTransaction(this.client, signer, build));
  }

  /** The control plane's API, or CONTROL_URL_MISSING when no URL is known. */
  controlApi(): ControlApi {
    const url = this.connection.controlUrl;
    if (!url) {
      throw new CliError("CONTROL_URL_MISSING", "no control plane URL is known", {
        hint: "pass --control-url (or K8S_DAAS_CONTROL_URL), or run 'k8s-daas up'",
        exitCode: EXIT.usage,
      });
    }
    let transport: ControlTransport;
    try {
      transport = controlTransport({
        url,
        pin: { client: this.client, clusterId: this.connection.clusterId },
        insecureHttp: this.connection.insecureHttp,
      });
    } catch (error) {
      if (!isChainError(error)) throw error;
      throw new CliError(error.code, error.message, {
        hint:
          error.code === "CONTROL_PLAINTEXT_REFUSED"
            ? "use the control plane's https:// URL, or pass --insecure-http (development stacks only)"
            : "pass --control-url https://HOST:PORT",
        exitCode: EXIT.usage,
      });
    }
    return new ControlApi(transport, () => this.signer(), this.connection.clusterId);
  }
}
