// The same code over the wire: gRPC-web over HTTP to a listening devnet, through the SDK's own
// GrpcWebFetchTransport, as against a real full node.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { EventFollower } from "../../src/chain/follower.ts";
import { SubmissionJournal } from "../../src/chain/journal.ts";
import { createSuiClient, resolveNetwork } from "../../src/chain/networks.ts";
import { Submitter } from "../../src/chain/submitter.ts";
import { type Devnet, openDevnet } from "../../src/devnet/index.ts";
import { sleep } from "../../src/shared/backoff.ts";
import { PING_TYPE, PINGER_ID, Ping, pinger } from "./test-package.ts";

describe("chain access over HTTP (gRPC-web) to a listening devnet", () => {
  let devnet: Devnet;
  let client: SuiGrpcClient;
  const alice = Ed25519Keypair.generate();

  before(async () => {
    devnet = await openDevnet({ packages: [pinger], listen: { port: 0 } });
    assert.ok(devnet.url);
    client = createSuiClient(resolveNetwork("local", { localUrl: devnet.url }));
    await devnet.faucet(alice.toSuiAddress(), 10_000_000_000n);
  });
  after(() => devnet.close());

  it("submits through the journal and follows the event on the subscription stream", async () => {
    const submitter = new Submitter({
      client,
      signer: alice,
      journal: new SubmissionJournal(":memory:"),
    });
    const seen: bigint[] = [];
    const controller = new AbortController();
    const guard = setTimeout(
      () => controller.abort(new Error("test guard: follower hung")),
      60_000,
    );
    const follower = new EventFollower({
      client,
      eventTypes: [PING_TYPE],
      cursor: null,
      decode: (_type, bytes) => Ping.parse(bytes),
      onBatch: async (events) => {
        for (const event of events) if (event.decoded.ok) seen.push(BigInt(event.decoded.value.n));
      },
    });
    const running = follower.run(controller.signal);
    try {
      for (const n of [1n, 2n, 3n]) {
        const result = await submitter.submit(`ping:${n}`, (tx) => {
          tx.moveCall({ target: `${PINGER_ID}::pinger::ping`, arguments: [tx.pure.u64(n)] });
        });
        assert.equal(result.transaction?.events?.[0]?.eventType, PING_TYPE);
      }
      while (seen.length < 3) await sleep(5, controller.signal);
    } finally {
      controller.abort();
      clearTimeout(guard);
      await running;
    }
    assert.deepEqual(seen, [1n, 2n, 3n]);
    assert.equal(follower.stats.reconnects, 0);
  });
});
