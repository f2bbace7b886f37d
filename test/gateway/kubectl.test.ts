// Upstream kubectl, unwrapped, against `k8s-daas proxy`: every write is a request on chain
// with an enclave-signed result, no read is, and what the tenant may not touch is a 403.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { chmodSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { waitFor } from "../helpers/cluster.ts";
import { allPackageEvents, assertNoLeakInDatabase } from "../helpers/leaks.ts";
import { newTenant } from "../helpers/stack.ts";
import { readUntil, writeContainerLog } from "../k8s/stream-fixtures.ts";
import { type GatewayRig, openGatewayRig } from "./fixture.ts";

const FIXTURES = resolve(import.meta.dirname, "../fixtures/gateway");

describe("kubectl through the gateway", () => {
  let rig: GatewayRig;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  let ns: string;

  /** Runs kubectl; fails the test with its stderr unless it exits 0. */
  const ok = async (args: readonly string[], env?: Record<string, string>) => {
    const run = await rig.kubectl(args, env);
    assert.equal(run.code, 0, `kubectl ${args.join(" ")}:\n${run.stderr}${run.stdout}`);
    return run.stdout;
  };

  /** Runs `work` and checks it put exactly `writes` requests on chain, each with a result. */
  const onChain = async <T>(writes: number, work: () => Promise<T>): Promise<T> => {
    const before = await rig.chainCounts();
    const value = await work();
    const after = await rig.chainCounts();
    assert.equal(after.requests - before.requests, writes, "requests on chain");
    assert.equal(after.results - before.results, writes, "enclave-signed results on chain");
    return value;
  };

  before(async () => {
    rig = await openGatewayRig("gw-kubectl");
    ns = rig.tenant.namespace;
    apps = rig.stack.kubeConfig.makeApiClient(AppsV1Api);
    core = rig.stack.kubeConfig.makeApiClient(CoreV1Api);
  });
  after(() => rig?.close());

  it("apply -f a file and a directory, and -k a kustomization, each object one request", async () => {
    // A fresh tenant's first kubectl call is a read (apply reads before it writes): the
    // control plane provisions the held namespace for it, so it works before any write.
    assert.match(await onChain(0, () => ok(["get", "configmaps", "-o", "name"])), /^$|configmap/);
    // `create` (no last-applied annotation), so the directory's apply below patches it.
    await onChain(1, () => ok(["create", "-f", join(FIXTURES, "settings", "a.yaml")]));
    await onChain(2, () => ok(["apply", "-f", join(FIXTURES, "web")]));
    const deployment = await apps.readNamespacedDeployment({ name: "web", namespace: ns });
    assert.equal(deployment.spec?.replicas, 1);
    await onChain(2, () => ok(["apply", "-f", join(FIXTURES, "settings")]));
    // Server-side apply of what client-side writes made (a create, then an apply): the
    // request-id stamp is not the tenant's field, so nothing conflicts.
    // kubectl first moves the client-side managed fields over (patches of its own, each one
    // a request on chain too), then applies.
    await onChain(4, () =>
      ok(["apply", "--server-side", "-f", join(FIXTURES, "settings", "a.yaml")]),
    );
    // Server-side apply of an object no other manager wrote yet, twice.
    const serverSide = join(rig.workDir, "server-side.yaml");
    writeFileSync(
      serverSide,
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: server-side\ndata:\n  a: '1'\n",
    );
    await onChain(1, () => ok(["apply", "-f", serverSide, "--server-side"]));
    writeFileSync(
      serverSide,
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: server-side\ndata:\n  a: '2'\n",
    );
    await onChain(1, () => ok(["apply", "-f", serverSide, "--server-side"]));
    assert.equal(
      (await core.readNamespacedConfigMap({ name: "server-side", namespace: ns })).data?.a,
      "2",
    );
    await onChain(1, () => ok(["apply", "-k", join(FIXTURES, "kustomize")]));
    const kustomized = await core.readNamespacedConfigMap({ name: "kustomized", namespace: ns });
    assert.equal(kustomized.data?.greeting, "hello");
    assert.equal(kustomized.metadata?.labels?.["made-by"], "kustomize");
    // Applying an unchanged object again is a GET and no write at all.
    await onChain(0, () => ok(["apply", "-f", join(FIXTURES, "settings", "b.yaml")]));
  });

  it("get in every output format, describe and explain are reads: nothing on chain", async () => {
    await onChain(0, async () => {
      assert.match(await ok(["get", "deployments", "-o", "wide"]), /^web\s+\S+\s+.*nginx:1\.27/m);
      assert.match(await ok(["get", "configmap", "settings-a", "-o", "yaml"]), /mode: a/);
      const list = JSON.parse(await ok(["get", "configmaps", "-o", "json"])) as {
        items: { metadata: { name: string } }[];
      };
      const names = list.items.map((item) => item.metadata.name);
      for (const name of ["settings-a", "settings-b", "kustomized"])
        assert.ok(names.includes(name));
      assert.match(await ok(["get", "services", "-o", "name"]), /^service\/web$/m);
      assert.equal(
        await ok([
          "get",
          "deployment",
          "web",
          "-o",
          "jsonpath={.spec.template.spec.containers[0].image}",
        ]),
        "nginx:1.27",
      );
      assert.match(await ok(["describe", "deployment", "web"]), /Replicas:\s+1 desired/);
      assert.match(await ok(["explain", "deployment.spec.replicas"]), /replicas\s*<integer>/i);
      assert.equal((await ok(["auth", "can-i", "create", "deployments"])).trim(), "yes");
      const clusterRoles = await rig.kubectl(["auth", "can-i", "create", "clusterroles"]);
      assert.equal(clusterRoles.stdout.trim(), "no");
    });
  });

  it("get -w sees the event of a write made meanwhile", async () => {
    const watch = spawn(rig.tools, ["kubectl", "get", "configmaps", "--watch-only", "-o", "name"], {
      env: { ...process.env, KUBECONFIG: rig.kubeconfig },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let seen = "";
    watch.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
    });
    try {
      // The watch is open once the gateway forwarded it; then the write lands.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const watched = join(rig.workDir, "watched.yaml");
      writeFileSync(watched, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\n");
      await onChain(1, () => ok(["create", "-f", watched]));
      await waitFor("the watch event of configmap/watched", async () =>
        seen.includes("configmap/watched") ? true : undefined,
      );
    } finally {
      watch.kill("SIGINT");
    }
  });

  it("scale, wait for Available, rollout status, set image, restart and undo", async () => {
    await onChain(1, () => ok(["scale", "deployment", "web", "--replicas=2"]));
    assert.equal(
      (await apps.readNamespacedDeployment({ name: "web", namespace: ns })).spec?.replicas,
      2,
    );
    await ok(["wait", "--for=condition=Available", "deployment/web", "--timeout=120s"]);
    assert.match(
      await ok(["rollout", "status", "deployment/web", "--timeout=120s"]),
      /successfully rolled out/,
    );
    await onChain(1, () => ok(["set", "image", "deployment/web", "web=nginx:1.28"]));
    await ok(["rollout", "status", "deployment/web", "--timeout=120s"]);
    await onChain(1, () => ok(["rollout", "restart", "deployment/web"]));
    const restarted = await apps.readNamespacedDeployment({ name: "web", namespace: ns });
    assert.ok(
      restarted.spec?.template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"],
    );
    await ok(["rollout", "status", "deployment/web", "--timeout=120s"]);
    await ok(["rollout", "undo", "deployment/web"]);
    await waitFor("the undo to bring back nginx:1.28 without the restart annotation", async () => {
      const current = await apps.readNamespacedDeployment({ name: "web", namespace: ns });
      const template = current.spec?.template;
      return template?.spec?.containers[0]?.image === "nginx:1.28" &&
        !template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"]
        ? true
        : undefined;
    });
  });

  it("exec goes through the proxy's upgrade to the control plane's bridge, not on chain", async () => {
    await onChain(0, async () => {
      assert.equal((await ok(["exec", "deployment/web", "--", "echo", "hi"])).trim(), "hi");
    });
  });

  it("logs -f streams lines as they are produced, through the proxy, not on chain", async () => {
    await onChain(0, async () => {
      const follower = spawn(rig.tools, ["kubectl", "logs", "-f", "deployment/web", "--tail=1"], {
        env: { ...process.env, KUBECONFIG: rig.kubeconfig },
        cwd: rig.workDir,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      follower.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      try {
        const first = `gw-follow-${Date.now()}-first`;
        const second = `gw-follow-${Date.now()}-second`;
        await writeContainerLog(first);
        // The second line is written only once the first has arrived: a follower that
        // buffered until the end would never show it.
        assert.match(
          await readUntil(follower.stdout, (text) => text.includes(first)),
          new RegExp(first),
          stderr,
        );
        await writeContainerLog(second);
        assert.match(
          await readUntil(follower.stdout, (text) => text.includes(second)),
          new RegExp(second),
          stderr,
        );
        assert.equal(follower.exitCode, null, "still following");
      } finally {
        follower.kill("SIGTERM");
        if (follower.exitCode === null) await once(follower, "exit");
      }
    });
  });

  it("label, annotate and edit with KUBE_EDITOR", async () => {
    await onChain(1, () => ok(["label", "configmap", "settings-a", "tier=gold"]));
    await onChain(1, () => ok(["annotate", "configmap", "settings-a", "note=hello"]));
    const editor = join(rig.workDir, "editor.sh");
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/mode: b/mode: edited/" "$1"\n');
    chmodSync(editor, 0o755);
    await onChain(1, () => ok(["edit", "configmap", "settings-b"], { KUBE_EDITOR: editor }));
    const a = await core.readNamespacedConfigMap({ name: "settings-a", namespace: ns });
    assert.equal(a.metadata?.labels?.tier, "gold");
    assert.equal(a.metadata?.annotations?.note, "hello");
    const b = await core.readNamespacedConfigMap({ name: "settings-b", namespace: ns });
    assert.equal(b.data?.mode, "edited");
  });

  it("--dry-run=server runs without a transaction", async () => {
    const dry = join(rig.workDir, "dry.yaml");
    writeFileSync(dry, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\n");
    await onChain(0, () => ok(["apply", "-f", dry, "--dry-run=server"]));
    await assert.rejects(core.readNamespacedConfigMap({ name: "dry", namespace: ns }));
  });

  it("kubectl create configmap (protobuf) works; other protobuf generators get a 415 with what to do", async () => {
    await onChain(1, () => ok(["create", "configmap", "proto", "--from-literal=a=1"]));
    const proto = await core.readNamespacedConfigMap({ name: "proto", namespace: ns });
    assert.equal(proto.data?.a, "1");
    await onChain(0, async () => {
      const run = await rig.kubectl(["create", "deployment", "proto", "--image=nginx:1.27"]);
      assert.notEqual(run.code, 0);
      assert.match(
        run.stderr,
        /KUBE_CONTENT_TYPE_UNSUPPORTED: .*Deployment.*--dry-run=client -o yaml \| kubectl apply -f -/,
      );
    });
  });

  it("kubectl create secret: the value reaches the cluster, never the chain's events or the inbox", async () => {
    const secret = `gw-pw-${randomBytes(12).toString("hex")}`;
    const forms = [secret, Buffer.from(secret).toString("base64")].map((text) => Buffer.from(text));
    const leaks = (bytes: Uint8Array) => forms.some((form) => Buffer.from(bytes).includes(form));
    await onChain(1, () =>
      ok(["create", "secret", "generic", "db", `--from-literal=password=${secret}`]),
    );
    const stored = await core.readNamespacedSecret({ name: "db", namespace: ns });
    assert.equal(Buffer.from(stored.data?.password ?? "", "base64").toString(), secret);
    const events = await allPackageEvents(rig.stack);
    assert.ok(events.some((event) => event.eventType.endsWith("::K8sAPIRequestEvent")));
    for (const event of events) assert.equal(leaks(event.bcs), false, event.eventType);
    assertNoLeakInDatabase(join(rig.stack.config.dataDir, "inbox.sqlite"), leaks);
  });

  it("another tenant's namespace, the cluster and RBAC are 403s naming why", async () => {
    const other = await newTenant(rig.stack, `gw-other-${Date.now().toString(36)}`);
    await onChain(0, async () => {
      const read = await rig.kubectl(["get", "pods", "-n", other.namespace]);
      assert.notEqual(read.code, 0);
      assert.match(read.stderr, /Forbidden|forbidden/);
      assert.match(read.stderr, /NAMESPACE_NOT_OWNED/);
      const write = await rig.kubectl([
        "create",
        "-f",
        join(FIXTURES, "settings", "a.yaml"),
        "-n",
        other.namespace,
      ]);
      assert.notEqual(write.code, 0);
      assert.match(write.stderr, /NAMESPACE_NOT_OWNED/);
      const namespace = await rig.kubectl(["create", "namespace", "mine"]);
      assert.match(namespace.stderr, /KUBE_CLUSTER_SCOPED/);
      const role = await rig.kubectl(["create", "role", "r", "--verb=get", "--resource=pods"]);
      assert.match(role.stderr, /KUBE_RESOURCE_FORBIDDEN/);
    });
  });

  it("delete -f removes what apply -f made", async () => {
    await onChain(2, () => ok(["delete", "-f", join(FIXTURES, "web")]));
    await waitFor("deployment web gone", async () =>
      (await apps.readNamespacedDeployment({ name: "web", namespace: ns }).catch(() => undefined))
        ? undefined
        : true,
    );
  });
});
