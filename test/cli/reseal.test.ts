// Key rotation under a waiting CLI: `k8s-daas apply` seals a Secret to the enclave key on
// chain and waits; before the control plane executes it, the enclave keys are rotated (on
// chain, signed by the old key) and the control plane restarts with the new ones. The
// request is answered 409 SEALED_PAYLOAD_STALE_KEY; the CLI says so, re-seals to the key now
// on chain, resubmits once, and the Secret is created. Real binary, devnet, kube-testenv.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { writeConfigFile } from "../../src/cli/config/config-file.ts";
import { ensureLocalKeys } from "../../src/cli/stack/local-keys.ts";
import { eventType, K8sAPIRequestEvent } from "../../src/protocol/index.ts";
import { loadDevEnclaveSigner } from "../../src/tee/index.ts";
import { testCluster, uniqueNamespace, waitFor } from "../helpers/cluster.ts";
import { openStack, rotateEnclave, type Stack, waitForResult } from "../helpers/stack.ts";
import { runCli } from "./harness.ts";

describe("cli: a payload sealed to a rotated-away key is re-sealed and resubmitted", () => {
  let stack: Stack;
  let core: CoreV1Api;
  let env: Record<string, string>;
  let tenant: string;
  const namespace = uniqueNamespace("reseal");
  const secret = `pw-${randomBytes(8).toString("hex")}`;

  before(async () => {
    const cluster = await testCluster();
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    // The control plane is not started yet: the request waits on chain for it.
    stack = await openStack(cluster.kubeConfig(), {}, { listen: true });
    const url = stack.devnet.url ?? "";
    const keys = await ensureLocalKeys(join(stack.dataDir, "cli"), url);
    tenant = keys.tenant.toSuiAddress();
    await stack.devnet.faucet(tenant, 1_000_000_000_000n);
    const configFile = join(stack.dataDir, "cli", "config.json");
    // No control URL: the CLI waits for the result on chain alone.
    writeConfigFile(configFile, {
      currentContext: "reseal",
      contexts: {
        reseal: {
          network: url,
          packageId: stack.packageId,
          clusterId: stack.clusterId,
          suiConfigDir: keys.configDir,
        },
      },
    });
    env = { K8S_DAAS_CONFIG: configFile, K8S_DAAS_DATA_DIR: join(stack.dataDir, "cli") };
    const claim = await runCli(["namespace", "claim", namespace], { env });
    assert.equal(claim.code, 0, claim.stderr);
  });
  after(() => stack?.close());

  it("answers STALE_KEY, then the CLI re-seals to the new key and the Secret is created", async () => {
    const file = join(stack.dataDir, "secret.yaml");
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${secret}\n`,
    );
    const applying = runCli(["apply", "-f", file, "-o", "json"], { env });
    const first = await waitFor("the sealed request on chain", async () => {
      const page = await stack.client.listEvents({
        filter: { eventType: eventType(stack.packageId, "K8sAPIRequestEvent") },
        limit: 200,
      });
      const event = page.events
        .map((item) => K8sAPIRequestEvent.parse(item.bcs))
        .find((item) => item.requester === tenant && item.namespace === namespace);
      return event ? BigInt(event.request_id) : undefined;
    });

    const next = loadDevEnclaveSigner(join(stack.dataDir, "enclave-next.json"));
    await rotateEnclave(stack, next);
    await stack.startControl({ enclave: next });

    const run = await applying;
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `^request ${first} was sealed to an enclave encryption key that has been rotated away; re-sealing to the key now on chain and resubmitting \\(once\\)$`,
        "m",
      ),
    );
    const [outcome] = JSON.parse(run.stdout) as {
      requestId: string;
      statusCode: number;
      sealed: boolean;
      resubmittedFrom?: string;
    }[];
    assert.equal(outcome?.resubmittedFrom, String(first));
    assert.equal(outcome?.statusCode, 201);
    assert.equal(outcome?.sealed, true);
    assert.notEqual(outcome?.requestId, String(first));

    const stale = await waitForResult(stack, first);
    assert.equal(stale.status_code, 409);
    assert.match(stale.summary, /^409 SEALED_PAYLOAD_STALE_KEY: /);
    const stored = await core.readNamespacedSecret({ namespace, name: "db" });
    assert.equal(Buffer.from(stored.data?.password ?? "", "base64").toString(), secret);
  });
});
