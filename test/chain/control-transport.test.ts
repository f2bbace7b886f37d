// The pinned transport to nautilus-control: a server is trusted when, and only when, its TLS
// key hashes to the hash the cluster's enclave registered on chain — a second control plane
// with another key on the same address is refused before it sees a byte of the request,
// and a rotation on chain moves the pin with it.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Registry } from "prom-client";
import { controlTransport, createCluster, executeSigned } from "../../src/chain/index.ts";
import { signedHeaders } from "../../src/control/http/auth.ts";
import { type ApiServer, startApiServer } from "../../src/control/http/server.ts";
import { type ControlState, openControlState } from "../../src/control/inbox/index.ts";
import {
  type EnclaveSigner,
  type EnclaveTlsKey,
  loadDevEnclaveSigner,
  tlsServerCredentials,
} from "../../src/tee/index.ts";
import { fetchOver } from "../helpers/control-client.ts";
import { type EnclaveChain, openEnclaveChain } from "../helpers/enclave-chain.ts";
import { rotateEnclave } from "../helpers/stack.ts";

let chain: EnclaveChain;
let state: ControlState;
let port = 0;
const tenant = Ed25519Keypair.generate();
const dir = mkdtempSync(join(tmpdir(), "k8s-daas-pin-"));
const newEnclave = (name: string): EnclaveSigner => loadDevEnclaveSigner(join(dir, `${name}.json`));

/** A control plane API served with `tlsKey` on 127.0.0.1:`port` (0: a free one). */
async function serve(tlsKey: EnclaveTlsKey, listenPort = port): Promise<ApiServer> {
  return startApiServer(
    {
      requests: state.requests,
      registry: new Registry(),
      readiness: [],
      info: { cluster: chain.clusterId },
      tls: () => tlsServerCredentials(tlsKey, { dnsNames: [], ipAddresses: ["127.0.0.1"] }),
    },
    { host: "127.0.0.1", port: listenPort },
  );
}

/** A client as the CLI makes one: pinned to what the chain says. */
const pinnedFromChain = () =>
  controlTransport({
    url: `https://127.0.0.1:${port}`,
    pin: { client: chain.client, clusterId: chain.clusterId },
  });

/** A GET that trusts any certificate: what reached the server, seen from outside the pin. */
function unpinnedGet(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; error: string }>((resolve, reject) => {
    const req = httpsRequest(
      { host: "127.0.0.1", port, path, headers, rejectUnauthorized: false },
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

before(async () => {
  chain = await openEnclaveChain();
  state = openControlState(":memory:", { clusterId: chain.clusterId });
});
after(async () => {
  state?.inbox.close();
  await chain?.close();
});

describe("chain: the pinned transport to the control plane", () => {
  it("accepts the control plane serving the registered enclave's TLS key", async () => {
    const api = await serve(chain.enclave.tlsKey, 0);
    port = Number(new URL(api.url).port);
    try {
      assert.match(api.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetchOver(pinnedFromChain())("/healthz");
      assert.equal(health.status, 200);
      const signedUrl = `${api.url}/v1/requests/1`;
      const headers = await signedHeaders(tenant, {
        clusterId: chain.clusterId,
        method: "GET",
        url: signedUrl,
      });
      const reply = await fetchOver(pinnedFromChain())(signedUrl, { headers });
      assert.equal(reply.status, 404, "authenticated: request 1 is just not this tenant's");
    } finally {
      await api.close();
    }
  });

  it("refuses a second control plane with another key on the same address, before it sees the request", async () => {
    const impostor = await serve(newEnclave("impostor").tlsKey);
    try {
      const url = `${impostor.url}/v1/requests/1`;
      const headers = await signedHeaders(tenant, {
        clusterId: chain.clusterId,
        method: "GET",
        url,
      });
      await assert.rejects(fetchOver(pinnedFromChain())(url, { headers }), {
        code: "CONTROL_TLS_KEY_MISMATCH",
        message:
          /presents TLS key sha256 [0-9a-f]{64}, but the cluster's enclave registered [0-9a-f]{64}/,
      });
      await assert.rejects(
        pinnedFromChain().openWebSocket("/v1/namespaces/x/pods/y/exec?command=true", {
          headers,
          protocols: ["v5.channel.k8s.io"],
        }),
        { code: "CONTROL_TLS_KEY_MISMATCH" },
      );
      // The signed header never left the client: the impostor takes it as fresh (a replay
      // would be AUTH_REPLAYED), so no byte of the refused requests reached it.
      assert.deepEqual(await unpinnedGet("/v1/requests/1", headers), {
        status: 404,
        error: "REQUEST_NOT_FOUND",
      });
    } finally {
      await impostor.close();
    }
  });

  it("follows a rotation on chain: the new key is accepted by a client that pinned the old one, the old key refused", async () => {
    const transport = pinnedFromChain();
    const before = await serve(chain.enclave.tlsKey);
    assert.equal((await fetchOver(transport)("/healthz")).status, 200);
    await before.close();

    const next = newEnclave("rotated");
    await rotateEnclave(chain, next);
    chain.enclave = next;
    const rotated = await serve(next.tlsKey);
    try {
      // The same transport held the old hash: the mismatch sends it back to the chain.
      assert.equal((await fetchOver(transport)("/healthz")).status, 200);
      assert.equal((await fetchOver(pinnedFromChain())("/healthz")).status, 200);
    } finally {
      await rotated.close();
    }
    const stale = await serve(newEnclave("impostor").tlsKey);
    try {
      await assert.rejects(fetchOver(transport)("/healthz"), { code: "CONTROL_TLS_KEY_MISMATCH" });
    } finally {
      await stale.close();
    }
  });

  it("trusts no control plane of a cluster with no enclave key registered", async () => {
    const execute = (build: Parameters<typeof executeSigned>[2]) =>
      executeSigned(chain.client, chain.admin, build);
    const bare = await createCluster(execute, chain.packageId, "bare");
    const api = await serve(chain.enclave.tlsKey);
    try {
      const transport = controlTransport({
        url: api.url,
        pin: { client: chain.client, clusterId: bare.clusterId },
      });
      await assert.rejects(fetchOver(transport)("/healthz"), {
        code: "CONTROL_TLS_KEY_UNREGISTERED",
      });
    } finally {
      await api.close();
    }
  });

  it("takes plain HTTP only when asked explicitly", async () => {
    const pin = { client: chain.client, clusterId: chain.clusterId };
    assert.throws(() => controlTransport({ url: "http://127.0.0.1:1", pin }), {
      code: "CONTROL_PLAINTEXT_REFUSED",
    });
    assert.throws(() => controlTransport({ url: "ftp://127.0.0.1:1", pin }), {
      code: "CONTROL_URL_INVALID",
    });
    const plain = await startApiServer(
      {
        requests: state.requests,
        registry: new Registry(),
        readiness: [],
        info: { cluster: chain.clusterId },
      },
      { host: "127.0.0.1", port: 0 },
    );
    try {
      assert.match(plain.url, /^http:\/\//);
      const transport = controlTransport({ url: plain.url, pin, insecureHttp: true });
      assert.equal(transport.pinned, false);
      assert.equal((await fetchOver(transport)("/healthz")).status, 200);
    } finally {
      await plain.close();
    }
  });

  it("sends nothing to another server than the one it pins", async () => {
    const transport = pinnedFromChain();
    await assert.rejects(transport.request("https://example.com/healthz"), {
      code: "CONTROL_URL_INVALID",
    });
  });
});
