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
 * Builds a `Snapshot` page by page (a list of 10,000 pods is read 500 at a time, so one
 * page, not the whole list, is in memory). A pod counts while it is `Running` on a node,
 * at `podRates` (requests, else limits); a claim counts its bound capacity; only in the
 * namespaces `metered` accepts.
 */
export class SnapshotBuilder {
  readonly #metered: (namespace: string) => boolean;
  readonly #namespaces = new Map<string, Rates>();
  readonly #nodes = new Map<string, Rates>();
  readonly #invalid: string[] = [];
  #pods = 0;

  constructor(metered: (namespace: string) => boolean) {
    this.#metered = metered;
  }

  addPods(pods: readonly PodItem[]): void {
    for (const pod of pods) {
      const namespace = pod.metadata?.namespace;
      const node = pod.spec?.nodeName;
      if (!namespace || !node || pod.status?.phase !== "Running" || !this.#metered(namespace))
        continue;
      this.#pods++;
      const where = `${namespace}/${pod.metadata?.name ?? "?"}`;
      const rates = podRates(pod.spec?.containers ?? [], (quantity) =>
        this.#invalid.push(`${where}: ${quantity}`),
      );
      add(this.#namespaces, namespace, rates);
      add(this.#nodes, node, rates);
    }
  }

  addClaims(pvcs: readonly PvcItem[]): void {
    for (const pvc of pvcs) {
      const namespace = pvc.metadata?.namespace;
      if (!namespace || pvc.status?.phase !== "Bound" || !this.#metered(namespace)) continue;
      const quantity = pvc.status.capacity?.storage;
      if (quantity === undefined) continue;
      let storageBytes = 0n;
      try {
        storageBytes = bytesOf(quantity);
      } catch (error) {
        if (!(error instanceof QuantityError)) throw error;
        this.#invalid.push(`${namespace}/pvc/${pvc.metadata?.name ?? "?"}: ${quantity}`);
      }
      add(this.#namespaces, namespace, { storageBytes });
    }
  }

  build(): Snapshot {
    return {
      namespaces: this.#namespaces,
      nodes: this.#nodes,
      pods: this.#pods,
      invalid: this.#invalid,
    };
  }
}

/** The rates of `pods` and `pvcs` in the namespaces `metered` accepts (`SnapshotBuilder`). */
export function takeSnapshot(
  pods: readonly PodItem[],
  pvcs: readonly PvcItem[],
  metered: (namespace: string) => boolean,
): Snapshot {
  const builder = new SnapshotBuilder(metered);
  builder.addPods(pods);
  builder.addClaims(pvcs);
  return builder.build();
}
