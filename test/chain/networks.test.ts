import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { isChainError } from "../../src/chain/errors.ts";
import { createSuiClient, resolveNetwork } from "../../src/chain/networks.ts";

describe("resolveNetwork", () => {
  it("knows the presets", () => {
    assert.equal(resolveNetwork("local").url, "http://127.0.0.1:9000");
    assert.equal(resolveNetwork("testnet").url, "https://fullnode.testnet.sui.io:443");
    assert.equal(resolveNetwork("mainnet").url, "https://fullnode.mainnet.sui.io:443");
    assert.equal(resolveNetwork(" mainnet ").clientNetwork, "mainnet");
  });

  it("points local elsewhere when told", () => {
    const endpoint = resolveNetwork("local", { localUrl: "http://127.0.0.1:19000/" });
    assert.deepEqual(endpoint, {
      name: "local",
      clientNetwork: "localnet",
      url: "http://127.0.0.1:19000",
    });
  });

  it("accepts custom http(s) URLs", () => {
    const endpoint = resolveNetwork("https://rpc.example.com:8443/sui/");
    assert.equal(endpoint.name, "custom");
    assert.equal(endpoint.url, "https://rpc.example.com:8443/sui");
  });

  for (const [input, pattern] of [
    ["devnet", /unknown network "devnet"/],
    ["", /unknown network/],
    ["ftp://example.com", /must use http or https/],
    ["http://", /not a valid URL/],
    ["https://user:secret@example.com", /must not carry credentials/],
    ["https://example.com/?key=1", /query or fragment/],
  ] as const) {
    it(`rejects ${JSON.stringify(input)} with CHAIN_NETWORK_INVALID`, () => {
      assert.throws(
        () => resolveNetwork(input),
        (error: unknown) =>
          isChainError(error, "CHAIN_NETWORK_INVALID") &&
          pattern.test(error.message) &&
          !error.message.includes("secret"),
      );
    });
  }
});

describe("createSuiClient", () => {
  it("builds a SuiGrpcClient for a preset or URL", () => {
    assert.ok(createSuiClient("testnet") instanceof SuiGrpcClient);
    assert.ok(createSuiClient(resolveNetwork("http://127.0.0.1:1")) instanceof SuiGrpcClient);
  });

  it("refuses an invalid network before building anything", () => {
    assert.throws(() => createSuiClient("moon"), { code: "CHAIN_NETWORK_INVALID" });
  });
});
