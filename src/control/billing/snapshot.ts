// What is running right now, as rates: per namespace and per node, the CPU (milli-cores)
// and memory (bytes) that running pods requested, and per namespace the capacity (bytes)
// of bound PersistentVolumeClaims. Metering multiplies these rates by elapsed time.
import { bytesOf, cpuMilliCores, QuantityError } from "./quantities.ts";

/** Resources held at one instant. */
export interface Rates {
  cpuMilliCores: bigint;
  memoryBytes: bigint;
  storageBytes: bigint;
}

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
  readonly resources?: { readonly requests?: ResourceList; readonly limits?: ResourceList };
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

const zero = (): Rates => ({ cpuMilliCores: 0n, memoryBytes: 0n, storageBytes: 0n });

function add(map: Map<string, Rates>, key: string, rates: Partial<Rates>): void {
  let entry = map.get(key);
  if (!entry) {
    entry = zero();
    map.set(key, entry);
  }
  entry.cpuMilliCores += rates.cpuMilliCores ?? 0n;
  entry.memoryBytes += rates.memoryBytes ?? 0n;
  entry.storageBytes += rates.storageBytes ?? 0n;
}

/**
 * The rates of `pods` and `pvcs` in the namespaces `metered` accepts. A pod counts while
 * it is `Running` on a node; each container counts its request, or its limit when it sets
 * no request for that resource (Kubernetes then uses the limit as the request). A claim
 * counts its bound capacity. Init containers and pod overhead are not billed.
 */
export function takeSnapshot(
  pods: readonly PodItem[],
  pvcs: readonly PvcItem[],
  metered: (namespace: string) => boolean,
): Snapshot {
  const namespaces = new Map<string, Rates>();
  const nodes = new Map<string, Rates>();
  const invalid: string[] = [];
  const read = (quantity: string | undefined, parse: (q: string) => bigint, where: string) => {
    if (quantity === undefined) return 0n;
    try {
      return parse(quantity);
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
    const rates: Rates = zero();
    for (const container of pod.spec?.containers ?? []) {
      const { requests = {}, limits = {} } = container.resources ?? {};
      rates.cpuMilliCores += read(requests.cpu ?? limits.cpu, cpuMilliCores, where);
      rates.memoryBytes += read(requests.memory ?? limits.memory, bytesOf, where);
    }
    add(namespaces, namespace, rates);
    add(nodes, node, rates);
  }
  for (const pvc of pvcs) {
    const namespace = pvc.metadata?.namespace;
    if (!namespace || pvc.status?.phase !== "Bound" || !metered(namespace)) continue;
    const where = `${namespace}/pvc/${pvc.metadata?.name ?? "?"}`;
    add(namespaces, namespace, {
      storageBytes: read(pvc.status.capacity?.storage, bytesOf, where),
    });
  }
  return { namespaces, nodes, pods: counted, invalid };
}
