import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  countLabel,
  errorCodeForStatus,
  K8sError,
  objectLabel,
  tenantResource,
} from "../../src/k8s/index.ts";
import { failure } from "../../src/k8s/outcomes.ts";

const type = (name: string) => {
  const found = tenantResource(name);
  assert.ok(found, name);
  return found;
};

describe("result summaries", () => {
  it("names objects like kubectl", () => {
    assert.equal(objectLabel(type("pods"), "web"), "pod/web");
    assert.equal(objectLabel(type("deployments"), "api"), "deployment.apps/api");
    assert.equal(objectLabel(type("ingresses"), "www"), "ingress.networking.k8s.io/www");
  });

  it("counts lists", () => {
    assert.equal(countLabel(type("pods"), 0), "0 pods");
    assert.equal(countLabel(type("pods"), 1), "1 pod");
    assert.equal(countLabel(type("deployments"), 3), "3 deployments");
  });
});

describe("failure outcomes", () => {
  it("keeps the API server's status code, message and Status object", () => {
    const status = {
      kind: "Status",
      message: 'pods "web" not found',
      reason: "NotFound",
      code: 404,
    };
    const outcome = failure(
      new K8sError(errorCodeForStatus(404), status.message, { statusCode: 404, status }),
    );
    assert.deepEqual(outcome, {
      statusCode: 404,
      errorCode: "K8S_NOT_FOUND",
      summary: 'pods "web" not found',
      output: status,
    });
  });

  it("reports an unreachable API server as 503 K8S_UNAVAILABLE", () => {
    const outcome = failure(new K8sError("K8S_TRANSPORT", "fetch failed: connect ECONNREFUSED"));
    assert.equal(outcome.statusCode, 503);
    assert.equal(outcome.errorCode, "K8S_UNAVAILABLE");
  });

  it("reports anything unexpected as our fault, on one line", () => {
    const outcome = failure(new TypeError("x is undefined\n  at somewhere"));
    assert.equal(outcome.statusCode, 500);
    assert.equal(outcome.errorCode, "K8S_INTERNAL");
    assert.equal(outcome.summary, "internal error: x is undefined at somewhere");
  });

  it("maps statuses to stable codes", () => {
    assert.equal(errorCodeForStatus(403), "K8S_FORBIDDEN");
    assert.equal(errorCodeForStatus(409), "K8S_CONFLICT");
    assert.equal(errorCodeForStatus(409, "AlreadyExists"), "K8S_ALREADY_EXISTS");
    assert.equal(errorCodeForStatus(422), "K8S_INVALID");
    assert.equal(errorCodeForStatus(503), "K8S_UNAVAILABLE");
    assert.equal(errorCodeForStatus(418), "K8S_CLIENT_ERROR");
    assert.equal(errorCodeForStatus(507), "K8S_SERVER_ERROR");
  });
});
