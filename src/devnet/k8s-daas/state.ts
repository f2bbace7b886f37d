import { ClusterStateEvent, LIMITS, signingBytes } from "../../protocol/index.ts";
import type { MoveFunction } from "../move-runtime.ts";
import { signedArgs, verifyEnclaveMessage } from "./enclave.ts";
import { byteLength, entry, readCluster, writeCluster } from "./entry.ts";

export function stateModule(packageId: string): Record<string, MoveFunction> {
  return {
    report_cluster_state: entry(packageId, "report_cluster_state", (scope) => {
      const { ctx, args, fail } = scope;
      const clusterArg = args.object("cluster");
      const cluster = readCluster(clusterArg);
      const counts = {
        node_count: args.u64("node_count"),
        ready_node_count: args.u64("ready_node_count"),
        pod_count: args.u64("pod_count"),
        running_pod_count: args.u64("running_pod_count"),
      };
      const usageSummary = args.string("usage_summary");
      if (byteLength(usageSummary) > LIMITS.maxUsageSummaryBytes) fail("state", "ESummaryTooLong");
      if (
        counts.ready_node_count > counts.node_count ||
        counts.running_pod_count > counts.pod_count
      ) {
        fail("state", "EInconsistentCounts");
      }
      const { timestampMs, sequence, signature } = signedArgs(scope);
      const message = signingBytes("clusterState", timestampMs, {
        cluster_id: cluster.id,
        sequence,
        ...counts,
        usage_summary: usageSummary,
      });
      verifyEnclaveMessage(scope, cluster, message, timestampMs, sequence, signature);
      writeCluster(clusterArg, cluster);
      ctx.emit(
        "events",
        "ClusterStateEvent",
        ClusterStateEvent.serialize({
          cluster_id: cluster.id,
          ...counts,
          usage_summary: usageSummary,
          sequence,
          timestamp_ms: timestampMs,
        }).toBytes(),
      );
    }),
  };
}
