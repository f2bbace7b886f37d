// `up --network URL --package-id ID` (the real-network path): no devnet of its own, the
// operator key from a given Sui keystore, a new cluster object on that chain. The "real"
// chain here is a separate devnet process reached only by its URL.
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type DevnetProcess, startDevnetProcess } from "../../src/devnet/spawn.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { runCli, startUp, tempDataDir } from "./harness.ts";

async function faucet(url: string, recipient: string): Promise<void> {
  const response = await fetch(`${url}/v2/gas`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ FixedAmountRequest: { recipient } }),
  });
  assert.equal(response.status, 200, await response.text());
}

test("up against a chain by URL uses the given keystore and leaves that chain running", async () => {
  const cluster = await testCluster();
  const dir = tempDataDir("k8s-daas-network-");
  let chain: DevnetProcess | undefined;
  try {
    chain = await startDevnetProcess(join(dir, "chain"), 0);
    const keystore = join(dir, "operator.keystore");
    const created = await runCli(["keys", "new", "--keystore", keystore, "-o", "json"]);
    assert.equal(created.code, 0, created.stderr);
    const { address } = JSON.parse(created.stdout) as { address: string };
    await faucet(chain.url, address);

    const missing = await runCli(["up", "--network", chain.url, "--data-dir", join(dir, "up")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs --package-id/);

    const stack = await startUp(join(dir, "up"), cluster.kubeconfigPath, [
      "--network",
      chain.url,
      "--package-id",
      chain.packageId,
      "--keystore",
      keystore,
      "--address",
      address,
      "--allow-dev-enclave",
    ]);
    assert.match(
      stack.stderr(),
      /WARNING: --allow-dev-enclave: the dev enclave key in .* \(not attested\)/,
    );
    assert.match(stack.stderr(), /registered the dev enclave key/);
    assert.equal(stack.ready.network, chain.url);
    assert.equal(stack.ready.operator, address);
    assert.equal(stack.ready.ready, true, stack.stderr());
    assert.doesNotMatch(stack.stderr(), /starting the devnet/);

    // The context `up` wrote (named after the chain's host) remembers the operator's keystore
    // and address: the same key is the tenant, with no flags.
    assert.match(stack.ready.context, /^127\.0\.0\.1-\d+$/);
    const env = stack.env;
    const namespace = uniqueNamespace("net");
    const claim = await runCli(["namespace", "claim", namespace], { env });
    assert.equal(claim.code, 0, claim.stderr);
    const pod = await runCli(
      ["pod", "create", "web", "--image", "nginxinc/nginx-unprivileged:1.27", "-n", namespace],
      { env },
    );
    assert.equal(pod.code, 0, pod.stderr);
    assert.match(pod.stdout, /201 pod\/web created/);

    const { code, stderr } = await stack.stop();
    assert.equal(code, 0, stderr);
    assert.match(stderr, /stopped nautilus-control/);
    assert.doesNotMatch(stderr, /stopped devnet/, "a chain up did not start is not up's to stop");
    const stillThere = await runCli(["namespace", "list", "-o", "json"], { env });
    assert.equal(stillThere.code, 0, stillThere.stderr);
  } finally {
    await chain?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("up against another network refuses to register a dev enclave key without --allow-dev-enclave", async () => {
  const dir = tempDataDir("k8s-daas-network-");
  try {
    const dataDir = join(dir, "up");
    // Refused before anything starts: no chain is reached, so none needs to run here.
    const refused = await runCli([
      "up",
      "--network",
      "http://127.0.0.1:9",
      "--package-id",
      `0x${"1".repeat(64)}`,
      "--data-dir",
      dataDir,
    ]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /^error\[DEV_ENCLAVE_REFUSED\]: up --network http:\/\/127\.0\.0\.1:9 would register a dev enclave key \(not attested\)/m,
    );
    assert.match(
      refused.stderr,
      /hint: register an attested enclave key .* --cluster-id ID, or pass --allow-dev-enclave/,
    );
    assert.doesNotMatch(refused.stderr, /registered the dev enclave key|created cluster object/);
    assert.equal(existsSync(join(dataDir, "cluster-object.json")), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cluster create on another network refuses a dev enclave key without --allow-dev-enclave", async () => {
  // Refused before anything is sent: no chain is reached, so none needs to run here.
  const refused = await runCli([
    "cluster",
    "create",
    "--network",
    "http://127.0.0.1:9",
    "--package-id",
    `0x${"1".repeat(64)}`,
  ]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /^error\[DEV_ENCLAVE_REFUSED\]: cluster create --network http:\/\/127\.0\.0\.1:9 would register a dev enclave key/m,
  );
  assert.doesNotMatch(refused.stderr, /CHAIN_UNREACHABLE/);
});
