import { Counter, Gauge, type Registry } from "prom-client";

/** What the streams expose on /metrics. */
export class StreamMetrics {
  readonly open: Gauge<"kind">;
  readonly bytes: Counter<"kind">;
  readonly refused: Counter<"code">;
  readonly sessions: Counter<"kind">;

  constructor(registry: Registry) {
    this.open = new Gauge({
      name: "k8s_daas_streams_open",
      help: "Streams (logs, exec, attach, port-forward) open through the control plane",
      labelNames: ["kind"],
      registers: [registry],
    });
    this.bytes = new Counter({
      name: "k8s_daas_stream_bytes_total",
      help: "Bytes carried to tenants by streams",
      labelNames: ["kind"],
      registers: [registry],
    });
    this.sessions = new Counter({
      name: "k8s_daas_stream_sessions_total",
      help: "exec, attach and port-forward sessions opened (each also in the session audit)",
      labelNames: ["kind"],
      registers: [registry],
    });
    this.refused = new Counter({
      name: "k8s_daas_streams_refused_total",
      help: "Stream requests refused, by code",
      labelNames: ["code"],
      registers: [registry],
    });
  }
}
