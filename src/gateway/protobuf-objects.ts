// kubectl's and Helm's typed clients send some objects as protobuf: `kubectl auth can-i`'s
// self-reviews, Helm's release records (Secrets), `kubectl create configmap|secret`, and
// the DeleteOptions of their deletes. The chain carries JSON, and the gateway must not guess
// a schema, so it reads exactly these few messages of k8s.io/api (field numbers from their
// generated.proto) and refuses any other protobuf body with 415 and what to do instead.
import { KubeRefusal } from "./kube-status.ts";

/** `k8s\0`: the envelope of Kubernetes protobuf bodies (then a runtime.Unknown). */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Field {
  bytes?: Buffer;
  varint?: number;
}
type Fields = Map<number, Field[]>;

/** The fields of one protobuf message by number (length-delimited and varint ones). */
function readFields(message: Buffer): Fields {
  const fields: Fields = new Map();
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      const byte = message[at++];
      if (byte === undefined) throw new Error("truncated varint");
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new Error("varint too long");
  };
  const add = (number: number, field: Field) => {
    const list = fields.get(number) ?? [];
    list.push(field);
    fields.set(number, list);
  };
  while (at < message.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        add(number, { varint: varint() });
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        const length = varint();
        if (at + length > message.length) throw new Error("truncated field");
        add(number, { bytes: message.subarray(at, at + length) });
        at += length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new Error(`wire type ${key & 7}`);
    }
  }
  return fields;
}

const bytesOf = (fields: Fields, number: number): Buffer | undefined =>
  fields.get(number)?.[0]?.bytes;
const textOf = (fields: Fields, number: number): string | undefined =>
  bytesOf(fields, number)?.toString("utf8");
const messageOf = (fields: Fields, number: number): Fields =>
  readFields(bytesOf(fields, number) ?? Buffer.alloc(0));
const varintOf = (fields: Fields, number: number): number | undefined =>
  fields.get(number)?.[0]?.varint;

/** Named string fields (numbers 1, 2, … in `names` order), the empty ones left out. */
function strings(fields: Fields, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  names.forEach((name, index) => {
    const value = textOf(fields, index + 1);
    if (value) out[name] = value;
  });
  return out;
}

/** A `map<string, …>` field: entries with key 1 and value 2. */
function mapOf(fields: Fields, number: number, value: (bytes: Buffer) => string) {
  const entries = fields.get(number) ?? [];
  if (entries.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const pair = readFields(entry.bytes ?? Buffer.alloc(0));
    out[textOf(pair, 1) ?? ""] = value(bytesOf(pair, 2) ?? Buffer.alloc(0));
  }
  return out;
}
const utf8 = (bytes: Buffer) => bytes.toString("utf8");
const base64 = (bytes: Buffer) => bytes.toString("base64");

/** ObjectMeta: the fields a client sets (server-set ones but resourceVersion are dropped). */
function objectMeta(fields: Fields): Record<string, unknown> {
  const meta: Record<string, unknown> = strings(fields, ["name", "generateName", "namespace"]);
  const resourceVersion = textOf(fields, 6);
  if (resourceVersion) meta.resourceVersion = resourceVersion;
  const labels = mapOf(fields, 11, utf8);
  if (labels) meta.labels = labels;
  const annotations = mapOf(fields, 12, utf8);
  if (annotations) meta.annotations = annotations;
  const finalizers = (fields.get(14) ?? []).map((field) => field.bytes?.toString("utf8") ?? "");
  if (finalizers.length > 0) meta.finalizers = finalizers;
  return meta;
}

function withOptional(object: Record<string, unknown>, key: string, value: unknown) {
  if (value !== undefined) object[key] = value;
}

/** The object inside a runtime.Unknown, as JSON, for the kinds this file knows. */
function objectFromRaw(apiVersion: string, kind: string, raw: Fields): Record<string, unknown> {
  const object: Record<string, unknown> = { apiVersion, kind };
  switch (kind) {
    case "Secret": {
      object.metadata = objectMeta(messageOf(raw, 1));
      withOptional(object, "data", mapOf(raw, 2, base64));
      withOptional(object, "type", textOf(raw, 3));
      withOptional(object, "stringData", mapOf(raw, 4, utf8));
      const immutable = varintOf(raw, 5);
      if (immutable !== undefined) object.immutable = immutable === 1;
      return object;
    }
    case "ConfigMap": {
      object.metadata = objectMeta(messageOf(raw, 1));
      withOptional(object, "data", mapOf(raw, 2, utf8));
      withOptional(object, "binaryData", mapOf(raw, 3, base64));
      const immutable = varintOf(raw, 4);
      if (immutable !== undefined) object.immutable = immutable === 1;
      return object;
    }
    case "DeleteOptions": {
      const grace = varintOf(raw, 1);
      if (grace !== undefined) object.gracePeriodSeconds = grace;
      const preconditions = raw.get(2)?.[0]?.bytes;
      if (preconditions)
        object.preconditions = strings(readFields(preconditions), ["uid", "resourceVersion"]);
      const orphan = varintOf(raw, 3);
      if (orphan !== undefined) object.orphanDependents = orphan === 1;
      withOptional(object, "propagationPolicy", textOf(raw, 4));
      const dryRun = (raw.get(5) ?? []).map((field) => field.bytes?.toString("utf8") ?? "");
      if (dryRun.length > 0) object.dryRun = dryRun;
      return object;
    }
    case "SelfSubjectRulesReview":
      return { ...object, spec: strings(messageOf(raw, 2), ["namespace"]) };
    case "SelfSubjectAccessReview": {
      const spec = messageOf(raw, 2);
      const resource = bytesOf(spec, 1);
      const nonResource = bytesOf(spec, 2);
      object.spec = {
        ...(resource
          ? {
              resourceAttributes: strings(readFields(resource), [
                "namespace",
                "verb",
                "group",
                "version",
                "resource",
                "subresource",
                "name",
              ]),
            }
          : {}),
        ...(nonResource
          ? { nonResourceAttributes: strings(readFields(nonResource), ["path", "verb"]) }
          : {}),
      };
      return object;
    }
    default:
      throw new Error(`the gateway does not read ${kind} as protobuf`);
  }
}

/**
 * A Kubernetes protobuf body (`k8s\0` + runtime.Unknown) as the JSON object the API server
 * would read from it, or a 415 refusal saying how to send it instead.
 */
export function objectFromProtobuf(body: Buffer): Record<string, unknown> {
  try {
    if (!body.subarray(0, 4).equals(MAGIC)) throw new Error("no k8s protobuf envelope");
    const unknown = readFields(body.subarray(4));
    const typeMeta = messageOf(unknown, 1);
    const apiVersion = textOf(typeMeta, 1) ?? "v1";
    const kind = textOf(typeMeta, 2) ?? "";
    return objectFromRaw(apiVersion, kind, messageOf(unknown, 2));
  } catch (error) {
    throw new KubeRefusal(
      415,
      "KUBE_CONTENT_TYPE_UNSUPPORTED",
      `${(error as Error).message}: the gateway reads writes as JSON (or YAML for apply patches), and protobuf only for Secrets, ConfigMaps, DeleteOptions and self-reviews; pipe kubectl's generators through apply instead: \`kubectl create deployment NAME --image=… --dry-run=client -o yaml | kubectl apply -f -\``,
    );
  }
}
