// The conformance checker: every Move unit test (move/tests) has a TS twin in this folder,
// named after it, that expects the same abort; and every abort constant of the package is
// raised by some twin. Twins name an abort as the literal pair `"module", "EConstant"`
// (the arguments of `expectAbort`), which is what this file reads.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ABORT_CODES } from "../../src/protocol/index.ts";
import { moveTests } from "./move-tests.ts";

/** Move tests that cannot have a twin on the devnet, and why. */
const WITHOUT_TWIN: Record<string, string> = {
  // The WASM Move test runner runs `load_nitro_attestation` with the feature off (it aborts
  // ENotSupportedError); the devnet's twin of the native verifies the document, so the same
  // call reaches `register_enclave` there: the_example_document_itself_carries_no_user_data_
  // and_is_refused is that path's twin.
  "enclave_tests::the_test_runner_lacks_the_nitro_attestation_native":
    "Move test runner limitation",
  // BCS of a value built by a package-internal constructor (`events::new_request_event`);
  // test/protocol/golden.test.ts checks the TS side of the same vector, and the twin of
  // `emitted_create_pod_event_matches_golden_vector` checks what the devnet emits.
  "golden_tests::request_event_bcs_matches_golden_vector": "pure BCS helper",
};

/** Abort constants no twin can raise, and why. */
const NOT_RAISED: Record<string, string> = {};

interface Twin {
  readonly name: string;
  readonly file: string;
  /** `module::EConstant` pairs named in the twin's body. */
  readonly aborts: readonly string[];
}

const MODULES = [...new Set(ABORT_CODES.map((info) => info.module))].join("|");
const ABORT_PAIR = new RegExp(`"(${MODULES})",\\s*"(E\\w+)"`, "g");
const TWIN = /\btwin\(\s*"(\w+::\w+)"/g;

/** Every `twin("<module>_tests::<fn>", ...)` of the test files here, with its aborts. */
function twins(): Twin[] {
  const dir = import.meta.dirname;
  return readdirSync(dir)
    .filter((file) => file.endsWith(".test.ts") && file !== "coverage.test.ts")
    .flatMap((file) => {
      const text = readFileSync(join(dir, file), "utf8");
      const starts = [...text.matchAll(TWIN)];
      return starts.map((match, i) => {
        const body = text.slice(match.index, starts[i + 1]?.index ?? text.length);
        return {
          name: match[1] as string,
          file,
          aborts: [...body.matchAll(ABORT_PAIR)].map((pair) => `${pair[1]}::${pair[2]}`),
        };
      });
    });
}

describe("conformance: every Move test has a TS twin", () => {
  const tests = moveTests();
  const found = twins();
  const byName = new Map(found.map((twin) => [twin.name, twin]));

  it("reads the Move tests and the twins", () => {
    assert.ok(tests.length >= 100, `found ${tests.length} Move tests`);
    assert.ok(found.length >= 90, `found ${found.length} twins`);
  });

  it("each Move test has a twin of the same name, or a reason in the allow-list", () => {
    const missing = tests
      .map((test) => test.name)
      .filter((name) => !byName.has(name) && !(name in WITHOUT_TWIN));
    assert.deepEqual(
      missing,
      [],
      'Move tests without a TS twin: add `twin("<name>", ...)` replaying it to test/conformance/<module>.test.ts (or, if the devnet cannot run it, a reason to WITHOUT_TWIN)',
    );
  });

  it("each twin and allow-list entry names an existing Move test, once", () => {
    const names = new Set(tests.map((test) => test.name));
    const stale = [...found.map((twin) => twin.name), ...Object.keys(WITHOUT_TWIN)].filter(
      (name) => !names.has(name),
    );
    assert.deepEqual(stale, [], "twins or allow-list entries of no Move test");
    const seen = found.map((twin) => twin.name);
    assert.deepEqual(
      seen.filter((name, i) => seen.indexOf(name) !== i),
      [],
      "Move tests with two twins",
    );
    assert.deepEqual(
      Object.keys(WITHOUT_TWIN).filter((name) => byName.has(name)),
      [],
      "allow-listed Move tests that have a twin after all",
    );
  });

  it("the twin of an expected_failure test expects the same abort", () => {
    const mismatched = tests.flatMap((test) => {
      const twin = byName.get(test.name);
      if (!twin || !test.expectedAbort) return [];
      const expected = `${test.expectedAbort.module}::${test.expectedAbort.constant}`;
      return twin.aborts.includes(expected) ? [] : [`${test.name} expects ${expected}`];
    });
    assert.deepEqual(mismatched, []);
  });

  it("every abort constant of ABORT_CODES is raised by some twin", () => {
    const raised = new Set(found.flatMap((twin) => twin.aborts));
    const unknown = [...raised].filter(
      (pair) => !ABORT_CODES.some((info) => `${info.module}::${info.name}` === pair),
    );
    assert.deepEqual(unknown, [], "twins expect aborts the package does not define");
    const neverRaised = ABORT_CODES.map((info) => `${info.module}::${info.name}`).filter(
      (pair) => !raised.has(pair) && !(pair in NOT_RAISED),
    );
    assert.deepEqual(neverRaised, [], "abort constants no twin raises");
    assert.deepEqual(
      Object.keys(NOT_RAISED).filter((pair) => raised.has(pair)),
      [],
      "allow-listed constants that a twin raises after all",
    );
  });
});
