// The binding check on its own: which Node objects count as a worker's, and which Node a
// real worker's agent may have registered for it. (The attack suite runs the same checks
// against the API server.)
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  adoptionRefusal,
  bindingMetadata,
  bindingMismatch,
  type NodeBinding,
  type NodeObject,
} from "../../src/control/workers/node-binding.ts";
import { LABEL_JOIN_TOKEN_ID } from "../../src/k8s/index.ts";

const binding: NodeBinding = {
  clusterId: `0x${"ab".repeat(32)}`,
  nodeId: "w1",
  registration: "Digest1:0",
};

function bound(to: NodeBinding, extra: NodeObject["metadata"] = {}): NodeObject {
  const { labels, annotations } = bindingMetadata(to);
  return {
    metadata: {
      name: to.nodeId,
      uid: "uid-1",
      ...extra,
      labels: { ...labels, ...extra.labels },
      annotations: { ...annotations, ...extra.annotations },
    },
  };
}

test("a Node is the worker's only with this cluster, node id and registration", () => {
  assert.equal(bindingMismatch(bound(binding), binding), undefined);
  assert.match(
    bindingMismatch(
      { metadata: { name: "w1", labels: { "kubernetes.io/hostname": "w1" } } },
      binding,
    ) ?? "",
    /was not created for a k8s_daas worker/,
  );
  assert.match(
    bindingMismatch(bound({ ...binding, clusterId: `0x${"cd".repeat(32)}` }), binding) ?? "",
    /another k8s_daas cluster/,
  );
  assert.match(
    bindingMismatch(bound({ ...binding, registration: "Digest0:2" }), binding) ?? "",
    /earlier registration/,
  );
  // The annotation says this cluster, the selection label another one: not trusted.
  const forged = bound(binding, { labels: { "k8s-daas.io/cluster": "someone-else" } });
  assert.match(bindingMismatch(forged, binding) ?? "", /disagrees/);
});

test("once its uid is recorded, the uid alone decides", () => {
  const recorded = { ...binding, nodeUid: "uid-1" };
  const stripped: NodeObject = { metadata: { name: "w1", uid: "uid-1" } };
  assert.equal(bindingMismatch(stripped, recorded), undefined, "labels edited by its kubelet");
  assert.match(
    bindingMismatch(bound(binding, { uid: "uid-2" }), recorded) ?? "",
    /is not the node bound/,
    "a Node re-created under the name is another Node",
  );
});

test("an agent's Node is adopted only when it names a token issued for this registration", () => {
  const issued = new Set(["tok123"]);
  const registered = (labels: Record<string, string>): NodeObject => ({
    metadata: { name: "w1", uid: "uid-9", labels },
  });
  assert.equal(
    adoptionRefusal(registered({ [LABEL_JOIN_TOKEN_ID]: "tok123" }), binding, issued),
    undefined,
  );
  assert.match(
    adoptionRefusal(registered({ [LABEL_JOIN_TOKEN_ID]: "zzz999" }), binding, issued) ?? "",
    /did not join with a token issued/,
  );
  assert.match(adoptionRefusal(registered({}), binding, issued) ?? "", /did not join/);
  // Bound to someone else already: never taken over, whatever token it names.
  const theirs = bound(
    { ...binding, clusterId: `0x${"cd".repeat(32)}` },
    {
      labels: { [LABEL_JOIN_TOKEN_ID]: "tok123" },
    },
  );
  assert.match(adoptionRefusal(theirs, binding, issued) ?? "", /another k8s_daas cluster/);
  // Bound to this registration (adopted before a crash): adopted again.
  assert.equal(adoptionRefusal(bound(binding), binding, issued), undefined);
});
