import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Registry } from "prom-client";
import { signedHeaders } from "../../src/control/http/auth.ts";
import type { NamespaceClaim } from "../../src/control/inbox/index.ts";
import {
  STREAM_END_TRAILER,
  StreamMetrics,
  StreamsService,
} from "../../src/control/streams/index.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { fetchOver } from "../helpers/control-client.ts";
import { eventually, provisionTenant } from "../k8s/executor-fixtures.ts";
import {
  readUntil,
  runningPod,
  startStreamsApi,
  writeContainerLog,
} from "../k8s/stream-fixtures.ts";

const CLUSTER = `0x${"ab".repeat(32)}`;
const owner = Ed25519Keypair.generate();
const stranger = Ed25519Keypair.generate();

let kc: KubeConfig;
let core: CoreV1Api;
let api: Awaited<ReturnType<typeof startStreamsApi>>;
let streams: StreamsService;
let registry: Registry;
let ns: string;
let strangerNs: string;
/** A namespace the claims give to `owner` but that was never provisioned (no tenant Role). */
const unprovisioned = uniqueNamespace("bare");
const claims = new Map<string, NamespaceClaim>();
const claim = (namespace: string, holder: Ed25519Keypair, released = false) =>
  claims.set(namespace, { namespace, owner: holder.toSuiAddress(), capId: "0x1", released });

async function get(
  path: string,
  key = owner,
  query = "",
): Promise<{ res: IncomingMessage; text: () => Promise<string> }> {
  const url = `${api.url}${path}${query}`;
  const headers = await signedHeaders(key, { clusterId: CLUSTER, method: "GET", url });
  const res = await api.transport.request(url, { headers });
  return { res, text: () => readUntil(res, () => false) };
}

async function refusal(path: string, key = owner, query = ""): Promise<[number, string]> {
  const { res, text } = await get(path, key, query);
  return [res.statusCode ?? 0, (JSON.parse(await text()) as { error: string }).error];
}

before(async () => {
  kc = (await testCluster()).kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  ns = await provisionTenant(kc, "streams");
  strangerNs = await provisionTenant(kc, "streams-x");
  await core.createNamespace({ body: { metadata: { name: unprovisioned } } });
  claim(ns, owner);
  claim(strangerNs, stranger);
  claim(unprovisioned, owner);
  await runningPod(kc, ns, "web");
  await runningPod(kc, strangerNs, "web");
  registry = new Registry();
  streams = new StreamsService({
    admin: kc,
    namespaces: claims,
    limits: { maxConcurrentPerTenant: 2 },
    superviseIntervalMs: 200,
    metrics: new StreamMetrics(registry),
  });
  api = await startStreamsApi(streams, registry, CLUSTER);
});

after(async () => {
  await api?.close();
  for (const name of [ns, strangerNs, unprovisioned])
    if (name) await core.deleteNamespace({ name }).catch(() => undefined);
});

