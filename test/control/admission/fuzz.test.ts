// Property tests: admission answers every input, however mangled, with a result from its
// table (never an internal error), and whatever it admits for a pod-bearing kind is
// restricted-compliant. Seeded, so a failure reproduces.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ADMISSION_ERRORS,
  type AdmissionResult,
  admit,
} from "../../../src/control/admission/index.ts";
import { deploymentManifest, podManifest, REQUEST_METHODS } from "../../../src/protocol/index.ts";
import { POD_TEMPLATE_KINDS } from "./corpus.ts";
import { NAMESPACE, request } from "./requests.ts";

type Json = Record<string, unknown>;

/** mulberry32: small, fast, good enough to pick mutations. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KNOWN_CODES = new Set(ADMISSION_ERRORS.map((e) => e.code));
const RESOURCES = ["pods", "deployments", "cronjobs", "services", "secrets", "configmaps", "roles"];
const YAML_ALPHABET = " \n\t:-[]{},&*!|>'\"#%@`?abcxyz019.~\\";

function assertWellFormed(result: AdmissionResult, label: string): void {
  assert.equal(typeof result, "object", label);
  if (result.ok) return;
  assert.ok(KNOWN_CODES.has(result.rejection.code), `${label}: ${result.rejection.code}`);
  assert.notEqual(
    result.rejection.code,
    "ADMISSION_INTERNAL",
    `${label}: ${result.rejection.message}`,
  );
  assert.ok(result.rejection.message.length > 0, label);
}

/** Independent of the implementation: what Pod Security "restricted" (and our extras) need. */
function assertRestricted(pod: Json, label: string): void {
  const context = (pod.securityContext ?? {}) as Json;
  assert.equal(context.runAsNonRoot, true, `${label}: runAsNonRoot`);
  for (const flag of ["hostNetwork", "hostPID", "hostIPC"]) {
    assert.ok(
      pod[flag] === undefined || pod[flag] === null || pod[flag] === false,
      `${label}: ${flag}`,
    );
  }
  for (const volume of (pod.volumes ?? []) as Json[]) {
    assert.ok(volume.hostPath === undefined || volume.hostPath === null, `${label}: hostPath`);
  }
  for (const list of ["containers", "initContainers"]) {
    for (const container of (pod[list] ?? []) as Json[]) {
      const security = container.securityContext as Json;
      assert.equal(security.allowPrivilegeEscalation, false, `${label}: escalation`);
      assert.ok(
        security.privileged === undefined || security.privileged === false,
        `${label}: privileged`,
      );
      const capabilities = security.capabilities as Json;
      assert.ok((capabilities.drop as string[]).includes("ALL"), `${label}: drop`);
      assert.ok(((capabilities.add ?? []) as unknown[]).length === 0, `${label}: add`);
    }
  }
}

function podSpecOf(kind: string, object: Json): Json | undefined {
  const path: Record<string, string[]> = {
    Pod: ["spec"],
    Deployment: ["spec", "template", "spec"],
    ReplicaSet: ["spec", "template", "spec"],
    StatefulSet: ["spec", "template", "spec"],
    Job: ["spec", "template", "spec"],
    CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
  };
  let current: unknown = object;
  for (const key of path[kind] ?? []) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Json)[key];
  }
  return typeof current === "object" && current !== null ? (current as Json) : undefined;
}

const VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e300,
  "",
  "x",
  "ALL",
  "system-node-critical",
  [],
  {},
  [null],
  [{}],
  [{ name: "a", image: "b" }],
  { type: "Unconfined" },
  { add: ["SYS_ADMIN"] },
  { path: "/" },
  { drop: [] },
];
const KEYS = [
  "spec",
  "template",
  "containers",
  "initContainers",
  "securityContext",
  "privileged",
  "allowPrivilegeEscalation",
  "capabilities",
  "drop",
  "add",
  "hostNetwork",
  "hostPath",
  "volumes",
  "runAsNonRoot",
  "runAsUser",
  "seccompProfile",
  "metadata",
  "name",
  "namespace",
  "labels",
  "annotations",
  "k8s-daas.io/x",
  "type",
  "resources",
  "limits",
  "ports",
  "hostPort",
];

