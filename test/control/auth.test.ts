import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Registry } from "prom-client";
import {
  AuthError,
  CLUSTER_HEADER,
  EXPIRES_HEADER,
  MAX_VALIDITY_MS,
  NONCE_HEADER,
  RequestAuthenticator,
  SIGNATURE_HEADER,
  signedHeaders,
} from "../../src/control/http/auth.ts";
import { type ApiServer, apiHosts, startApiServer } from "../../src/control/http/server.ts";
import { type ControlState, openControlState } from "../../src/control/inbox/index.ts";

const CLUSTER = `0x${"ab".repeat(32)}`;
const OTHER_CLUSTER = `0x${"cd".repeat(32)}`;
const HOST = "127.0.0.1:7000";
const BASE = `http://${HOST}`;

const code = (expected: string) => (error: unknown) =>
  error instanceof AuthError && error.code === expected;

/** What the server sees: the signed headers plus the Host header the request carried. */
const asHeaders = (record: Record<string, string>, host = HOST) => {
  const all: Record<string, string> = { host, ...record };
  return { get: (name: string) => all[name] ?? null };
};

describe("control: signed API requests", () => {
  const key = Ed25519Keypair.generate();
  let clock = 1_800_000_000_000;
  const now = () => clock;
  const authenticator = (max?: number) =>
    new RequestAuthenticator({
      clusterId: CLUSTER,
      hosts: () => apiHosts("127.0.0.1", 7000),
      now,
      ...(max ? { maxRemembered: max } : {}),
    });
  const sign = (
    path: string,
    options: { clusterId?: string; base?: string; validityMs?: number } = {},
  ) =>
    signedHeaders(key, {
      clusterId: options.clusterId ?? CLUSTER,
      method: "GET",
      url: `${options.base ?? BASE}${path}`,
      now: clock,
      ...(options.validityMs ? { validityMs: options.validityMs } : {}),
    });

  it("recovers the signer's address for this control plane, method, path and expiry", async () => {
    const headers = await sign("/v1/requests/7");
    assert.equal(
      await authenticator().verify("GET", "/v1/requests/7", asHeaders(headers)),
      key.toSuiAddress(),
    );
  });

  it("refuses a signature used on another path or method", async () => {
    const auth = authenticator();
    const headers = await sign("/v1/requests/7");
    await assert.rejects(
      auth.verify("GET", "/v1/requests/8", asHeaders(headers)),
      code("AUTH_INVALID"),
    );
    await assert.rejects(
      auth.verify("POST", "/v1/requests/7", asHeaders(headers)),
      code("AUTH_INVALID"),
    );
  });

  it("refuses a header made for another cluster's control plane", async () => {
    const auth = authenticator();
    const headers = await sign("/v1/requests/7", { clusterId: OTHER_CLUSTER });
    await assert.rejects(
      auth.verify("GET", "/v1/requests/7", asHeaders(headers)),
      code("AUTH_WRONG_AUDIENCE"),
    );
    // Without the (advisory) cluster header, the signature itself does not match.
    const { [CLUSTER_HEADER]: _claimed, ...unclaimed } = headers;
    await assert.rejects(
      auth.verify("GET", "/v1/requests/7", asHeaders(unclaimed)),
      code("AUTH_INVALID"),
    );
  });

  it("refuses a header made for another host", async () => {
    const auth = authenticator();
    const headers = await sign("/v1/requests/7", { base: "http://control.other.example:7000" });
    // Replayed with the host it was signed for: not a name of this control plane.
    await assert.rejects(
      auth.verify("GET", "/v1/requests/7", asHeaders(headers, "control.other.example:7000")),
      code("AUTH_WRONG_AUDIENCE"),
    );
    // Replayed with this control plane's host: the signature names the other one.
    await assert.rejects(
      auth.verify("GET", "/v1/requests/7", asHeaders(headers, HOST)),
      code("AUTH_INVALID"),
    );
    // Same machine, another port (another control plane on this host).
    const otherPort = await sign("/v1/requests/7", { base: "http://127.0.0.1:7001" });
    await assert.rejects(
      auth.verify("GET", "/v1/requests/7", asHeaders(otherPort, "127.0.0.1:7001")),
      code("AUTH_WRONG_AUDIENCE"),
    );
  });

  it("accepts a header once: a replay within its validity is refused", async () => {
    const auth = authenticator();
    const headers = await sign("/v1/requests");
    assert.equal(await auth.verify("GET", "/v1/requests", asHeaders(headers)), key.toSuiAddress());
    await assert.rejects(
      auth.verify("GET", "/v1/requests", asHeaders(headers)),
      code("AUTH_REPLAYED"),
    );
    // A freshly signed header for the same request is fine (a new nonce).
    const again = await sign("/v1/requests");
    assert.notEqual(again[NONCE_HEADER], headers[NONCE_HEADER]);
    assert.equal(await auth.verify("GET", "/v1/requests", asHeaders(again)), key.toSuiAddress());
  });

  it("remembers accepted headers only until they expire, and at most the configured number", async () => {
    const auth = authenticator(3);
    for (let i = 0; i < 3; i++)
      await auth.verify(
        "GET",
        "/v1/requests",
        asHeaders(await sign("/v1/requests", { validityMs: 2_000 })),
      );
    assert.equal(auth.remembered, 3);
    const fourth = await sign("/v1/requests", { validityMs: 2_000 });
    await assert.rejects(auth.verify("GET", "/v1/requests", asHeaders(fourth)), code("AUTH_BUSY"));
    clock += 3_000; // all three expired
    const fresh = await sign("/v1/requests", { validityMs: 2_000 });
    assert.equal(await auth.verify("GET", "/v1/requests", asHeaders(fresh)), key.toSuiAddress());
    assert.equal(auth.remembered, 1, "expired entries were dropped");
  });

  it("refuses expired signatures, far-future expiries, bad nonces and missing headers", async () => {
    const auth = authenticator();
    const headers = await sign("/v1/requests", { validityMs: 1_000 });
    clock += 2_000;
    await assert.rejects(
      auth.verify("GET", "/v1/requests", asHeaders(headers)),
      code("AUTH_EXPIRED"),
    );
    const far = { ...headers, [EXPIRES_HEADER]: String(clock + MAX_VALIDITY_MS * 10) };
    await assert.rejects(auth.verify("GET", "/v1/requests", asHeaders(far)), code("AUTH_INVALID"));
    const current = await sign("/v1/requests");
    const badNonce = { ...current, [NONCE_HEADER]: "not-hex" };
    await assert.rejects(
      auth.verify("GET", "/v1/requests", asHeaders(badNonce)),
      code("AUTH_INVALID"),
    );
    await assert.rejects(auth.verify("GET", "/v1/requests", asHeaders({})), code("AUTH_MISSING"));
    const garbage = { ...current, [SIGNATURE_HEADER]: "AAAA" };
    await assert.rejects(
      auth.verify("GET", "/v1/requests", asHeaders(garbage)),
      code("AUTH_INVALID"),
    );
  });
});

