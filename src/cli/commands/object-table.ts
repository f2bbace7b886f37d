import { age } from "../output.ts";

// kubectl-like columns for the objects `get` shows. Unknown kinds get NAME and AGE.

type KubeObject = {
  kind?: string;
  metadata?: { name?: string; creationTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

type Row = { headers: string[]; cells: (object: KubeObject) => string[] };

const created = (object: KubeObject) => {
  const stamp = object.metadata?.creationTimestamp;
  return stamp ? age(Date.parse(stamp)) : "";
};

const COLUMNS: Record<string, Row> = {
  Pod: {
    headers: ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
    cells: (object) => {
      const statuses = (object.status?.containerStatuses ?? []) as {
        ready?: boolean;
        restartCount?: number;
        state?: { waiting?: { reason?: string } };
      }[];
      const total = ((object.spec?.containers ?? []) as unknown[]).length;
      const waiting = statuses.find((status) => status.state?.waiting?.reason)?.state?.waiting;
      return [
        object.metadata?.name ?? "",
        `${statuses.filter((status) => status.ready).length}/${total}`,
        waiting?.reason ?? String(object.status?.phase ?? "Unknown"),
        String(statuses.reduce((sum, status) => sum + (status.restartCount ?? 0), 0)),
        created(object),
      ];
    },
  },
  Deployment: {
    headers: ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
    cells: (object) => [
      object.metadata?.name ?? "",
      `${object.status?.readyReplicas ?? 0}/${object.spec?.replicas ?? 0}`,
      String(object.status?.updatedReplicas ?? 0),
      String(object.status?.availableReplicas ?? 0),
      created(object),
    ],
  },
  Service: {
    headers: ["NAME", "TYPE", "CLUSTER-IP", "PORTS", "AGE"],
    cells: (object) => [
      object.metadata?.name ?? "",
      String(object.spec?.type ?? ""),
      String(object.spec?.clusterIP ?? ""),
      ((object.spec?.ports ?? []) as { port?: number; protocol?: string }[])
        .map((port) => `${port.port}/${port.protocol ?? "TCP"}`)
        .join(","),
      created(object),
    ],
  },
  Ingress: {
    headers: ["NAME", "HOSTS", "URLS", "AGE"],
    cells: (object) => {
      const rules = (object.spec?.rules ?? []) as { host?: string }[];
      const tlsHosts = new Set(
        ((object.spec?.tls ?? []) as { hosts?: string[] }[]).flatMap((tls) => tls.hosts ?? []),
      );
      const hosts = rules.map((rule) => rule.host).filter((host): host is string => !!host);
      return [
        object.metadata?.name ?? "",
        hosts.join(",") || "*",
        hosts.map((host) => ingressUrl(host, tlsHosts.has(host))).join(",") || "-",
        created(object),
      ];
    },
  },
};

/** Where a tenant's Ingress host is reached: https when its TLS section names the host. */
export function ingressUrl(host: string, tls: boolean): string {
  return `${tls ? "https" : "http"}://${host}/`;
}

const DEFAULT_ROW: Row = {
  headers: ["NAME", "AGE"],
  cells: (object) => [object.metadata?.name ?? "", created(object)],
};

/** A table of one object or of a list's items. */
export function objectTable(kind: string, output: unknown) {
  const items = (
    output && typeof output === "object" && Array.isArray((output as { items?: unknown }).items)
      ? (output as { items: KubeObject[] }).items
      : output
        ? [output as KubeObject]
        : []
  ) as KubeObject[];
  const row = COLUMNS[kind] ?? DEFAULT_ROW;
  return { headers: row.headers, rows: items.map((item) => row.cells(item)) };
}