/** Replaces, adds or deletes one field somewhere inside `value`. */
function mutate(value: unknown, next: () => number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  if (Array.isArray(value)) {
    if (value.length === 0 || next() < 0.2) return [...value, pick(VALUES)];
    const index = Math.floor(next() * value.length);
    const copy = [...value];
    copy[index] = mutate(copy[index], next);
    return copy;
  }
  if (typeof value === "object" && value !== null) {
    const copy: Json = { ...(value as Json) };
    const keys = Object.keys(copy);
    const roll = next();
    if (keys.length === 0 || roll < 0.15) copy[pick(KEYS)] = structuredClone(pick(VALUES));
    else if (roll < 0.25) delete copy[pick(keys)];
    else if (roll < 0.35) copy[pick(keys)] = structuredClone(pick(VALUES));
    else {
      const key = pick(keys);
      copy[key] = mutate(copy[key], next);
    }
    return copy;
  }
  return structuredClone(pick(VALUES));
}

describe("admission fuzz", () => {
  it("answers random bytes with a tabled result", () => {
    const next = random(1);
    for (let round = 0; round < 2_000; round++) {
      const length = Math.floor(next() * 600);
      const bytes = new Uint8Array(length);
      const text = next() < 0.5;
      for (let i = 0; i < length; i++) {
        bytes[i] = text
          ? YAML_ALPHABET.charCodeAt(Math.floor(next() * YAML_ALPHABET.length))
          : Math.floor(next() * 256);
      }
      const method = REQUEST_METHODS[Math.floor(next() * REQUEST_METHODS.length)] ?? "POST";
      const resource = RESOURCES[Math.floor(next() * RESOURCES.length)] ?? "pods";
      assertWellFormed(admit(request(method, resource, "fuzz", bytes)), `bytes round ${round}`);
    }
  });

  it("answers byte-level mutations of the seed's manifests", () => {
    const next = random(2);
    const seeds = [
      ["pods", podManifest("web", NAMESPACE, "nginx:1.27")],
      ["deployments", deploymentManifest("web", NAMESPACE, "nginx:1.27", 3)],
    ] as const;
    for (let round = 0; round < 2_000; round++) {
      const [resource, manifest] = seeds[round % 2] ?? seeds[0];
      const bytes = [...new TextEncoder().encode(manifest)];
      for (let edits = 1 + Math.floor(next() * 4); edits > 0; edits--) {
        const at = Math.floor(next() * bytes.length);
        const roll = next();
        if (roll < 0.33) bytes.splice(at, 1);
        else if (roll < 0.66) bytes.splice(at, 0, Math.floor(next() * 256));
        else bytes.splice(at, 0, ...bytes.slice(at, at + Math.floor(next() * 40)));
      }
      const method = next() < 0.8 ? "POST" : "PATCH";
      assertWellFormed(
        admit(request(method, resource, "web", Uint8Array.from(bytes))),
        `byte mutation round ${round}`,
      );
    }
  });

  it("admits only restricted-compliant pods, whatever fields are changed", () => {
    const next = random(3);
    let admittedCount = 0;
    for (let round = 0; round < 3_000; round++) {
      const kind = POD_TEMPLATE_KINDS[round % POD_TEMPLATE_KINDS.length] ?? POD_TEMPLATE_KINDS[0];
      if (kind === undefined) assert.fail("no kinds");
      const good = kind.object("web", { containers: [{ name: "web", image: "nginx" }] });
      let manifest: unknown = good;
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
        manifest = mutate(manifest, next);
      }
      const method = next() < 0.5 ? "POST" : "PUT";
      const label = `${kind.kind} round ${round}: ${JSON.stringify(manifest)}`;
      const result = admit(request(method, kind.resource, "web", JSON.stringify(manifest)));
      assertWellFormed(result, label);
      if (result.ok && result.operation.kind === "apply") {
        admittedCount++;
        const pod = podSpecOf(kind.kind, result.operation.object);
        if (pod !== undefined) assertRestricted(pod, label);
      }
    }
    // The property means little if everything was refused.
    assert.ok(admittedCount > 300, `only ${admittedCount} admitted`);
  });
});
