// Which namespace a self-review asks about. kubectl sends reviews as JSON or, for its typed
// clients, as Kubernetes protobuf (`application/vnd.kubernetes.protobuf`); the review is
// passed on as it came, and only this one field is read, to pick the tenant account that
// answers it and to check the caller holds that namespace.

export interface ReviewScope {
  /** The namespace asked about; undefined when the review names none. */
  namespace: string | undefined;
  /** A non-resource URL is asked about (`/healthz`): never a tenant's. */
  nonResource: boolean;
}

export class ReviewDecodeError extends Error {
  readonly code = "KUBE_REVIEW_INVALID";
}

const PROTOBUF_MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

/**
 * SelfSubjectAccessReview: `spec.resourceAttributes.namespace` (spec field 2, attributes
 * field 1, namespace field 1) and `spec.nonResourceAttributes` (spec field 2);
 * SelfSubjectRulesReview: `spec.namespace` (spec field 2, namespace field 1).
 */
export function reviewScope(body: Uint8Array, contentType: string, rules: boolean): ReviewScope {
  if (contentType.includes("protobuf")) return protobufScope(body, rules);
  let review: {
    spec?: {
      namespace?: unknown;
      resourceAttributes?: { namespace?: unknown };
      nonResourceAttributes?: unknown;
    };
  };
  try {
    review = JSON.parse(new TextDecoder().decode(body)) as typeof review;
  } catch {
    throw new ReviewDecodeError("the review is neither JSON nor Kubernetes protobuf");
  }
  const spec = review?.spec;
  if (typeof spec !== "object" || spec === null)
    throw new ReviewDecodeError("the review has no spec");
  const namespace = rules ? spec.namespace : spec.resourceAttributes?.namespace;
  return {
    namespace: typeof namespace === "string" && namespace !== "" ? namespace : undefined,
    nonResource:
      !rules && spec.nonResourceAttributes !== undefined && spec.nonResourceAttributes !== null,
  };
}

function protobufScope(body: Uint8Array, rules: boolean): ReviewScope {
  if (!PROTOBUF_MAGIC.every((byte, index) => body[index] === byte)) {
    throw new ReviewDecodeError("not a Kubernetes protobuf message");
  }
  const raw = field(body.subarray(PROTOBUF_MAGIC.length), 2);
  const spec = raw && field(raw, 2);
  if (!spec) throw new ReviewDecodeError("the review has no spec");
  if (rules) {
    const namespace = field(spec, 1);
    return {
      namespace: namespace?.length ? new TextDecoder().decode(namespace) : undefined,
      nonResource: false,
    };
  }
  const attributes = field(spec, 1);
  const namespace = attributes && field(attributes, 1);
  return {
    namespace: namespace?.length ? new TextDecoder().decode(namespace) : undefined,
    nonResource: field(spec, 2) !== undefined,
  };
}

/** The last length-delimited field `number` of a protobuf message, if present. */
function field(message: Uint8Array, number: number): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = message[at++];
      if (byte === undefined) throw new ReviewDecodeError("truncated protobuf");
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new ReviewDecodeError("protobuf varint too long");
  };
  while (at < message.length) {
    const key = varint();
    const wire = key & 7;
    const fieldNumber = Math.floor(key / 8);
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      if (at + length > message.length) throw new ReviewDecodeError("truncated protobuf");
      if (fieldNumber === number) found = message.subarray(at, at + length);
      at += length;
    } else throw new ReviewDecodeError(`protobuf wire type ${wire}`);
  }
  return found;
}
