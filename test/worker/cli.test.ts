// `k8s-daas worker …` against a devnet over HTTP (no control plane: these actions are
// between the owner and the chain). Output is one JSON line per action; refusals are
// CliErrors with the abort's name as code and a hint.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { addCall } from "../../src/chain/k8s-daas.ts";
import { workerCommand } from "../../src/cli/commands/worker.ts";
import { type Devnet, openDevnet } from "../../src/devnet/index.ts";
import { createdObject, execute } from "../helpers/stack.ts";

let devnet: Devnet;
let clusterId: string;
let dataDir: string;
const owner = Ed25519Keypair.generate();

before(async () => {
  devnet = await openDevnet({ listen: { port: 0 } });
  const client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
  const admin = Ed25519Keypair.generate();
  await devnet.faucet(admin.toSuiAddress(), 10_000_000_000n);
  await devnet.faucet(owner.toSuiAddress(), 10_000_000_000n);
  const created = await execute(client, admin, (tx) =>
    addCall(tx, devnet.packageId, "create_cluster", { name: "cli" }),
  );
  clusterId = createdObject(created, "::cluster::Cluster");
  dataDir = mkdtempSync(join(tmpdir(), "k8s-daas-worker-cli-"));
  process.env.K8S_DAAS_WORKER_KEY = owner.getSecretKey();
});

after(async () => {
  delete process.env.K8S_DAAS_WORKER_KEY;
  await devnet?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function worker(action: string, flags: Record<string, string> = {}) {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  // The test runner writes to stdout too: keep the command's JSON lines, pass the rest on.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk === "string" && chunk.startsWith("{")) {
      lines.push(chunk);
      return true;
    }
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    const code = await workerCommand.run({
      positionals: [action],
      values: {
        network: devnet.url ?? "",
        "cluster-id": clusterId,
        "data-dir": dataDir,
        ...flags,
      },
    });
    return { code, output: lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
  } finally {
    process.stdout.write = write;
  }
}

test("register, heartbeat, list, leave; refusals carry the abort's name and a hint", async () => {
  const registered = await worker("register", { "node-id": "cli-node", stake: "1000000000" });
  assert.equal(registered.code, 0);
  assert.equal(registered.output[0]?.event, "worker.registered");
  const capId = registered.output[0]?.capId;
  assert.match(String(capId), /^0x[0-9a-f]{64}$/);

  await assert.rejects(worker("register", { "node-id": "cli-node", stake: "1000000000" }), {
    code: "EWorkerExists",
    hint: "this node id is taken; pick another --node-id",
  });
  await assert.rejects(worker("register", { "node-id": "cli-low", stake: "5" }), {
    code: "EStakeTooLow",
  });
  assert.equal(
    (await worker("heartbeat", { "node-id": "cli-node" })).output[0]?.event,
    "worker.heartbeat",
  );
  const listed = await worker("list");
  assert.deepEqual(listed.output[0]?.workers, [{ capId, nodeId: "cli-node" }]);

  await assert.rejects(worker("withdraw", { "node-id": "cli-node" }), {
    code: "EWorkerNotUnbonding",
  });
  assert.equal(
    (await worker("leave", { "node-id": "cli-node" })).output[0]?.event,
    "worker.deregistered",
  );
  await assert.rejects(worker("withdraw", { "node-id": "cli-node" }), {
    code: "EUnbondingNotOver",
  });
  await assert.rejects(worker("heartbeat", { "node-id": "cli-node" }), {
    code: "EWorkerNotLive",
  });
  await assert.rejects(worker("heartbeat", { "node-id": "nobody" }), {
    code: "WORKER_NOT_REGISTERED",
  });
});

test("command-line mistakes are usage errors", async () => {
  await assert.rejects(worker("dance"), { code: "USAGE" });
  await assert.rejects(worker("heartbeat"), { code: "USAGE", message: /--node-id/ });
  await assert.rejects(worker("register", { "node-id": "Not_A_Label", stake: "1" }), {
    code: "USAGE",
  });
  await assert.rejects(worker("register", { "node-id": "ok-node", stake: "-3" }), {
    code: "USAGE",
  });
  await assert.rejects(worker("list", { "cluster-id": "nope" }), { code: "USAGE" });
});
