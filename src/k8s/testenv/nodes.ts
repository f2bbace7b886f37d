import type { CoreV1Api, V1Node } from "@kubernetes/client-node";
import { KWOK_NODE_ANNOTATION } from "./components.ts";

/** Allocatable resources of each simulated node (capacity is the same). */
export interface NodeResources {
  readonly cpu: string;
  readonly memory: string;
  readonly pods: string;
}

export const defaultNodeResources: NodeResources = { cpu: "8", memory: "32Gi", pods: "110" };

export function simulatedNodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `kwok-node-${index + 1}`);
}

function simulatedNode(name: string, resources: NodeResources): V1Node {
  const quantities = { cpu: resources.cpu, memory: resources.memory, pods: resources.pods };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: {
        [KWOK_NODE_ANNOTATION]: "fake",
        // Lets the node lifecycle controller skip waiting on a TTL nobody serves.
        "node.alpha.kubernetes.io/ttl": "0",
      },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        type: "kwok",
      },
    },
    spec: {},
    // Status is accepted on create for Nodes; KWOK's node-initialize stage keeps these
    // quantities and adds Ready conditions.
    status: { allocatable: quantities, capacity: quantities },
  };
}

/** Creates the simulated nodes that do not exist yet. */
export async function createSimulatedNodes(
  core: CoreV1Api,
  names: readonly string[],
  resources: NodeResources,
): Promise<void> {
  const existing = new Set((await core.listNode()).items.map((node) => node.metadata?.name ?? ""));
  for (const name of names) {
    if (!existing.has(name)) await core.createNode({ body: simulatedNode(name, resources) });
  }
}

/** Names of the given nodes whose Ready condition is not True. */
export async function nodesNotReady(core: CoreV1Api, names: readonly string[]): Promise<string[]> {
  const ready = new Set(
    (await core.listNode()).items
      .filter((node) =>
        (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
      )
      .map((node) => node.metadata?.name ?? ""),
  );
  return names.filter((name) => !ready.has(name));
}
