// The streams server the `streams` bench measures, in its own process so that its RSS is
// what is read: nautilus-control's HTTP API with its StreamsService over the bench cluster.
// The one namespace claim comes from the environment (no chain here); everything else —
// signed headers, ownership, impersonated pods/log, the byte meter — is the real path.
//
//   STREAMS_BENCH_KUBECONFIG, STREAMS_BENCH_NAMESPACE, STREAMS_BENCH_OWNER, STREAMS_BENCH_CLUSTER

import { KubeConfig } from "@kubernetes/client-node";
import { Registry } from "prom-client";
import { startApiServer } from "../../src/control/http/server.ts";
import { StreamsService } from "../../src/control/streams/index.ts";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const admin = new KubeConfig();
admin.loadFromFile(env("STREAMS_BENCH_KUBECONFIG"));
const namespace = env("STREAMS_BENCH_NAMESPACE");
const claims = new Map([
  [namespace, { namespace, owner: env("STREAMS_BENCH_OWNER"), capId: "0x1", released: false }],
]);
const api = await startApiServer(
  {
    requests: undefined as never,
    registry: new Registry(),
    readiness: [],
    info: {},
    clusterId: env("STREAMS_BENCH_CLUSTER"),
    streams: new StreamsService({
      admin,
      namespaces: claims,
      limits: { maxConcurrentPerTenant: 100 },
    }),
  },
  { host: "127.0.0.1", port: 0 },
);
process.stdout.write(`${api.url}\n`);
process.on("SIGTERM", () => {
  api.close().then(() => process.exit(0));
});
