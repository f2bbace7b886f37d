// The network names alone, without the Sui client: help texts and config validation load
// this, not the gRPC stack.

export type NetworkName = "local" | "testnet" | "mainnet";

export const NETWORK_NAMES: readonly NetworkName[] = ["local", "testnet", "mainnet"];

/** What `--network` takes, in words, for help texts and error messages. */
export const NETWORK_CHOICES = `${NETWORK_NAMES.join(", ")} or an http(s):// URL`;

export function isNetworkName(value: string): value is NetworkName {
  return (NETWORK_NAMES as readonly string[]).includes(value);
}

/** Whether `resolveNetwork` accepts `value` (a preset name or an http(s) URL). */
export function isNetworkValue(value: string): boolean {
  return isNetworkName(value) || /^https?:\/\//.test(value);
}
