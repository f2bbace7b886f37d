// Reads through the gateway as raw HTTP (what informers do): discovery filtered to what
// tenants may use, and a watch resumed from a list's resourceVersion, streamed chunked.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { type GatewayRig, openGatewayRig } from "./fixture.ts";

describe("reads through the gateway", () => {
  let rig: GatewayRig;
  let ns: string;

  const write = (name: string) =>
    fetch(`${rig.gateway.url}/api/v1/namespaces/${ns}/configmaps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } }),
    });

  before(async () => {
    rig = await openGatewayRig("gw-reads");
    ns = rig.tenant.namespace;
    // The first write provisions the namespace.
    assert.equal((await write("first")).status, 201);
  });
  after(() => rig?.close());

  it("discovery shows the tenant kinds only", async () => {
    const before = await rig.chainCounts();
    const groups = (await (await fetch(`${rig.gateway.url}/apis`)).json()) as {
      groups: { name: string }[];
    };
    const names = groups.groups.map((group) => group.name);
    assert.ok(names.includes("apps"));
    assert.ok(!names.includes("rbac.authorization.k8s.io"), names.join(", "));
    assert.deepEqual(await rig.chainCounts(), before);
  });

  it("a watch from a list's resourceVersion streams what was written since, chunked", async () => {
    const list = (await (
      await fetch(`${rig.gateway.url}/api/v1/namespaces/${ns}/configmaps`)
    ).json()) as { metadata: { resourceVersion: string } };
    assert.equal((await write("after-list")).status, 201);
    const url = `${rig.gateway.url}/api/v1/namespaces/${ns}/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`;
    const { headers, firstEvent } = await new Promise<{
      headers: Record<string, unknown>;
      firstEvent: { type: string; object: { metadata: { name: string } } };
    }>((resolve, reject) => {
      const req = request(url, (res) => {
        let pending = "";
        res.on("data", (chunk: Buffer) => {
          pending += chunk.toString();
          const line = pending.split("\n")[0];
          if (pending.includes("\n") && line) {
            resolve({ headers: res.headers, firstEvent: JSON.parse(line) });
            req.destroy();
          }
        });
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(headers["transfer-encoding"], "chunked");
    assert.equal(firstEvent.type, "ADDED");
    assert.equal(firstEvent.object.metadata.name, "after-list");
  });
});
