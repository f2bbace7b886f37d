// `package publish` then `cluster create` and one request end to end on a chain reached only
// by its URL (a devnet process), all under the published package id rather than the devnet's
// built-in one: the devnet hosts a Publish of the compiled k8s_daas package.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { normalizeStructTag } from "@mysten/sui/utils";
import { type DevnetProcess, startDevnetProcess } from "../../src/devnet/spawn.ts";
import { packageFile } from "../../src/install/index.ts";
import { eventType } from "../../src/protocol/index.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { runCli, startUp, tempDataDir } from "./harness.ts";

const PAYLOAD = packageFile("move", "build", "k8s_daas", "publish.json");

/** `npm run move:build` when the compiled package is missing; a reason to skip if it cannot run. */
function ensureCompiled(): string | undefined {
  if (existsSync(PAYLOAD)) return undefined;
  const build = spawnSync(process.execPath, [packageFile("scripts", "move", "build.ts")], {
    encoding: "utf8",
  });
  if (build.status === 2) return `the Move package cannot be compiled here: ${build.stderr.trim()}`;
  assert.equal(build.status, 0, `move:build failed:\n${build.stdout}${build.stderr}`);
  return undefined;
}

async function faucet(url: string, recipient: string): Promise<void> {
  const response = await fetch(`${url}/v2/gas`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ FixedAmountRequest: { recipient } }),
  });
  assert.equal(response.status, 200, await response.text());
}

const skip = ensureCompiled();

