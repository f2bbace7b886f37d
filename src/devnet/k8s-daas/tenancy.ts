import {
  isDnsLabel,
  isReservedNamespace,
  NAMESPACE_ACTION,
  NamespaceEvent,
} from "../../protocol/index.ts";
import { NamespaceCapObject, NamespaceRecord, objectType } from "../../protocol/objects.ts";
import type { MoveFunction, ObjectArg } from "../move-runtime.ts";
import { assertNotPaused } from "./cluster.ts";
import { type CallScope, type ClusterValue, entry, namespaceKey, readCluster } from "./entry.ts";

export type NamespaceCapValue = ReturnType<typeof NamespaceCapObject.parse>;

/** `tenancy::assert_cap`: the cap must belong to this cluster. */
export function readNamespaceCap(
  scope: CallScope,
  cluster: ClusterValue,
  cap: ObjectArg,
): NamespaceCapValue {
  const value = NamespaceCapObject.parse(cap.contents());
  if (value.cluster_id !== cluster.id) scope.fail("tenancy", "EWrongCluster", "assert_cap");
  return value;
}

function emitNamespace(
  scope: CallScope,
  clusterId: string,
  namespace: string,
  capId: string,
  owner: string,
  action: number,
): void {
  scope.ctx.emit(
    "events",
    "NamespaceEvent",
    NamespaceEvent.serialize({
      cluster_id: clusterId,
      namespace,
      cap_id: capId,
      owner,
      action,
    }).toBytes(),
  );
}

export function tenancyModule(packageId: string): Record<string, MoveFunction> {
  return {
    claim_namespace: entry(packageId, "claim_namespace", (scope) => {
      const { ctx, args, fail } = scope;
      const cluster = readCluster(args.object("cluster"));
      assertNotPaused(scope, cluster);
      const namespace = args.string("namespace");
      if (!isDnsLabel(namespace)) fail("tenancy", "EInvalidNamespace");
      if (isReservedNamespace(namespace)) fail("tenancy", "ENamespaceReserved");
      const key = namespaceKey(namespace);
      if (ctx.getField(cluster.id, key)) fail("tenancy", "ENamespaceTaken");
      const capId = ctx.newId();
      ctx.setField(
        cluster.id,
        key,
        NamespaceRecord.serialize({ cap_id: capId, owner: ctx.sender }).toBytes(),
      );
      emitNamespace(scope, cluster.id, namespace, capId, ctx.sender, NAMESPACE_ACTION.claimed);
      ctx.createObject(
        capId,
        objectType(packageId, "NamespaceCap"),
        NamespaceCapObject.serialize({ id: capId, cluster_id: cluster.id, namespace }).toBytes(),
        { kind: "address", address: ctx.sender },
      );
    }),
    transfer_namespace: entry(packageId, "transfer_namespace", (scope) => {
      const { ctx, args } = scope;
      const cluster = readCluster(args.object("cluster"));
      const capArg = args.object("cap");
      const cap = readNamespaceCap(scope, cluster, capArg);
      const recipient = args.address("recipient");
      const key = namespaceKey(cap.namespace);
      const record = NamespaceRecord.parse(ctx.getField(cluster.id, key) ?? new Uint8Array());
      ctx.setField(
        cluster.id,
        key,
        NamespaceRecord.serialize({ ...record, owner: recipient }).toBytes(),
      );
      emitNamespace(
        scope,
        cluster.id,
        cap.namespace,
        cap.id,
        recipient,
        NAMESPACE_ACTION.transferred,
      );
      capArg.transfer(recipient);
    }),
    release_namespace: entry(packageId, "release_namespace", (scope) => {
      const { ctx, args } = scope;
      const cluster = readCluster(args.object("cluster"));
      const capArg = args.object("cap");
      const cap = readNamespaceCap(scope, cluster, capArg);
      ctx.removeField(cluster.id, namespaceKey(cap.namespace));
      emitNamespace(
        scope,
        cap.cluster_id,
        cap.namespace,
        cap.id,
        ctx.sender,
        NAMESPACE_ACTION.released,
      );
      capArg.delete();
    }),
  };
}
