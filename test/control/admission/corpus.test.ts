import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ADMISSION_ERRORS, admit } from "../../../src/control/admission/index.ts";
import { ADMISSION_CORPUS, buildAdmissionCorpus } from "./corpus.ts";

describe("admission corpus", () => {
  it("holds at least 200 distinct cases", () => {
    assert.ok(ADMISSION_CORPUS.length >= 200, `only ${ADMISSION_CORPUS.length} cases`);
    const names = new Set(ADMISSION_CORPUS.map((c) => c.name));
    assert.equal(names.size, ADMISSION_CORPUS.length, "case names must be unique");
  });

  it("refuses every case with exactly the expected code and a message", () => {
    const wrong: string[] = [];
    for (const corpusCase of ADMISSION_CORPUS) {
      const result = admit(corpusCase.request);
      if (result.ok) {
        wrong.push(`${corpusCase.name}: admitted`);
      } else if (result.rejection.code !== corpusCase.code) {
        wrong.push(
          `${corpusCase.name}: ${result.rejection.code} instead of ${corpusCase.code} (${result.rejection.message})`,
        );
      } else if (result.rejection.message.trim() === "") {
        wrong.push(`${corpusCase.name}: empty message`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("provokes every error code in the table except the internal one", () => {
    const provoked = new Set(ADMISSION_CORPUS.map((c) => c.code));
    const missing = ADMISSION_ERRORS.map((e) => e.code).filter(
      (code) => code !== "ADMISSION_INTERNAL" && !provoked.has(code),
    );
    assert.deepEqual(missing, []);
  });

  it("names the offending field in pod-spec refusals", () => {
    const hostPath = ADMISSION_CORPUS.find((c) => c.name === "Deployment POST: hostPath volume");
    assert.ok(hostPath);
    const result = admit(hostPath.request);
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? "" : result.rejection.message,
      /spec\.template\.spec\.volumes\[0\]\.hostPath/,
    );
    const cron = ADMISSION_CORPUS.find((c) => c.name === "CronJob POST: privileged init container");
    assert.ok(cron);
    const cronResult = admit(cron.request);
    assert.match(
      cronResult.ok ? "" : cronResult.rejection.message,
      /spec\.jobTemplate\.spec\.template\.spec\.initContainers\[0\]\.securityContext\.privileged/,
    );
  });

  it("can be rebuilt for another tenant namespace, keeping its codes", () => {
    const other = buildAdmissionCorpus("replay-tenant");
    assert.equal(other.length, ADMISSION_CORPUS.length);
    for (const corpusCase of other) {
      const result = admit(corpusCase.request);
      assert.equal(
        result.ok ? "admitted" : result.rejection.code,
        corpusCase.code,
        corpusCase.name,
      );
    }
  });

  it("marks which cases the chain would accept for replay", () => {
    const replayable = ADMISSION_CORPUS.filter((c) => c.onChain);
    assert.ok(replayable.length >= 200, `only ${replayable.length} replayable`);
    const tooLarge = ADMISSION_CORPUS.filter((c) => c.code === "ADMISSION_PAYLOAD_TOO_LARGE");
    assert.ok(tooLarge.length > 0 && tooLarge.every((c) => !c.onChain));
    const reserved = ADMISSION_CORPUS.filter((c) => c.code === "ADMISSION_NAMESPACE_RESERVED");
    assert.ok(reserved.every((c) => !c.onChain));
  });
});
