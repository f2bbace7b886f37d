// Admission of a Secret that references a Seal blob: the one reserved annotation a tenant
// may set, only on a whole Secret, and only without data of its own.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admit } from "../../../src/control/admission/index.ts";
import { SEALED_SECRET_ANNOTATION, sealedSecretManifest } from "../../../src/protocol/index.ts";
import { NAMESPACE, request } from "./requests.ts";

const BLOB = new Uint8Array([0, 1, 2, 3, 250, 251]);

function refusal(payload: unknown, method = "POST", resource = "secrets", name = "db") {
  const result = admit(request(method, resource, name, JSON.stringify(payload)));
  assert.equal(result.ok, false, "expected a refusal");
  return result.ok ? assert.fail() : result.rejection;
}

describe("admission: Secrets that reference a Seal blob", () => {
  it("admits the manifest secret create makes, the blob annotation kept for the control plane", () => {
    const manifest = sealedSecretManifest({ name: "db", namespace: NAMESPACE, blob: BLOB });
    const result = admit(request("POST", "secrets", "db", JSON.stringify(manifest)));
    assert.ok(result.ok, result.ok ? "" : result.rejection.message);
    const operation = result.operation;
    assert.equal(operation.kind, "apply");
    if (operation.kind !== "apply") return;
    const annotations = operation.object.metadata.annotations as Record<string, string>;
    assert.equal(annotations[SEALED_SECRET_ANNOTATION], Buffer.from(BLOB).toString("base64"));
    assert.equal(operation.object.data, undefined);
  });

  it("refuses data or stringData beside the blob", () => {
    const manifest = sealedSecretManifest({ name: "db", namespace: NAMESPACE, blob: BLOB });
    for (const field of ["data", "stringData"]) {
      const rejected = refusal({ ...manifest, [field]: { password: "cGFzcw==" } });
      assert.equal(rejected.code, "ADMISSION_SEALED_SECRET_INVALID", field);
      assert.equal(rejected.statusCode, 422);
    }
  });

  it("refuses a blob that is not base64", () => {
    const manifest = sealedSecretManifest({ name: "db", namespace: NAMESPACE, blob: BLOB });
    const broken = {
      ...manifest,
      metadata: { name: "db", annotations: { [SEALED_SECRET_ANNOTATION]: "not base64!" } },
    };
    assert.equal(refusal(broken).code, "ADMISSION_SEALED_SECRET_INVALID");
  });

  it("keeps the annotation reserved on every other kind and in patches", () => {
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "db", annotations: { [SEALED_SECRET_ANNOTATION]: "AAEC" } },
    };
    assert.equal(refusal(configMap, "POST", "configmaps").code, "ADMISSION_RESERVED_KEY");
    const patch = { metadata: { annotations: { [SEALED_SECRET_ANNOTATION]: "AAEC" } } };
    assert.equal(refusal(patch, "PATCH").code, "ADMISSION_RESERVED_KEY");
  });
});