test("package publish, then cluster create and a pod create served under the published package id", {
  skip,
}, async () => {
  const cluster = await testCluster();
  const dir = tempDataDir("k8s-daas-publish-");
  let chain: DevnetProcess | undefined;
  try {
    chain = await startDevnetProcess(join(dir, "chain"), 0);
    // The operator's own config file: publish writes the context cluster create then reads.
    const env = { K8S_DAAS_CONFIG: join(dir, "config.json") };
    const keystore = join(dir, "operator.keystore");
    const created = await runCli(["keys", "new", "--keystore", keystore, "-o", "json"], { env });
    assert.equal(created.code, 0, created.stderr);
    const { address } = JSON.parse(created.stdout) as { address: string };

    const broke = await runCli(
      ["package", "publish", "--network", chain.url, "--keystore", keystore, "--address", address],
      { env },
    );
    assert.equal(broke.code, 1);
    assert.match(broke.stderr, /^error\[PUBLISH_INSUFFICIENT_GAS\]: .*has no SUI coins/m);
    await faucet(chain.url, address);

    const published = await runCli(
      [
        "package",
        "publish",
        "--network",
        chain.url,
        "--keystore",
        keystore,
        "--address",
        address,
        "-o",
        "json",
      ],
      { env },
    );
    assert.equal(published.code, 0, published.stderr);
    const modules = (JSON.parse(readFileSync(PAYLOAD, "utf8")) as { modules: unknown[] }).modules;
    assert.match(
      published.stderr,
      new RegExp(`publishing k8s_daas \\(${modules.length} modules\\)`),
    );
    const { packageId, upgradeCapId, context } = JSON.parse(published.stdout) as {
      packageId: string;
      upgradeCapId: string;
      context: string;
    };
    assert.notEqual(packageId, chain.packageId, "a fresh id, not the devnet's built-in one");
    const client = new SuiGrpcClient({ network: "localnet", baseUrl: chain.url });
    const { object: cap } = await client.getObject({ objectId: upgradeCapId });
    assert.equal(cap.type, normalizeStructTag("0x2::package::UpgradeCap"));
    assert.deepEqual(cap.owner, { $kind: "AddressOwner", AddressOwner: address });
    const config = JSON.parse(readFileSync(env.K8S_DAAS_CONFIG, "utf8")) as {
      currentContext: string;
      contexts: Record<string, { network: string; packageId: string; upgradeCapId: string }>;
    };
    assert.equal(config.currentContext, context);
    assert.equal(config.contexts[context]?.packageId, packageId);
    assert.equal(config.contexts[context]?.upgradeCapId, upgradeCapId);

    // No --network, --package-id or key flags: the context publish wrote supplies them.
    const upDir = join(dir, "up");
    const enclaveKeyFile = join(upDir, "control", "enclave-dev-key.json");
    const made = await runCli(
      [
        "cluster",
        "create",
        "--enclave-key-file",
        enclaveKeyFile,
        "--allow-dev-enclave",
        "-o",
        "json",
      ],
      { env },
    );
    assert.equal(made.code, 0, made.stderr);
    const { clusterId } = JSON.parse(made.stdout) as { clusterId: string };
    const { object: clusterObject } = await client.getObject({ objectId: clusterId });
    assert.equal(clusterObject.type, normalizeStructTag(`${packageId}::cluster::Cluster`));

    // nautilus-control for that cluster, following the published package's events.
    const stack = await startUp(upDir, cluster.kubeconfigPath, [
      "--network",
      chain.url,
      "--package-id",
      packageId,
      "--cluster-id",
      clusterId,
      "--keystore",
      keystore,
      "--address",
      address,
      "--allow-dev-enclave",
    ]);
    try {
      assert.equal(stack.ready.packageId, packageId);
      assert.equal(stack.ready.clusterId, clusterId);
      assert.equal(stack.ready.ready, true, stack.stderr());
      const namespace = uniqueNamespace("pub");
      const claim = await runCli(["namespace", "claim", namespace], { env: stack.env });
      assert.equal(claim.code, 0, claim.stderr);
      const pod = await runCli(
        [
          "pod",
          "create",
          "web",
          "--image",
          "nginxinc/nginx-unprivileged:1.27",
          "-n",
          namespace,
          "-o",
          "json",
        ],
        { env: stack.env },
      );
      assert.equal(pod.code, 0, pod.stderr);
      const [outcome] = JSON.parse(pod.stdout) as { statusCode: number; resultTx: string }[];
      assert.equal(outcome?.statusCode, 201);

      // The enclave-signed result is on chain as the published package's event.
      const result = await client.getTransaction({
        digest: outcome.resultTx,
        include: { events: true },
      });
      assert.equal(result.$kind, "Transaction");
      const types = (result.Transaction?.events ?? []).map((event) => event.eventType);
      assert.ok(
        types.includes(normalizeStructTag(eventType(packageId, "K8sAPIResultEvent"))),
        types.join(", "),
      );
      assert.ok(!types.some((type) => type.startsWith(chain?.packageId ?? "")), types.join(", "));
    } finally {
      const { code, stderr } = await stack.stop();
      assert.equal(code, 0, stderr);
    }
  } finally {
    await chain?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("package publish names an unreachable chain and a bad --gas-budget before paying anything", {
  skip,
}, async () => {
  const dir = tempDataDir("k8s-daas-publish-");
  try {
    const env = { K8S_DAAS_CONFIG: join(dir, "config.json") };
    const keystore = join(dir, "operator.keystore");
    const created = await runCli(["keys", "new", "--keystore", keystore, "-o", "json"], { env });
    assert.equal(created.code, 0, created.stderr);
    const { address } = JSON.parse(created.stdout) as { address: string };
    const base = [
      ...["package", "publish", "--network", "http://127.0.0.1:9"],
      ...["--keystore", keystore, "--address", address],
    ];

    const unreachable = await runCli(base, { env });
    assert.equal(unreachable.code, 3, unreachable.stderr);
    assert.match(
      unreachable.stderr,
      /^error\[CHAIN_UNREACHABLE\]: the chain at http:\/\/127\.0\.0\.1:9 does not answer/m,
    );

    const budget = await runCli([...base, "--gas-budget", "lots"], { env });
    assert.equal(budget.code, 2, budget.stderr);
    assert.match(budget.stderr, /--gas-budget must be a whole number/);
    assert.equal(existsSync(env.K8S_DAAS_CONFIG), false, "no context is written on failure");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
