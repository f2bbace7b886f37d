// `kubectl auth can-i` posts its SelfSubjectAccessReview (and `--list` its
// SelfSubjectRulesReview) as protobuf, the typed client's default. The control plane reads
// reviews as JSON, so the gateway turns these two small messages into JSON: the envelope
// (`k8s\0` + runtime.Unknown), then the few fields of k8s.io/api/authorization/v1 a review
// carries. Nothing else is read as protobuf.
import { KubeRefusal } from "./kube-status.ts";

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Fields = Map<number, Buffer[]>;

/** Length-delimited fields of one protobuf message, by number; varints are skipped. */
function readFields(message: Buffer): Fields {
  const fields: Fields = new Map();
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = message[at++];
      if (byte === undefined) throw new Error("truncated varint");
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new Error("varint too long");
  };
  while (at < message.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        varint();
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        const length = varint();
        if (at + length > message.length) throw new Error("truncated field");
        const list = fields.get(number) ?? [];
        list.push(message.subarray(at, at + length));
        fields.set(number, list);
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

const text = (fields: Fields, number: number): string | undefined =>
  fields.get(number)?.[0]?.toString("utf8");
const message = (fields: Fields, number: number): Fields =>
  readFields(fields.get(number)?.[0] ?? Buffer.alloc(0));

function withStrings(fields: Fields, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  names.forEach((name, index) => {
    const value = text(fields, index + 1);
    if (value) out[name] = value;
  });
  return out;
}

/** A protobuf-encoded self-review as the JSON the API server would accept. */
export function reviewFromProtobuf(body: Buffer): Record<string, unknown> {
  try {
    if (!body.subarray(0, 4).equals(MAGIC)) throw new Error("no k8s protobuf envelope");
    const unknown = readFields(body.subarray(4));
    const typeMeta = message(unknown, 1);
    const apiVersion = text(typeMeta, 1) ?? "authorization.k8s.io/v1";
    const kind = text(typeMeta, 2);
    const spec = message(readFields(unknown.get(2)?.[0] ?? Buffer.alloc(0)), 2);
    if (kind === "SelfSubjectRulesReview") {
      return { apiVersion, kind, spec: withStrings(spec, ["namespace"]) };
    }
    if (kind !== "SelfSubjectAccessReview") throw new Error(`kind ${kind}`);
    const resource = spec.get(1)?.[0];
    const nonResource = spec.get(2)?.[0];
    return {
      apiVersion,
      kind,
      spec: {
        ...(resource
          ? {
              resourceAttributes: withStrings(readFields(resource), [
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
          ? { nonResourceAttributes: withStrings(readFields(nonResource), ["path", "verb"]) }
          : {}),
      },
    };
  } catch (error) {
    throw new KubeRefusal(
      415,
      "KUBE_CONTENT_TYPE_UNSUPPORTED",
      `a protobuf review the gateway cannot read (${(error as Error).message}); send it as JSON`,
    );
  }
}
