import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  admit,
  checkResolved,
  DEFAULT_ADMISSION_POLICY,
  isKubeWriteRequest,
} from "../../../src/control/admission/index.ts";
import { tenantResource } from "../../../src/k8s/resources.ts";
import {
  decodeKubeWrite,
  encodeKubeWrite,
  type KubeWrite,
  KubeWriteError,
} from "../../../src/protocol/index.ts";
import { NAMESPACE, request } from "./requests.ts";

const envelope = (fields: Omit<KubeWrite, "apiVersion" | "kind">): KubeWrite => ({
  apiVersion: "k8s-daas.io/v1",
  kind: "KubeWrite",
  ...fields,
});

describe("KubeWrite admission", () => {
  it("decodes once, with a stable code, and encodes what it decodes", () => {
    const write = envelope({
      verb: "patch",
      patchType: "json",
      body: [{ op: "remove", path: "/a" }],
    });
    assert.deepEqual(
      decodeKubeWrite(JSON.parse(new TextDecoder().decode(encodeKubeWrite(write)))),
      write,
    );
    assert.throws(
      () => decodeKubeWrite({ ...write, verb: "replace" }),
      (error: unknown) => error instanceof KubeWriteError && error.code === "KUBE_WRITE_INVALID",
    );
    const { patchType: _dropped, ...untyped } = write;
    assert.throws(() => encodeKubeWrite(untyped), KubeWriteError);
  });

  it("admits a Helm release Secret (type helm.sh/release.v1, owner=helm) as a real create", () => {
    const name = "sh.helm.release.v1.web.v1";
    const result = admit(
      request(
        "POST",
        "secrets",
        name,
        encodeKubeWrite(
          envelope({
            verb: "create",
            fieldManager: "helm",
            body: {
              apiVersion: "v1",
              kind: "Secret",
              type: "helm.sh/release.v1",
              metadata: {
                name,
                labels: { owner: "helm", name: "web", status: "deployed", version: "1" },
              },
              data: { release: "SDRzSUFBQUFBQUFBLw==" },
            },
          }),
        ),
      ),
    );
    assert.ok(result.ok, result.ok ? "" : result.rejection.message);
    assert.equal(result.operation.kind, "create");
  });

  it("admits a scale patch, a deletecollection and a delete with options as their own operations", () => {
    const scale = admit(
      request(
        "PATCH",
        "deployments.apps/scale",
        "web",
        encodeKubeWrite(
          envelope({
            verb: "patch",
            subresource: "scale",
            patchType: "merge",
            body: { spec: { replicas: 3 } },
          }),
        ),
      ),
    );
    assert.ok(
      scale.ok && scale.operation.kind === "typed-patch" && scale.operation.subresource === "scale",
    );
    const collection = admit(
      request(
        "DELETE",
        "configmaps",
        "",
        encodeKubeWrite(envelope({ verb: "deletecollection", labelSelector: "app=web" })),
      ),
    );
    assert.ok(collection.ok && collection.operation.kind === "delete-collection");
    const deletion = admit(
      request(
        "DELETE",
        "pods",
        "p",
        encodeKubeWrite(
          envelope({
            verb: "delete",
            body: { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 },
          }),
        ),
      ),
    );
    assert.ok(deletion.ok && deletion.operation.kind === "delete-with-options");
    assert.deepEqual(
      deletion.ok &&
        deletion.operation.kind === "delete-with-options" &&
        deletion.operation.options,
      {
        gracePeriodSeconds: 0,
      },
    );
  });

  it("tells KubeWrite requests from manifests (their refusals are Kubernetes Status bodies)", () => {
    assert.equal(
      isKubeWriteRequest(
        request("DELETE", "pods", "p", encodeKubeWrite(envelope({ verb: "delete" }))),
      ),
      true,
    );
    assert.equal(isKubeWriteRequest(request("POST", "configmaps", "cm", "data: {a: b}\n")), false);
    assert.equal(isKubeWriteRequest(request("GET", "pods", "p")), false);
  });

  it("judges a resolved object: server fields and the request id are not the tenant's, changed finalizers are refused", () => {
    const type = tenantResource("configmaps");
    assert.ok(type);
    const live = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "cm",
        namespace: NAMESPACE,
        uid: "u-1",
        resourceVersion: "12",
        creationTimestamp: "2026-01-01T00:00:00Z",
        managedFields: [{ manager: "k8s-daas" }],
        annotations: { "k8s-daas.io/request-id": "7" },
      },
      data: { a: "1" },
    };
    const target = { resource: type, namespace: NAMESPACE, name: "cm" };
    const judged = checkResolved(
      target,
      { ...live, data: { a: "2" } },
      live,
      DEFAULT_ADMISSION_POLICY,
    );
    assert.ok(judged.ok);
    assert.deepEqual(judged.ok && judged.object, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm", namespace: NAMESPACE, annotations: {} },
      data: { a: "2" },
    });
    const pinned = checkResolved(
      target,
      { ...live, metadata: { ...live.metadata, finalizers: ["example.com/pin"] } },
      live,
      DEFAULT_ADMISSION_POLICY,
    );
    assert.equal(pinned.ok ? "" : pinned.code, "ADMISSION_METADATA_FIELD");
  });
});
