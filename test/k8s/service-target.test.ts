import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isK8sError, pickServiceTarget, serviceSelector } from "../../src/k8s/index.ts";

// How `port-forward svc/NAME PORT` picks its pod and pod port, as kubectl does.

const service = (targetPort?: number | string) => ({
  metadata: { name: "web" },
  spec: {
    selector: { app: "web", tier: "front" },
    ports: [
      { name: "metrics", port: 9090, targetPort: 9100 },
      { name: "http", port: 80, ...(targetPort === undefined ? {} : { targetPort }) },
    ],
  },
});

const pod = (
  name: string,
  created: string,
  options: { ready?: boolean; deleting?: boolean } = {},
) => ({
  metadata: {
    name,
    creationTimestamp: created,
    ...(options.deleting ? { deletionTimestamp: "2026-11-30T00:00:09Z" } : {}),
  },
  spec: { containers: [{ ports: [{ name: "web-port", containerPort: 8080 }] }] },
  status: {
    phase: "Running",
    conditions: [{ type: "Ready", status: options.ready === false ? "False" : "True" }],
  },
});

const pods = [
  pod("newest", "2026-11-30T00:00:03Z"),
  pod("not-ready", "2026-11-30T00:00:00Z", { ready: false }),
  pod("going", "2026-11-30T00:00:01Z", { deleting: true }),
  pod("oldest-ready", "2026-11-30T00:00:02Z"),
];

describe("port-forward to a Service: which pod, which port", () => {
  it("takes the oldest ready pod not being deleted, and the Service port's numeric targetPort", () => {
    assert.deepEqual(pickServiceTarget(service(8081), pods, 80), {
      pod: "oldest-ready",
      port: 8081,
    });
    assert.deepEqual(pickServiceTarget(service("8082"), pods, 80), {
      pod: "oldest-ready",
      port: 8082,
    });
    assert.deepEqual(pickServiceTarget(service(), pods, 80), { pod: "oldest-ready", port: 80 });
    assert.deepEqual(pickServiceTarget(service(), pods, 9090), { pod: "oldest-ready", port: 9100 });
  });

  it("looks a named targetPort up in the chosen pod's containers", () => {
    assert.deepEqual(pickServiceTarget(service("web-port"), pods, 80), {
      pod: "oldest-ready",
      port: 8080,
    });
    assert.throws(
      () => pickServiceTarget(service("admin"), pods, 80),
      (error) => isK8sError(error, "K8S_BAD_REQUEST") && /"admin"/.test(error.message),
    );
  });

  it("refuses a port the Service lacks, a Service with no ready pod, and one without a selector", () => {
    assert.throws(
      () => pickServiceTarget(service(), pods, 443),
      (error) =>
        isK8sError(error, "K8S_BAD_REQUEST") &&
        /has no port 443 \(it has: 9090, 80\)/.test(error.message),
    );
    assert.throws(
      () => pickServiceTarget(service(), [pods[1], pods[2]], 80),
      (error) => isK8sError(error, "K8S_UNAVAILABLE") && /no ready pod/.test(error.message),
    );
    assert.equal(serviceSelector(service()), "app=web,tier=front");
    assert.throws(
      () => serviceSelector({ metadata: { name: "external" }, spec: {} }),
      (error) => isK8sError(error, "K8S_BAD_REQUEST") && /no selector/.test(error.message),
    );
  });
});
