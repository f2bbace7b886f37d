import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ANNOTATION_REQUEST_ID,
  FIELD_MANAGER,
  requestIdOf,
  requestIdWrittenByUs,
  withRequestId,
} from "../../src/k8s/index.ts";

describe("request-id annotation", () => {
  it("is added to an object without metadata annotations, leaving the input untouched", () => {
    const object = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "a", labels: { x: "y" } },
    };
    const stamped = withRequestId(object, 42n);
    assert.deepEqual(stamped.metadata, {
      name: "a",
      labels: { x: "y" },
      annotations: { [ANNOTATION_REQUEST_ID]: "42" },
    });
    assert.equal("annotations" in object.metadata, false);
  });

  it("overwrites a value the tenant put under our key and keeps their other annotations", () => {
    const patch = { metadata: { annotations: { [ANNOTATION_REQUEST_ID]: "1", note: "hi" } } };
    assert.deepEqual(withRequestId(patch, 18446744073709551615n).metadata.annotations, {
      [ANNOTATION_REQUEST_ID]: "18446744073709551615",
      note: "hi",
    });
  });

  it("reads only well-formed decimal ids", () => {
    const withValue = (value: unknown) => ({
      metadata: { annotations: { [ANNOTATION_REQUEST_ID]: value } },
    });
    assert.equal(requestIdOf(withValue("7")), 7n);
    for (const bad of ["", "07", "-1", "0x10", "1e3", 7, "1".repeat(21)]) {
      assert.equal(requestIdOf(withValue(bad)), undefined, String(bad));
    }
    assert.equal(requestIdOf({}), undefined);
  });

  it("counts as ours only when our field manager owns the annotation", () => {
    const owned = (manager: string) => ({
      metadata: {
        managedFields: [
          {
            manager,
            operation: "Apply",
            fieldsV1: { "f:metadata": { "f:annotations": { [`f:${ANNOTATION_REQUEST_ID}`]: {} } } },
          },
        ],
      },
    });
    assert.equal(requestIdWrittenByUs(owned(FIELD_MANAGER)), true);
    assert.equal(requestIdWrittenByUs(owned("kube-controller-manager")), false);
    assert.equal(requestIdWrittenByUs({ metadata: {} }), false);
  });
});
