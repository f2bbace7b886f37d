// Secrets through the real binary against `k8s-daas up` (devnet process, nautilus-control,
// the shared kube-testenv cluster): sealed by default, so the Secret and the `--env` value
// reach the cluster while the devnet's ledger (every table of its SQLite file, and the raw
// file), every event, the control plane's inbox and its log never hold them; `get` and
// `result` open the output with the one-time key the CLI kept. `--no-seal` warns once; a
// cluster that requires sealing refuses plaintext with a code.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { createSuiClient, keypairFromKeystore } from "../../src/chain/index.ts";
import { addCall, executeSigned } from "../../src/chain/k8s-daas.ts";
import { EVENT_SCHEMAS, type EventName, eventType } from "../../src/protocol/index.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { assertNoLeakInDatabase } from "../helpers/leaks.ts";
import { errorLine, runCli, startUp, tempDataDir, type UpProcess } from "./harness.ts";

const IMAGE = "nginxinc/nginx-unprivileged:1.27";
const SECRET = `pw-${randomBytes(12).toString("hex")}`;
const ENV_SECRET = `env-${randomBytes(12).toString("hex")}`;
/** Each secret as written and in base64 (how Kubernetes and manifests carry Secret data). */
const FORMS = [SECRET, ENV_SECRET].flatMap((text) =>
  [text, Buffer.from(text).toString("base64")].map((form) => Buffer.from(form)),
);
const leaks = (bytes: Uint8Array) => FORMS.some((form) => Buffer.from(bytes).includes(form));

