// The abort-code table in src/protocol/errors.ts must match the error constants in
// move/sources exactly: a Move constant without a TS twin (or with another code) fails.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  ABORT_CODES,
  abortCode,
  abortCodeInfo,
  abortConstantName,
} from "../../src/protocol/index.ts";

const SOURCES = join(import.meta.dirname, "..", "..", "move", "sources");

function moveErrorConstants(): { module: string; name: string; code: number }[] {
  return readdirSync(SOURCES)
    .filter((file) => file.endsWith(".move"))
    .flatMap((file) => {
      const text = readFileSync(join(SOURCES, file), "utf8");
      const module = /module\s+k8s_daas::(\w+)/.exec(text)?.[1];
      assert.ok(module, `${file} declares a k8s_daas module`);
      return [...text.matchAll(/const\s+(E[A-Z][a-z]\w*)\s*:\s*u64\s*=\s*(\d+)\s*;/g)].map((m) => ({
        module,
        name: m[1] as string,
        code: Number(m[2]),
      }));
    });
}

test("every Move error constant has a TS twin with the same code", () => {
  const constants = moveErrorConstants();
  assert.ok(constants.length >= 40, `found ${constants.length} Move error constants`);
  for (const c of constants) {
    assert.equal(
      abortCodeInfo(c.module, c.code)?.name,
      c.name,
      `${c.module}::${c.name} = ${c.code}`,
    );
  }
});

test("every TS abort code exists in the Move sources", () => {
  const keys = new Set(moveErrorConstants().map((c) => `${c.module}:${c.name}:${c.code}`));
  for (const info of ABORT_CODES) {
    assert.ok(keys.has(`${info.module}:${info.name}:${info.code}`), `${info.module}::${info.name}`);
  }
});

test("abort codes are unique across the package", () => {
  const codes = ABORT_CODES.map((info) => info.code);
  assert.equal(new Set(codes).size, codes.length);
});

test("abortConstantName names known codes and leaves unknown ones unnamed", () => {
  const known = abortCode("requests", "EAlreadyCompleted");
  assert.equal(known.code, 409);
  assert.equal(
    abortConstantName({ module: "requests", abortCode: BigInt(known.code) }),
    "EAlreadyCompleted",
  );
  assert.equal(abortConstantName({ module: "requests", abortCode: 9999n }), undefined);
  assert.equal(abortConstantName({ module: undefined, abortCode: 409n }), undefined);
  assert.throws(() => abortCode("requests", "ENoSuchThing"), /no abort constant/);
});

test("every Move error constant is provoked by some Move unit test", () => {
  const TESTS = join(SOURCES, "..", "tests");
  const provoked = new Set(
    readdirSync(TESTS)
      .filter((file) => file.endsWith(".move"))
      .flatMap((file) => [
        ...readFileSync(join(TESTS, file), "utf8").matchAll(
          /abort_code\s*=\s*(?:k8s_daas::)?(\w+)::(E\w+)\s*\)/g,
        ),
      ])
      .map((m) => `${m[1]}::${m[2]}`),
  );
  const missing = moveErrorConstants()
    .map((c) => `${c.module}::${c.name}`)
    .filter((name) => !provoked.has(name));
  assert.deepEqual(missing, []);
});
