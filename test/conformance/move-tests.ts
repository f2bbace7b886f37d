// Reads the Move unit tests of move/tests: every `#[test]` function with the abort it
// expects, if any. coverage.test.ts maps them to their TS twins.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const MOVE_TESTS_DIR = join(import.meta.dirname, "..", "..", "move", "tests");

export interface MoveTest {
  /** `<test module>::<function>`, e.g. `requests_tests::a_second_completion_aborts`. */
  readonly name: string;
  /** `expected_failure(abort_code = module::EName)`, as `{ module, constant }`. */
  readonly expectedAbort: { module: string; constant: string } | undefined;
}

// `#[test]` or `#[test, expected_failure(...)]`, possibly followed by more attributes
// (`#[expected_failure(...)]` on its own line), then `fun name(`.
const TEST_FUNCTION =
  /#\[\s*test\b([^\]]*(?:\][^\]#]*)?)\]\s*((?:#\[[^\]]*(?:\([^)]*\))?[^\]]*\]\s*)*)(?:public\s+)?fun\s+(\w+)/g;
const EXPECTED_ABORT = /abort_code\s*=\s*(?:k8s_daas::)?(\w+)::(\w+)/;

/** Every Move unit test in move/tests, in file order. */
export function moveTests(dir = MOVE_TESTS_DIR): MoveTest[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".move"))
    .sort()
    .flatMap((file) => {
      const text = readFileSync(join(dir, file), "utf8");
      const module = /module\s+k8s_daas::(\w+)\s*;/.exec(text)?.[1];
      if (!module) throw new Error(`${file} declares no k8s_daas module`);
      return [...text.matchAll(TEST_FUNCTION)].map((match) => {
        const attributes = `${match[1] ?? ""} ${match[2] ?? ""}`;
        const abort = EXPECTED_ABORT.exec(attributes);
        return {
          name: `${module}::${match[3]}`,
          expectedAbort: abort
            ? { module: abort[1] as string, constant: abort[2] as string }
            : undefined,
        };
      });
    });
}
