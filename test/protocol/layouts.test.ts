// src/protocol/ layouts against move/sources: every event and signed payload struct has a
// schema with the same fields in the same order and types; every transaction function has
// a call descriptor with the same parameters.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  CALLS,
  type CallDescriptor,
  DEFAULT_CONFIG,
  ENCLAVE_KEY_KIND,
  EXPIRED_STATUS_CODE,
  INSTALLED_ENCLAVE_KEY_KIND,
  INTENT,
  EVENT_FIELDS,
  EVENT_SCHEMAS,
  MOVE_MODULES,
  NAMESPACE_ACTION,
  OBJECT_LAYOUTS,
  OBJECT_MODULES,
  PAYLOAD_FIELDS,
  REQUEST_STATUS,
  WORKER_ACTION,
  WORKER_STATUS,
} from "../../src/protocol/index.ts";
import {
  bcsNameOf,
  copyDropStructs,
  MOVE_SOURCES,
  publicFunctions,
  readModule,
  structFields,
} from "./move-source.ts";

function assertSameFields(module: string, name: string, fields: Record<string, { name: string }>) {
  const moveFields = structFields(module, name);
  assert.deepEqual(
    Object.entries(fields).map(([field, schema]) => `${field}: ${schema.name}`),
    moveFields.map((f) => `${f.name}: ${bcsNameOf(f.type)}`),
    `${module}::${name}`,
  );
}

test("every event struct has a TS schema with identical fields", () => {
  const events = copyDropStructs("events");
  assert.deepEqual([...events].sort(), Object.keys(EVENT_SCHEMAS).sort());
  for (const name of events) {
    assertSameFields("events", name, EVENT_FIELDS[name as keyof typeof EVENT_FIELDS]);
  }
});

test("every signed payload struct has a TS schema with identical fields", () => {
  const payloads = copyDropStructs("messages").filter((name) => name !== "IntentMessage");
  assert.deepEqual([...payloads].sort(), Object.keys(PAYLOAD_FIELDS).sort());
  for (const name of payloads) {
    assertSameFields("messages", name, PAYLOAD_FIELDS[name as keyof typeof PAYLOAD_FIELDS]);
  }
  assert.deepEqual(
    structFields("messages", "IntentMessage").map((f) => f.name),
    ["intent", "timestamp_ms", "payload"],
  );
});

/** How a Move parameter type shows up in a call descriptor. */
function describeMoveParam(type: string): string {
  const object = /^(&mut |&)?(Cluster|AdminCap|NamespaceCap|WorkerCap)$/.exec(type);
  if (object) {
    const pass = object[1] === "&mut " ? "mut" : object[1] === "&" ? "ref" : "value";
    return `object ${object[2]} ${pass}`;
  }
  if (type === "Coin<SUI>") return "coin";
  if (type === "&Clock") return "clock";
  if (type === "NitroAttestationDocument") return "attestation";
  return `pure ${bcsNameOf(type)}`;
}

function describeDescriptorParam(param: CallDescriptor["params"][number]): string {
  switch (param.kind) {
    case "object":
      return `object ${param.type} ${param.pass}`;
    case "pure":
      return `pure ${param.bcs.name}`;
    default:
      return param.kind;
  }
}

const isTransaction = (params: { type: string }[]) =>
  params.some((p) => p.type === "&mut Cluster") || params.some((p) => p.type === "&mut TxContext");

test("every transaction function has a call descriptor with identical parameters", () => {
  const descriptors = Object.values(CALLS) as CallDescriptor[];
  const moveFunctions = MOVE_MODULES.flatMap(publicFunctions).filter((fn) =>
    isTransaction(fn.params),
  );
  assert.deepEqual(
    moveFunctions.map((fn) => `${fn.module}::${fn.name}`).sort(),
    descriptors.map((d) => `${d.module}::${d.function}`).sort(),
  );
  for (const fn of moveFunctions) {
    const descriptor = descriptors.find((d) => d.module === fn.module && d.function === fn.name);
    assert.ok(descriptor);
    const params = fn.params.filter((p) => !p.type.endsWith("TxContext"));
    assert.deepEqual(
      descriptor.params.map((p) => `${p.name}: ${describeDescriptorParam(p)}`),
      params.map((p) => `${p.name}: ${describeMoveParam(p.type)}`),
      `${fn.module}::${fn.name}`,
    );
    assert.equal(descriptor.entry, fn.entry, `${fn.module}::${fn.name} entry`);
  }
});

