import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ADMISSION_ERRORS } from "../../../src/control/admission/index.ts";

describe("ADMISSION_ERRORS", () => {
  it("has unique, prefixed SCREAMING_SNAKE codes", () => {
    const codes = ADMISSION_ERRORS.map((e) => e.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.match(code, /^ADMISSION_[A-Z0-9]+(_[A-Z0-9]+)*$/);
  });

  it("uses HTTP-like status codes and says something for each", () => {
    for (const { code, statusCode, message } of ADMISSION_ERRORS) {
      assert.ok([400, 403, 404, 413, 422, 500].includes(statusCode), `${code}: ${statusCode}`);
      assert.ok(message.length > 0, code);
    }
    const internal = ADMISSION_ERRORS.filter((e) => e.statusCode >= 500).map((e) => e.code);
    assert.deepEqual(internal, ["ADMISSION_INTERNAL"]);
  });
});
