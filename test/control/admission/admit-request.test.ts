// Admission as the pipeline runs it: ownership, suspension, policy, placement, in that order.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitRequest } from "../../../src/control/admission/index.ts";
import type { NamespaceClaim } from "../../../src/control/inbox/index.ts";
import { NAMESPACE, request } from "./requests.ts";

const claim: NamespaceClaim = {
  namespace: NAMESPACE,
  owner: "0x2",
  capId: `0x${"c1".repeat(32)}`,
  released: false,
};
const configMap = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", data: { a: "b" } });
const context = { claim, clusterId: "0x1", placeOnWorkers: false };

describe("admitRequest", () => {
  it("refuses before the payload is read: an unclaimed, released or foreign namespace", () => {
    const refusal = (c: NamespaceClaim | undefined, requester = "0x2") => {
      const result = admitRequest(
        { ...request("POST", "configmaps", "x", "{not even yaml"), requester },
        { ...context, claim: c },
      );
      return result.ok ? "admitted" : result.rejection.code;
    };
    assert.equal(refusal(undefined), "NAMESPACE_NOT_CLAIMED");
    assert.equal(refusal({ ...claim, released: true }), "NAMESPACE_NOT_CLAIMED");
    assert.equal(refusal(claim, "0x3"), "NAMESPACE_NOT_OWNED");
  });

  it("refuses writes to a suspended namespace (402), still lets the tenant read and delete", () => {
    const suspended = { ...context, suspended: true };
    const write = admitRequest(request("POST", "configmaps", "x", configMap), suspended);
    assert.equal(write.ok, false);
    assert.equal(!write.ok && write.rejection.code, "NAMESPACE_SUSPENDED");
    assert.equal(!write.ok && write.rejection.statusCode, 402);
    assert.match(!write.ok ? write.rejection.message : "", /escrow deposit AMOUNT -n team-a/);
    const patch = admitRequest(
      request("PATCH", "configmaps", "x", '{"data":{"a":"c"}}'),
      suspended,
    );
    assert.equal(!patch.ok && patch.rejection.code, "NAMESPACE_SUSPENDED");
    assert.equal(admitRequest(request("GET", "configmaps", "x"), suspended).ok, true);
    assert.equal(admitRequest(request("DELETE", "configmaps", "x"), suspended).ok, true);
    assert.equal(admitRequest(request("POST", "configmaps", "x", configMap), context).ok, true);
  });

  it("pins pod templates to active workers only when placement is on", () => {
    const pod = JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      spec: { containers: [{ name: "c", image: "nginx:1.27" }] },
    });
    const selectorOf = (placeOnWorkers: boolean) => {
      const result = admitRequest(request("POST", "pods", "p", pod), {
        ...context,
        placeOnWorkers,
      });
      assert.ok(result.ok && result.operation.kind === "apply");
      return (result.operation.object.spec as { nodeSelector?: Record<string, string> })
        .nodeSelector;
    };
    assert.equal(selectorOf(false), undefined);
    assert.equal(selectorOf(true)?.["k8s-daas.io/worker-active"], "true");
  });
});