describe("control: pod logs through the signed API, as the tenant", () => {
  it("serves the owner its pod's log (tail) and ends with an EOF trailer", async () => {
    const marker = `tail-${randomBytes(4).toString("hex")}`;
    await writeContainerLog(`${marker}-1`, `${marker}-2`);
    const { res, text } = await get(`/v1/namespaces/${ns}/pods/web/log`, owner, "?tail=1");
    assert.equal(res.statusCode, 200);
    assert.equal(await text(), `${marker}-2\n`);
    assert.equal(res.trailers[STREAM_END_TRAILER], "EOF");
  });

  it("follows: lines arrive as written, and the stream ends (POD_GONE) when the pod is deleted", async () => {
    const marker = `follow-${randomBytes(4).toString("hex")}`;
    await runningPod(kc, ns, "short");
    // The API server sends its headers with the first bytes: start from the last line written.
    await writeContainerLog(`${marker}-a`);
    const { res } = await get(`/v1/namespaces/${ns}/pods/short/log`, owner, "?follow=true&tail=1");
    assert.equal(res.statusCode, 200);
    assert.match(await readUntil(res, (t) => t.includes(`${marker}-a`)), new RegExp(`${marker}-a`));
    const later = readUntil(res, (t) => t.includes(`${marker}-b`));
    await writeContainerLog(`${marker}-b`);
    assert.equal(await later, `${marker}-b\n`);
    await core.deleteNamespacedPod({ namespace: ns, name: "short", gracePeriodSeconds: 0 });
    await readUntil(res, () => false);
    assert.equal(res.trailers[STREAM_END_TRAILER], "POD_GONE");
    assert.equal(res.complete, true);
  });

  it("ends a follower (NAMESPACE_RELEASED) once the claim is released", async () => {
    const released = await provisionTenant(kc, "streams-rel");
    claim(released, owner);
    await runningPod(kc, released, "web");
    await writeContainerLog("release-me");
    const { res } = await get(
      `/v1/namespaces/${released}/pods/web/log`,
      owner,
      "?follow=true&tail=1",
    );
    await readUntil(res, (t) => t.includes("release-me"));
    claim(released, owner, true);
    await readUntil(res, () => false);
    assert.equal(res.trailers[STREAM_END_TRAILER], "NAMESPACE_RELEASED");
    await core.deleteNamespace({ name: released }).catch(() => undefined);
  });

  it("refuses another tenant's pod (403 NAMESPACE_NOT_OWNED), an unclaimed namespace (404)", async () => {
    assert.deepEqual(await refusal(`/v1/namespaces/${strangerNs}/pods/web/log`), [
      403,
      "NAMESPACE_NOT_OWNED",
    ]);
    assert.deepEqual(await refusal(`/v1/namespaces/${strangerNs}/events`), [
      403,
      "NAMESPACE_NOT_OWNED",
    ]);
    assert.deepEqual(await refusal(`/v1/namespaces/${strangerNs}/pods/web`), [
      403,
      "NAMESPACE_NOT_OWNED",
    ]);
    assert.deepEqual(await refusal("/v1/namespaces/nobody-claimed/pods/web/log"), [
      404,
      "NAMESPACE_NOT_CLAIMED",
    ]);
  });

  it("RBAC as the tenant refuses too: a claimed namespace without the tenant Role gives 403", async () => {
    assert.deepEqual(await refusal(`/v1/namespaces/${unprovisioned}/pods/web/log`), [
      403,
      "STREAM_FORBIDDEN",
    ]);
    assert.deepEqual(await refusal(`/v1/namespaces/${unprovisioned}/events`), [
      403,
      "STREAM_FORBIDDEN",
    ]);
  });

  it("refuses bad options (400), unsigned requests (401), an absent pod (404)", async () => {
    assert.deepEqual(await refusal(`/v1/namespaces/${ns}/pods/web/log`, owner, "?tail=-1"), [
      400,
      "STREAM_BAD_REQUEST",
    ]);
    assert.deepEqual(await refusal(`/v1/namespaces/${ns}/pods/web/log`, owner, "?since=soon"), [
      400,
      "STREAM_BAD_REQUEST",
    ]);
    assert.deepEqual(await refusal(`/v1/namespaces/${ns}/pods/web/log`, owner, "?color=1"), [
      400,
      "STREAM_BAD_REQUEST",
    ]);
    assert.deepEqual(await refusal(`/v1/namespaces/${ns}/pods/absent/log`), [
      404,
      "STREAM_NOT_FOUND",
    ]);
    const unsigned = await fetchOver(api.transport)(`/v1/namespaces/${ns}/events`);
    assert.equal(unsigned.status, 401);
    assert.equal(((await unsigned.json()) as { error: string }).error, "AUTH_MISSING");
  });

  it("limits open streams per tenant (429 STREAM_LIMIT_REACHED) and frees the slot when one ends", async () => {
    await writeContainerLog("limit-probe");
    const held = [
      await get(`/v1/namespaces/${ns}/pods/web/log`, owner, "?follow=true&tail=1"),
      await get(`/v1/namespaces/${ns}/pods/web/log`, owner, "?follow=true&tail=1"),
    ];
    for (const { res } of held) assert.equal(res.statusCode, 200);
    assert.deepEqual(await refusal(`/v1/namespaces/${ns}/pods/web/log`, owner, "?tail=1"), [
      429,
      "STREAM_LIMIT_REACHED",
    ]);
    for (const { res } of held) res.destroy();
    await eventually("slots freed", async () =>
      streams.quota.open(owner.toSuiAddress()) === 0 ? true : undefined,
    );
    const { res, text } = await get(`/v1/namespaces/${ns}/pods/web/log`, owner, "?tail=1");
    assert.equal(res.statusCode, 200);
    await text();
    assert.match(
      await registry.metrics(),
      /k8s_daas_streams_refused_total\{code="STREAM_LIMIT_REACHED"\} 1/,
    );
  });

  it("lists the namespace's events and describes an object with its events", async () => {
    const reason = `Probe${randomBytes(3).toString("hex")}`;
    await core.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { name: `web.${reason.toLowerCase()}`, namespace: ns },
        involvedObject: { kind: "Pod", name: "web", namespace: ns, apiVersion: "v1" },
        reason,
        message: "probe event",
        type: "Normal",
        firstTimestamp: new Date(),
        lastTimestamp: new Date(),
      },
    });
    const events = await get(`/v1/namespaces/${ns}/events`);
    assert.equal(events.res.statusCode, 200);
    const items = (JSON.parse(await events.text()) as { items: { reason: string }[] }).items;
    assert.ok(
      items.some((e) => e.reason === reason),
      "the event is listed",
    );
    const described = await get(`/v1/namespaces/${ns}/pods/web`);
    assert.equal(described.res.statusCode, 200);
    const view = JSON.parse(await described.text()) as {
      object: { metadata: { name: string; managedFields?: unknown } };
      events: { reason: string; involvedObject: { kind: string; name: string } }[];
    };
    assert.equal(view.object.metadata.name, "web");
    assert.equal(view.object.metadata.managedFields, undefined);
    assert.ok(
      view.events.some((e) => e.reason === reason),
      "the probe event is shown",
    );
    for (const event of view.events)
      assert.deepEqual(`${event.involvedObject.kind}/${event.involvedObject.name}`, "Pod/web");
    assert.deepEqual(await refusal(`/v1/namespaces/${ns}/nodes/x`), [400, "STREAM_BAD_REQUEST"]);
  });

  it("ends open followers cleanly (CONTROL_STOPPING trailer) when the control plane stops", async () => {
    await writeContainerLog("stopping");
    const { res } = await get(`/v1/namespaces/${ns}/pods/web/log`, owner, "?follow=true&tail=1");
    await readUntil(res, (t) => t.includes("stopping"));
    const ended = readUntil(res, () => false);
    await api.close();
    await ended;
    assert.equal(res.complete, true);
    assert.equal(res.trailers[STREAM_END_TRAILER], "CONTROL_STOPPING");
  });
});