describe("cli: sealed requests", () => {
  let dataDir: string;
  let stack: UpProcess;
  let core: CoreV1Api;
  const namespace = uniqueNamespace("seal");
  const cli = (...args: string[]) => runCli(args, { env: stack.env });
  const manifest = (name: string) => {
    const path = join(dataDir, `${name}.yaml`);
    writeFileSync(
      path,
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  password: ${SECRET}\n`,
    );
    return path;
  };

  before(async () => {
    const cluster = await testCluster();
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    dataDir = tempDataDir();
    stack = await startUp(dataDir, cluster.kubeconfigPath);
    const claim = await cli("namespace", "claim", namespace);
    assert.equal(claim.code, 0, claim.stderr);
  });

  after(async () => {
    if (stack?.child.exitCode === null) await stack.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("a Secret and an --env value reach the cluster; no ledger table, event, inbox row or log line holds them", async () => {
    const applied = await cli("apply", "-f", manifest("db"), "-o", "json");
    assert.equal(applied.code, 0, applied.stderr);
    const [outcome] = JSON.parse(applied.stdout) as {
      requestId: string;
      sealed: boolean;
      statusCode: number;
    }[];
    assert.equal(outcome?.sealed, true);
    assert.equal(outcome?.statusCode, 201);
    assert.doesNotMatch(applied.stderr, /warning/, "sealed: nothing to warn about");
    const secret = await core.readNamespacedSecret({ namespace, name: "db" });
    assert.equal(Buffer.from(secret.data?.password ?? "", "base64").toString(), SECRET);

    const pod = await cli(
      "pod",
      "create",
      "app",
      "--image",
      IMAGE,
      "--env",
      `PASSWORD=${ENV_SECRET}`,
    );
    assert.equal(pod.code, 0, pod.stderr);
    const created = await core.readNamespacedPod({ namespace, name: "app" });
    const env = created.spec?.containers[0]?.env?.map(({ name, value }) => ({ name, value }));
    assert.deepEqual(env, [{ name: "PASSWORD", value: ENV_SECRET }]);

    // Every event of the package, as anyone can read them.
    const client = createSuiClient(stack.ready.network);
    let events = 0;
    for (const name of Object.keys(EVENT_SCHEMAS) as EventName[]) {
      let after: string | null = null;
      do {
        const page = await client.listEvents({
          filter: { eventType: eventType(stack.ready.packageId, name) },
          limit: 200,
          ...(after ? { after } : {}),
        });
        for (const event of page.events) {
          events++;
          assert.equal(leaks(event.bcs), false, `a ${name} holds the secret`);
        }
        after = page.hasNextPage ? page.endCursor : null;
      } while (after);
    }
    assert.ok(events >= 4, `read ${events} events`);

    // The devnet's ledger: every value of every table, then the raw files (free pages too).
    const ledgerDir = join(dataDir, "devnet");
    assertNoLeakInDatabase(join(ledgerDir, "ledger.sqlite"), leaks);
    for (const file of readdirSync(ledgerDir).filter((name) => name.startsWith("ledger.sqlite"))) {
      assert.equal(leaks(readFileSync(join(ledgerDir, file))), false, `${file} holds the secret`);
    }
    // The control plane's inbox (the sealed bytes as received, the sealed outputs) and its log.
    assertNoLeakInDatabase(join(dataDir, "control", "inbox.sqlite"), leaks);
    const log = join(dataDir, "logs", "control.log");
    assert.ok(existsSync(log));
    assert.equal(leaks(readFileSync(log)), false, "the control log holds the secret");
  });

  it("get and result open the sealed output with the one-time key kept 0600 per request", async () => {
    const get = await cli("get", "secret", "db", "-o", "json");
    assert.equal(get.code, 0, get.stderr);
    const object = JSON.parse(get.stdout) as { data?: Record<string, string> };
    assert.equal(Buffer.from(object.data?.password ?? "", "base64").toString(), SECRET);

    const requests = await cli("requests", "-o", "json");
    const views = JSON.parse(requests.stdout) as {
      requestId: string;
      resource: string;
      method: string;
    }[];
    const applied = views.find((view) => view.resource === "secrets" && view.method === "POST");
    assert.ok(applied);
    const keyDir = join(dataDir, "reply-keys", stack.ready.clusterId);
    const keyFile = join(keyDir, `${applied.requestId}.key`);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);

    const result = await cli("result", applied.requestId);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^sha256: {2}[0-9a-f]{64} \(matches the K8sAPIResultEvent in /m);
    assert.match(result.stdout, /^sealed: {2}output opened with the one-time key /m);
    assert.match(result.stdout, /^result: {2}201 secret\/db created$/m);
    assert.ok(result.stdout.includes(Buffer.from(SECRET).toString("base64")));

    // Without the key, the output stays shut: a clear error, not ciphertext as if it were data.
    rmSync(keyFile);
    const without = await cli("result", applied.requestId);
    assert.equal(without.code, 1);
    assert.match(errorLine(without), /^error\[REPLY_KEY_MISSING\]: /);
  });

  it("--no-seal sends in the clear and warns once that the values will be public", async () => {
    const visible = `open-${randomBytes(8).toString("hex")}`;
    const open = await cli(
      "pod",
      "create",
      "open",
      "--image",
      IMAGE,
      "--env",
      `A=${visible}`,
      "--env",
      "B=2",
      "--no-seal",
    );
    assert.equal(open.code, 0, open.stderr);
    const warnings = open.stderr.split("\n").filter((line) => line.startsWith("warning:"));
    assert.deepEqual(warnings, [
      "warning: the --env values of pod/open will be public on chain, for ever: the payload is not sealed (--no-seal)",
    ]);
    // The same scan that finds nothing of the sealed values finds this one.
    const ledger = readFileSync(join(dataDir, "devnet", "ledger.sqlite"));
    const wal = join(dataDir, "devnet", "ledger.sqlite-wal");
    const raw = Buffer.concat([ledger, existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)]);
    assert.ok(raw.includes(Buffer.from(visible)), "an unsealed value is on the ledger");
  });

  it("a cluster that requires sealing refuses a plaintext Secret or --env value with SEALING_REQUIRED", async () => {
    const operator = await keypairFromKeystore({
      keystorePath: join(stack.ready.suiConfigDir, "sui.keystore"),
      address: stack.ready.operator,
    });
    const { adminCapId } = JSON.parse(readFileSync(join(dataDir, "cluster-object.json"), "utf8"));
    const client = createSuiClient(stack.ready.network);
    await executeSigned(client, operator, (tx) =>
      addCall(
        tx,
        stack.ready.packageId,
        "set_require_sealed",
        { required: true },
        { cluster: stack.ready.clusterId, cap: adminCapId },
      ),
    );
    const secret = await cli("apply", "-f", manifest("plain"), "--no-seal");
    assert.equal(secret.code, 2, secret.stderr);
    assert.match(
      errorLine(secret),
      /^error\[SEALING_REQUIRED\]: this cluster requires sealed payloads, and the data of secret\/plain would go on chain in plaintext \(--no-seal\)$/,
    );
    const env = await cli("pod", "create", "plain", "--image", IMAGE, "--env", "P=1", "--no-seal");
    assert.equal(env.code, 2, env.stderr);
    assert.match(errorLine(env), /^error\[SEALING_REQUIRED\]: .*the --env values of pod\/plain/);
    await assert.rejects(core.readNamespacedSecret({ namespace, name: "plain" }));
    // Sealed (the default), the same Secret goes through.
    const sealed = await cli("apply", "-f", manifest("plain"));
    assert.equal(sealed.code, 0, sealed.stderr);
    const stored = await core.readNamespacedSecret({ namespace, name: "plain" });
    assert.equal(Buffer.from(stored.data?.password ?? "", "base64").toString(), SECRET);
  });
});
