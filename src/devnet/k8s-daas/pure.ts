import type { BcsType } from "@mysten/bcs";
import { bcs } from "@mysten/sui/bcs";
import {
  abortCode,
  EXPIRED_STATUS_CODE,
  INTENT,
  isDnsLabel,
  isDnsSubdomain,
  isImage,
  isResource,
  NAMESPACE_ACTION,
  PAYLOAD_FIELDS,
} from "../../protocol/index.ts";
import type { MoveArg, MoveCallContext, MoveFunction, MoveParam } from "../move-runtime.ts";
import { deploymentManifestBytes, podManifestBytes, type Refuse } from "./manifests.ts";

// The package's public functions that touch no object: constant getters, name checks, the manifests
// `create_pod` and `deploy_pods_batch` build, and the signed-message payload constructors.
// Any PTB may call them on chain, so the devnet runs them too; simulation shows their
// return values (a payload constructor's is the struct's BCS, the bytes the enclave signs).

// biome-ignore lint/suspicious/noExplicitAny: schemas of every value type share one list
type AnyBcs = BcsType<any, any>;

const pureParam = (name: string, layout: AnyBcs): MoveParam => ({
  kind: "pure",
  name,
  typeName: layout.name,
  layout,
});

/** A function of pure arguments returning one value. */
function pureFunction(
  params: [string, AnyBcs][],
  returns: AnyBcs,
  compute: (values: unknown[], ctx: MoveCallContext) => unknown,
): MoveFunction {
  return {
    params: params.map(([name, layout]) => pureParam(name, layout)),
    run: (ctx, args: MoveArg[]) => {
      const values = args.map((arg) => (arg.kind === "pure" ? arg.value : undefined));
      return [{ kind: "pure", bytes: returns.serialize(compute(values, ctx)).toBytes() }];
    },
  };
}

const constant = (value: number) => pureFunction([], bcs.u8(), () => value);

/** `names::is_*(name: &String): bool` (a pure argument may be passed by reference). */
const nameCheck = (check: (name: string) => boolean) =>
  pureFunction([["name", bcs.string()]], bcs.bool(), ([name]) => check(name as string));

/** Aborts as `requests::<function>` itself does (the called function is the location). */
const refuseIn =
  (ctx: MoveCallContext): Refuse =>
  (constant) =>
    ctx.abort("requests", abortCode("requests", constant).code, constant);

const str = bcs.string();

/** `messages::<constructor>`: its parameters are the payload's fields, in order. */
function payloadConstructor(fields: Record<string, AnyBcs>): MoveFunction {
  const schema = bcs.struct("Payload", fields);
  const names = Object.keys(fields);
  return pureFunction(Object.entries(fields), schema, (values) =>
    Object.fromEntries(names.map((name, i) => [name, values[i]])),
  );
}

export function pureModules() {
  return {
    events: {
      namespace_claimed: constant(NAMESPACE_ACTION.claimed),
      namespace_transferred: constant(NAMESPACE_ACTION.transferred),
      namespace_released: constant(NAMESPACE_ACTION.released),
    },
    names: {
      is_dns_label: nameCheck(isDnsLabel),
      is_dns_subdomain: nameCheck(isDnsSubdomain),
      is_resource: nameCheck(isResource),
      is_image: nameCheck(isImage),
    },
    messages: {
      intent_request_result: constant(INTENT.requestResult),
      intent_worker_activation: constant(INTENT.workerActivation),
      intent_slash_verdict: constant(INTENT.slashVerdict),
      intent_cluster_state: constant(INTENT.clusterState),
      intent_key_rotation: constant(INTENT.keyRotation),
      intent_worker_refusal: constant(INTENT.workerRefusal),
      request_result: payloadConstructor(PAYLOAD_FIELDS.RequestResultPayload),
      worker_activation: payloadConstructor(PAYLOAD_FIELDS.WorkerActivationPayload),
      slash_verdict: payloadConstructor(PAYLOAD_FIELDS.SlashVerdictPayload),
      cluster_state: payloadConstructor(PAYLOAD_FIELDS.ClusterStatePayload),
      key_rotation: payloadConstructor(PAYLOAD_FIELDS.KeyRotationPayload),
      enclave_public_keys: payloadConstructor(PAYLOAD_FIELDS.EnclavePublicKeys),
      worker_refusal: payloadConstructor(PAYLOAD_FIELDS.WorkerRefusalPayload),
      intent_usage_report: constant(INTENT.usageReport),
      usage_report: payloadConstructor(PAYLOAD_FIELDS.UsageReportPayload),
    },
    requests: {
      expired_status_code: pureFunction([], bcs.u16(), () => EXPIRED_STATUS_CODE),
      pod_manifest: pureFunction(
        [
          ["pod_name", str],
          ["namespace", str],
          ["image", str],
        ],
        bcs.byteVector(),
        ([name, namespace, image], ctx) =>
          podManifestBytes(refuseIn(ctx), name as string, namespace as string, image as string),
      ),
      deployment_manifest: pureFunction(
        [
          ["name", str],
          ["namespace", str],
          ["image", str],
          ["replicas", bcs.u32()],
        ],
        bcs.byteVector(),
        ([name, namespace, image, replicas], ctx) =>
          deploymentManifestBytes(
            refuseIn(ctx),
            name as string,
            namespace as string,
            image as string,
            Number(replicas),
          ),
      ),
    },
  } satisfies Record<string, Record<string, MoveFunction>>;
}
