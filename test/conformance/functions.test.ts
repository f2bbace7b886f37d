// Every public function of the Move package can be called on the devnet, with the same
// parameters: a PTB may call any `public fun`, so a function the devnet lacks (a new
// accessor, say) or declares differently would make it refuse transactions the chain
// accepts, or accept ones the chain refuses.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { k8sDaasPackage, type MoveParam } from "../../src/devnet/index.ts";

const SOURCES = join(import.meta.dirname, "..", "..", "move", "sources");

/** Public functions the devnet cannot run, and why. */
const NOT_ON_DEVNET: Record<string, string> = {
  // Generic over the payload type (`signing_bytes<T>`); the devnet runs no type arguments.
  "messages::signing_bytes": "generic",
};

/**
 * A parameter as both sides can state it: `pure:<bcs type>` (a reference to a pure value
 * is passed as the value), `object:<struct>:<ref|mut|value>`, or `value:<struct>` (a struct
 * value no transaction input can make, such as a NitroAttestationDocument).
 */
function moveParamShape(declaration: string): string {
  const type = declaration.slice(declaration.indexOf(":") + 1).trim();
  const object = /^(&mut\s+|&)?(Cluster|AdminCap|NamespaceCap|WorkerCap|Clock|Coin<SUI>)$/.exec(
    type,
  );
  if (object) {
    const pass = object[1] === undefined ? "value" : object[1].startsWith("&mut") ? "mut" : "ref";
    const struct = object[2] === "Coin<SUI>" ? "Coin" : (object[2] as string);
    return `object:${struct}:${pass}`;
  }
  if (type === "NitroAttestationDocument") return "value:NitroAttestationDocument";
  const pure: Record<string, string> = {
    u8: "u8",
    u16: "u16",
    u32: "u32",
    u64: "u64",
    u128: "u128",
    bool: "bool",
    "vector<String>": "vector<string>",
    "vector<u128>": "vector<u128>",
    String: "string",
    "vector<u8>": "vector<u8>",
    address: "bytes[32]",
    ID: "bytes[32]",
  };
  const shape = pure[type.replace(/^&/, "")];
  return shape ? `pure:${shape}` : `unsupported:${type}`;
}

function devnetParamShape(param: MoveParam): string {
  if (param.kind === "pure") return `pure:${param.typeName}`;
  const struct = /::(\w+)(<[^>]*>)?$/.exec(param.type)?.[1];
  return param.kind === "value" ? `value:${struct}` : `object:${struct}:${param.mode}`;
}

/** `module::function` → its parameters' shapes, `&TxContext` left out (the chain adds it). */
function publicFunctions(): Map<string, string[]> {
  const found = new Map<string, string[]>();
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
      found.set(`${module}::${match[1]}`, params.map(moveParamShape));
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

  it("each one exists on the devnet with the same parameters, or is allow-listed", () => {
    const mismatches = [...functions].flatMap(([name, shapes]) => {
      if (name in NOT_ON_DEVNET) return [];
      const [module, fn] = name.split("::") as [string, string];
      const implementation = devnet.modules[module]?.[fn];
      if (!implementation) return [`${name} is missing`];
      const devnetShapes = implementation.params.map(devnetParamShape);
      return JSON.stringify(devnetShapes) === JSON.stringify(shapes)
        ? []
        : [`${name}(${shapes.join(", ")}) is ${name}(${devnetShapes.join(", ")}) on the devnet`];
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