describe("control: the API server checks signed headers", () => {
  const key = Ed25519Keypair.generate();
  let state: ControlState;
  let api: ApiServer;
  let port = 0;

  before(async () => {
    state = openControlState(":memory:", { clusterId: CLUSTER });
    api = await startApiServer(
      {
        requests: state.requests,
        registry: new Registry(),
        readiness: [],
        info: { cluster: CLUSTER },
        publicHosts: ["control.example"],
      },
      { host: "127.0.0.1", port: 0 },
    );
    port = Number(new URL(api.url).port);
  });
  after(async () => {
    await api?.close();
    state?.inbox.close();
  });

  /** A GET to this server with an explicit Host header (what a forwarded request carries). */
  function get(path: string, headers: Record<string, string>, host: string) {
    return new Promise<{ status: number; error: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port, path, headers: { ...headers, host } },
        (res) => {
          let text = "";
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, error: JSON.parse(text).error as string }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  it("serves a header signed for its URL once, and refuses the replay", async () => {
    const url = `${api.url}/v1/requests/1`;
    const headers = await signedHeaders(key, { clusterId: CLUSTER, method: "GET", url });
    const first = await fetch(url, { headers });
    assert.equal(first.status, 404, "authenticated: the request is just not this tenant's");
    assert.equal(((await first.json()) as { error: string }).error, "REQUEST_NOT_FOUND");
    const replay = await fetch(url, { headers });
    assert.equal(replay.status, 401);
    assert.equal(((await replay.json()) as { error: string }).error, "AUTH_REPLAYED");
  });

  it("accepts its loopback and public names, and refuses any other host or cluster", async () => {
    const path = "/v1/requests/1";
    for (const host of [`localhost:${port}`, "control.example"]) {
      const headers = await signedHeaders(key, {
        clusterId: CLUSTER,
        method: "GET",
        url: `http://${host}${path}`,
      });
      assert.equal((await get(path, headers, host)).error, "REQUEST_NOT_FOUND", host);
    }
    const elsewhere = await signedHeaders(key, {
      clusterId: CLUSTER,
      method: "GET",
      url: `http://control.other.example${path}`,
    });
    assert.deepEqual(await get(path, elsewhere, "control.other.example"), {
      status: 401,
      error: "AUTH_WRONG_AUDIENCE",
    });
    const otherCluster = await signedHeaders(key, {
      clusterId: OTHER_CLUSTER,
      method: "GET",
      url: `${api.url}${path}`,
    });
    assert.deepEqual(await get(path, otherCluster, `127.0.0.1:${port}`), {
      status: 401,
      error: "AUTH_WRONG_AUDIENCE",
    });
  });
});
