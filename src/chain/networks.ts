import type { RpcTransport } from "@mysten/sui/grpc";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { ChainError } from "./errors.ts";

import { isNetworkName, NETWORK_CHOICES, type NetworkName } from "./network-names.ts";

export {
  isNetworkValue,
  NETWORK_CHOICES,
  NETWORK_NAMES,
  type NetworkName,
} from "./network-names.ts";

/** A validated place to reach a Sui full node over gRPC(-web). */
export interface NetworkEndpoint {
  /** Preset name, or "custom" for a URL given by the user. */
  readonly name: NetworkName | "custom";
  /** The name `SuiGrpcClient` uses for its caches and MVR defaults. */
  readonly clientNetwork: string;
  readonly url: string;
}

export const DEFAULT_LOCAL_URL = "http://127.0.0.1:9000";

const PRESETS: Record<NetworkName, NetworkEndpoint> = {
  local: { name: "local", clientNetwork: "localnet", url: DEFAULT_LOCAL_URL },
  testnet: {
    name: "testnet",
    clientNetwork: "testnet",
    url: "https://fullnode.testnet.sui.io:443",
  },
  mainnet: {
    name: "mainnet",
    clientNetwork: "mainnet",
    url: "https://fullnode.mainnet.sui.io:443",
  },
};

/**
 * Turns a user's `--network` value into an endpoint: a preset name, or an http(s) URL.
 * `localUrl` overrides where `local` points (the embedded devnet may listen elsewhere).
 */
export function resolveNetwork(input: string, options?: { localUrl?: string }): NetworkEndpoint {
  const value = input.trim();
  if (isNetworkName(value)) {
    if (value === "local" && options?.localUrl !== undefined) {
      return { ...PRESETS.local, url: parseHttpUrl(options.localUrl, "local URL") };
    }
    return PRESETS[value];
  }
  if (value.includes("://")) {
    return { name: "custom", clientNetwork: "custom", url: parseHttpUrl(value, "network URL") };
  }
  throw new ChainError(
    "CHAIN_NETWORK_INVALID",
    `unknown network "${value}": use one of ${NETWORK_CHOICES}`,
  );
}

function parseHttpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ChainError("CHAIN_NETWORK_INVALID", `${what} "${value}" is not a valid URL`, {
      cause,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ChainError(
      "CHAIN_NETWORK_INVALID",
      `${what} "${value}" must use http or https, not ${url.protocol.replace(":", "")}`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    // Credentials in a URL end up in logs and process listings.
    throw new ChainError("CHAIN_NETWORK_INVALID", `${what} must not carry credentials`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new ChainError(
      "CHAIN_NETWORK_INVALID",
      `${what} "${value}" must not have a query or fragment`,
    );
  }
  // gRPC-web appends "/package.Service/Method"; a trailing slash would double it.
  return url.toString().replace(/\/+$/, "");
}

/** An in-process transport (the embedded devnet in tests) instead of a URL. */
export interface TransportTarget {
  readonly transport: RpcTransport;
  readonly network?: string;
}

export function createSuiClient(target: string | NetworkEndpoint | TransportTarget): SuiGrpcClient {
  if (typeof target === "object" && "transport" in target) {
    return new SuiGrpcClient({
      network: target.network ?? "localnet",
      transport: target.transport,
    });
  }
  const endpoint = typeof target === "string" ? resolveNetwork(target) : target;
  return new SuiGrpcClient({ network: endpoint.clientNetwork, baseUrl: endpoint.url });
}
