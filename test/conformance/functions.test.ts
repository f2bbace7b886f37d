// Every public function of the Move package can be called on the devnet, with the same
// number of parameters: a PTB may call any `public fun`, so a function the devnet lacks
// (a new accessor, say) would make it refuse transactions the chain accepts.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { k8sDaasPackage } from "../../src/devnet/index.ts";

const SOURCES = join(import.meta.dirname, "..", "..", "move", "sources");

/** Public functions the devnet cannot run, and why. */
const NOT_ON_DEVNET: Record<string, string> = {
  // Takes a NitroAttestationDocument, which only a real Nitro enclave's AWS-signed
  // attestation yields; the devnet uses `register_dev_enclave`.
  "enclave::register_enclave": "Nitro attestation",
  // Generic over the payload type (`signing_bytes<T>`); the devnet runs no type arguments.
  "messages::signing_bytes": "generic",
};

/** `module::function` → number of parameters, `&TxContext` left out (the chain adds it). */
function publicFunctions(): Map<string, number> {
  const found = new Map<string, number>();
  for (const file of readdirSync(SOURCES).filter((f) => f.endsWith(".move"))) {
    const text = readFileSync(join(SOURCES, file), "utf8");
    const module = /module\s+k8s_daas::(\w+)\s*;/.exec(text)?.[1];
    assert.ok(module, `${file} declares a k8s_daas module`);
    for (const match of text.matchAll(
      /^public\s+(?:entry\s+)?fun\s+(\w+)(?:<[^>]*>)?\s*\(([^)]*)\)/gm,
    )) {
      const params = (match[2] as string)
        .split(",")
        .map((param) => param.trim())
        .filter((param) => param !== "" && !/:\s*&(mut\s+)?TxContext$/.test(param));
      found.set(`${module}::${match[1]}`, params.length);
    }
  }
  return found;
}

describe("conformance: the devnet runs every public function", () => {
  const functions = publicFunctions();
  const devnet = k8sDaasPackage();

  it("reads the package's public functions", () => {
    assert.ok(functions.size >= 60, `found ${functions.size} public functions`);
  });

  it("each one exists on the devnet with the same parameter count, or is allow-listed", () => {
    const mismatches = [...functions].flatMap(([name, count]) => {
      if (name in NOT_ON_DEVNET) return [];
      const [module, fn] = name.split("::") as [string, string];
      const implementation = devnet.modules[module]?.[fn];
      if (!implementation) return [`${name} is missing`];
      return implementation.params.length === count
        ? []
        : [`${name} takes ${count} parameters, the devnet ${implementation.params.length}`];
    });
    assert.deepEqual(mismatches, []);
  });

  it("the allow-list names existing functions the devnet indeed lacks", () => {
    for (const name of Object.keys(NOT_ON_DEVNET)) {
      const [module, fn] = name.split("::") as [string, string];
      assert.ok(functions.has(name), `${name} is not a public function any more`);
      assert.equal(devnet.modules[module]?.[fn], undefined, `${name} exists on the devnet`);
    }
  });
});
