// The billing commands against a devnet process reached by URL: the admin sets and reads
// prices, a tenant funds and drains an escrow and reads its bill, a worker owner reads and
// claims earnings; bad amounts and over-withdrawals fail with a clear error.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type DevnetProcess, startDevnetProcess } from "../../src/devnet/spawn.ts";
import { errorLine, runCli, tempDataDir } from "./harness.ts";

let chain: DevnetProcess;
const dir = tempDataDir("k8s-daas-billing-cli-");
let connection: string[];

async function faucet(url: string, recipient: string): Promise<void> {
  const response = await fetch(`${url}/v2/gas`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ FixedAmountRequest: { recipient } }),
  });
  assert.equal(response.status, 200, await response.text());
}

async function json(args: string[]) {
  const run = await runCli([...args, ...connection, "-o", "json"]);
  assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

before(async () => {
  chain = await startDevnetProcess(join(dir, "chain"), 0);
  const keystore = join(dir, "admin.keystore");
  const created = await runCli(["keys", "new", "--keystore", keystore, "-o", "json"]);
  assert.equal(created.code, 0, created.stderr);
  const { address } = JSON.parse(created.stdout) as { address: string };
  await faucet(chain.url, address);
  const base = [
    "--network",
    chain.url,
    "--package-id",
    chain.packageId,
    "--keystore",
    keystore,
    "--address",
    address,
  ];
  const cluster = await runCli([
    "cluster",
    "create",
    ...base,
    "--allow-dev-enclave",
    "--enclave-key-file",
    join(dir, "enclave.json"),
    "-o",
    "json",
  ]);
  assert.equal(cluster.code, 0, cluster.stderr);
  const { clusterId } = JSON.parse(cluster.stdout) as { clusterId: string };
  connection = [...base, "--cluster-id", clusterId];
});

after(async () => {
  await chain?.stop();
});

test("cluster prices set and read back", async () => {
  await json([
    "cluster",
    "prices",
    "set",
    "--cpu-core-hour",
    "1.5sui",
    "--memory-gib-hour",
    "400000000",
    "--storage-gib-hour",
    "0",
    "--treasury-share-bps",
    "1000",
  ]);
  assert.deepEqual(await json(["cluster", "prices"]), {
    cpuCoreHourMist: "1500000000",
    memoryGibHourMist: "400000000",
    storageGibHourMist: "0",
    treasuryShareBps: "1000",
  });
  const bad = await runCli(["cluster", "prices", "set", "--cpu-core-hour", "1", ...connection]);
  assert.equal(bad.code, 2);
  assert.match(errorLine(bad), /needs --memory-gib-hour/);
});

test("escrow deposit, withdraw, and the bill", async () => {
  await json(["namespace", "claim", "bill-cli"]);
  const deposited = await json(["escrow", "deposit", "1.5sui", "-n", "bill-cli"]);
  assert.equal(deposited.escrowMist, "1500000000");
  const withdrawn = await json(["escrow", "withdraw", "500000000", "-n", "bill-cli"]);
  assert.equal(withdrawn.escrowMist, "1000000000");
  const bill = await json(["billing", "-n", "bill-cli"]);
  assert.equal(bill.escrowMist, "1000000000");
  assert.equal(bill.debtMist, "0");
  assert.equal(bill.suspended, false);
  assert.equal(bill.prices.treasuryShareBps, "1000");
  assert.equal(bill.lastCharge, undefined, "nothing charged before a report");

  const tooMuch = await runCli(["escrow", "withdraw", "5sui", "-n", "bill-cli", ...connection]);
  assert.equal(tooMuch.code, 1);
  assert.match(errorLine(tooMuch), /EInsufficientEscrow.*no gas was paid/);
  const notAnAmount = await runCli(["escrow", "deposit", "lots", "-n", "bill-cli", ...connection]);
  assert.equal(notAnAmount.code, 2);
  assert.match(errorLine(notAnAmount), /AMOUNT must be MIST/);
  const notHeld = await runCli(["escrow", "deposit", "1", "-n", "someone-else", ...connection]);
  assert.match(errorLine(notHeld), /NAMESPACE_NOT_OWNED/);
});

test("worker earnings and claim", async () => {
  const workerDir = join(dir, "worker");
  mkdirSync(workerDir, { recursive: true });
  const common = [...connection, "--node-id", "bill-node", "--data-dir", workerDir];
  const registered = await runCli(["worker", "register", "--stake", "1000000000", ...common]);
  assert.equal(registered.code, 0, registered.stderr);
  const earnings = await runCli(["worker", "earnings", ...common]);
  assert.equal(earnings.code, 0, earnings.stderr);
  assert.deepEqual(JSON.parse(earnings.stdout), { nodeId: "bill-node", earningsMist: "0" });
  const claim = await runCli(["worker", "claim", ...common]);
  assert.notEqual(claim.code, 0);
  assert.match(errorLine(claim), /ENothingToClaim/);
});
