// What is running right now, as rates: per namespace and per node, the CPU (milli-cores)
// and memory (bytes) that running pods requested, and per namespace the capacity (bytes)
// of bound PersistentVolumeClaims. Metering multiplies these rates by elapsed time.
import {
  bytesOf,
  type ContainerResources,
  noRates,
  podRates,
  QuantityError,
  type ResourceRates,
} from "../../protocol/index.ts";

/** Resources held at one instant. */
export type Rates = ResourceRates;

export interface Snapshot {
  readonly namespaces: ReadonlyMap<string, Rates>;
  readonly nodes: ReadonlyMap<string, Rates>;
  /** Pods counted (running, on a node, in a metered namespace). */
  readonly pods: number;
  /** Quantities that could not be read (the resource counted as 0), for logs. */
  readonly invalid: readonly string[];
}

interface ResourceList {
  readonly [name: string]: string | undefined;
}
interface ContainerItem {
  readonly resources?: ContainerResources;
}
export interface PodItem {
  readonly metadata?: { readonly namespace?: string; readonly name?: string };
  readonly spec?: { readonly nodeName?: string; readonly containers?: readonly ContainerItem[] };
  readonly status?: { readonly phase?: string };
}
export interface PvcItem {
  readonly metadata?: { readonly namespace?: string; readonly name?: string };
  readonly status?: { readonly phase?: string; readonly capacity?: ResourceList };
}

function add(map: Map<string, Rates>, key: string, rates: Partial<Rates>): void {
  let entry = map.get(key);
  if (!entry) {
    entry = noRates();
    map.set(key, entry);
  }
  entry.cpuMilliCores += rates.cpuMilliCores ?? 0n;
  entry.memoryBytes += rates.memoryBytes ?? 0n;
  entry.storageBytes += rates.storageBytes ?? 0n;
}

/**
 * The rates of `pods` and `pvcs` in the namespaces `metered` accepts. A pod counts while
 * it is `Running` on a node, at `podRates` (requests, else limits); a claim counts its
 * bound capacity.
 */
export function takeSnapshot(
  pods: readonly PodItem[],
  pvcs: readonly PvcItem[],
  metered: (namespace: string) => boolean,
): Snapshot {
  const namespaces = new Map<string, Rates>();
  const nodes = new Map<string, Rates>();
  const invalid: string[] = [];
  const read = (quantity: string | undefined, where: string) => {
    if (quantity === undefined) return 0n;
    try {
      return bytesOf(quantity);
    } catch (error) {
      if (!(error instanceof QuantityError)) throw error;
      invalid.push(`${where}: ${quantity}`);
      return 0n;
    }
  };
  let counted = 0;
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace;
    const node = pod.spec?.nodeName;
    if (!namespace || !node || pod.status?.phase !== "Running" || !metered(namespace)) continue;
    counted++;
    const where = `${namespace}/${pod.metadata?.name ?? "?"}`;
    const rates = podRates(pod.spec?.containers ?? [], (quantity) =>
      invalid.push(`${where}: ${quantity}`),
    );
    add(namespaces, namespace, rates);
    add(nodes, node, rates);
  }
  for (const pvc of pvcs) {
    const namespace = pvc.metadata?.namespace;
    if (!namespace || pvc.status?.phase !== "Bound" || !metered(namespace)) continue;
    const where = `${namespace}/pvc/${pvc.metadata?.name ?? "?"}`;
    add(namespaces, namespace, {
      storageBytes: read(pvc.status.capacity?.storage, where),
    });
  }
  return { namespaces, nodes, pods: counted, invalid };
}