test("the seed's entry points are declared entry", () => {
  for (const name of [
    "create_pod",
    "execute_k8s_api",
    "deploy_pods_batch",
    "register_worker_node",
    "worker_heartbeat",
  ] as const) {
    assert.equal(CALLS[name].entry, true, name);
  }
});

test("every public function in move/sources has a doc comment", () => {
  const undocumented = MOVE_MODULES.flatMap((module) => {
    const lines = readFileSync(join(MOVE_SOURCES, `${module}.move`), "utf8").split("\n");
    return lines.flatMap((line, i) => {
      if (!/^public(\(package\))? (entry )?fun /.test(line)) return [];
      let j = i - 1;
      while (j >= 0 && /^#\[/.test(lines[j] ?? "")) j--;
      return /^\/\/\//.test(lines[j] ?? "") ? [] : [`${module}: ${line}`];
    });
  });
  assert.deepEqual(undocumented, []);
});

test("OBJECT_MODULES names the module that declares each object", () => {
  for (const [name, module] of Object.entries(OBJECT_MODULES)) {
    assert.match(
      readFileSync(join(MOVE_SOURCES, `${module}.move`), "utf8"),
      new RegExp(`public struct ${name} has key`),
    );
  }
});

test("every object and record schema matches its Move struct", () => {
  const objectTypeNames: Record<string, string> = {
    UID: "bytes[32]",
    "Balance<SUI>": "u64", // Balance is `struct { value: u64 }`: the same bytes
    Config: "Config",
  };
  for (const [module, structs] of Object.entries(OBJECT_LAYOUTS)) {
    for (const [name, fields] of Object.entries(structs)) {
      assert.deepEqual(
        Object.entries(fields as Record<string, { name: string }>).map(
          ([f, schema]) => `${f}: ${schema.name}`,
        ),
        structFields(module, name).map(
          (f) => `${f.name}: ${objectTypeNames[f.type] ?? bcsNameOf(f.type)}`,
        ),
        `${module}::${name}`,
      );
    }
  }
});

/** `const <PREFIX><NAME>: <int type> = <value>;` of `module`, as `{ camelCaseName: value }`. */
function moveConstants(module: string, prefix: string): Record<string, number> {
  const pattern = new RegExp(`const ${prefix}(\\w+): u(?:8|16|64) = ([\\d_]+);`, "g");
  return Object.fromEntries(
    [...readModule(module).matchAll(pattern)].map((match) => [
      (match[1] as string).toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      Number((match[2] as string).replaceAll("_", "")),
    ]),
  );
}

test("status, action, intent and kind values equal the Move constants", () => {
  assert.deepEqual(moveConstants("requests", "STATUS_"), REQUEST_STATUS);
  assert.deepEqual(moveConstants("workers", "STATUS_"), WORKER_STATUS);
  assert.deepEqual(moveConstants("workers", "ACTION_"), WORKER_ACTION);
  assert.deepEqual(moveConstants("events", "NAMESPACE_"), NAMESPACE_ACTION);
  assert.deepEqual(moveConstants("messages", "INTENT_"), INTENT);
  assert.deepEqual(moveConstants("enclave", "KIND_"), ENCLAVE_KEY_KIND);
  // A key's kind is one of the first two event kinds (a rotation keeps the kind it replaces).
  assert.deepEqual(
    { nitro: ENCLAVE_KEY_KIND.nitro, dev: ENCLAVE_KEY_KIND.dev },
    INSTALLED_ENCLAVE_KEY_KIND,
  );
  assert.equal(moveConstants("cluster", "KEY_KIND_").nitro, INSTALLED_ENCLAVE_KEY_KIND.nitro);
  assert.deepEqual(moveConstants("requests", "EXPIRED_"), { statusCode: EXPIRED_STATUS_CODE });
  assert.equal(
    moveConstants("cluster", "DEFAULT_").requestTimeoutMs,
    Number(DEFAULT_CONFIG.requestTimeoutMs),
  );
});
