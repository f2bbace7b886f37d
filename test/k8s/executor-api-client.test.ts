import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { impersonatingConfig, isK8sError, KubeApiClient } from "../../src/k8s/index.ts";
import { applyObject, tenantApiResource } from "../../src/k8s/objects.ts";
import { resourceType } from "./executor-fixtures.ts";

// The client's own contract, against a scripted HTTP server: what goes on the wire and how
// answers that a healthy API server rarely gives are read.

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let reply: (response: ServerResponse) => void = (response) => response.end();
const seen: Seen[] = [];
const server = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => {
    body += chunk;
  });
  request.on("end", () => {
    seen.push({
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      body,
    });
    reply(response);
  });
});
let config: KubeConfig;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address && typeof address === "object");
  config = new KubeConfig();
  config.loadFromClusterAndUser(
    { name: "scripted", server: `http://127.0.0.1:${address.port}`, skipTLSVerify: true },
    { name: "admin", token: "not-a-real-token" },
  );
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
  reply = (response) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify(body));
  };
};

describe("KubeApiClient", () => {
  it("sends an apply byte-for-byte as admitted, unknown fields included, as the impersonated user", async () => {
    const client = new KubeApiClient(
      impersonatingConfig(config, "system:serviceaccount:a:k8s-daas-tenant"),
    );
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "a", creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: { containers: [{ name: "c", image: "i", fieldFromTheFuture: { x: 1 } }] },
    };
    json(201, pod);
    seen.length = 0;
    const answer = await applyObject(client, tenantApiResource(resourceType("pods")), pod, {
      force: true,
    });
    assert.deepEqual(answer, { statusCode: 201, body: pod });
    const [request] = seen;
    assert.ok(request);
    assert.equal(request.method, "PATCH");
    assert.equal(request.url, "/api/v1/namespaces/a/pods/web?fieldManager=k8s-daas&force=true");
    assert.equal(request.headers["content-type"], "application/apply-patch+yaml");
    assert.equal(request.headers["impersonate-user"], "system:serviceaccount:a:k8s-daas-tenant");
    assert.deepEqual(JSON.parse(request.body), pod);
  });

  it("reads a 429's Status and Retry-After", async () => {
    json(
      429,
      {
        kind: "Status",
        status: "Failure",
        message: "too many requests",
        reason: "TooManyRequests",
        code: 429,
      },
      {
        "retry-after": "3",
      },
    );
    await assert.rejects(
      new KubeApiClient(config).request("GET", "/api/v1/namespaces"),
      (error) => {
        assert.ok(isK8sError(error, "K8S_TOO_MANY_REQUESTS"));
        assert.equal(error.statusCode, 429);
        assert.equal(error.retryAfterMs, 3000);
        assert.equal(error.message, "too many requests");
        return true;
      },
    );
  });

  it("keeps a plain-text error body as the message", async () => {
    reply = (response) => {
      response.writeHead(502, { "content-type": "text/plain" });
      response.end("upstream connect error");
    };
    await assert.rejects(new KubeApiClient(config).request("GET", "/version"), (error) => {
      assert.ok(isK8sError(error, "K8S_UNAVAILABLE"));
      assert.equal(error.message, "upstream connect error");
      return true;
    });
  });

  it("refuses a success answer that is not JSON", async () => {
    reply = (response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html>proxy login</html>");
    };
    await assert.rejects(new KubeApiClient(config).request("GET", "/version"), (error) =>
      isK8sError(error, "K8S_RESPONSE_INVALID"),
    );
  });
});
