// What pinned HTTPS costs a client of nautilus-control: the same signed GET (a tenant asking
// for a request's status) against the real API server, once over HTTPS with the enclave's
// TLS key through the pinned transport, once over plain HTTP (`--insecure-http`). Each GET
// opens its own connection, as one CLI command does, so the TLS handshake is in the figure.

import type { IncomingMessage } from "node:http";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Registry } from "prom-client";
import { type ControlTransport, controlTransport } from "../../src/chain/index.ts";
import { signedHeaders } from "../../src/control/http/auth.ts";
import { type ApiServer, startApiServer } from "../../src/control/http/server.ts";
import { openControlState } from "../../src/control/inbox/index.ts";
import { generateTlsKey, tlsServerCredentials } from "../../src/tee/index.ts";
import { type Figure, percentile, type Suite } from "../report.ts";

const GETS = 300;
const CLUSTER = `0x${"7c".repeat(32)}`;

export const tlsSuite: Suite = {
  name: "tls",
  description: `${GETS} signed GETs to the control plane API: pinned HTTPS beside plain HTTP, p50`,
  async run(): Promise<Figure[]> {
    const state = openControlState(":memory:", { clusterId: CLUSTER });
    const tenant = Ed25519Keypair.generate();
    const tlsKey = generateTlsKey();
    const options = { requests: state.requests, registry: new Registry(), readiness: [] };
    const listen = { host: "127.0.0.1", port: 0 };
    const servers: ApiServer[] = [];
    try {
      const https = await startApiServer(
        {
          ...options,
          info: { cluster: CLUSTER },
          tls: () => tlsServerCredentials(tlsKey, { dnsNames: [], ipAddresses: ["127.0.0.1"] }),
        },
        listen,
      );
      servers.push(https);
      const http = await startApiServer({ ...options, info: { cluster: CLUSTER } }, listen);
      servers.push(http);
      const pin = { registeredTlsKeySha256: async () => tlsKey.spkiSha256 };
      const pinned = controlTransport({ url: https.url, pin });
      const plain = controlTransport({ url: http.url, pin, insecureHttp: true });
      const timedGet = async (transport: ControlTransport): Promise<number> => {
        const url = `${transport.url}/v1/requests/1`;
        const headers = await signedHeaders(tenant, { clusterId: CLUSTER, method: "GET", url });
        const started = performance.now();
        const res: IncomingMessage = await transport.request(url, { headers });
        for await (const _ of res) {
          // read the body: the reply is whole when the stream ends
        }
        const elapsed = performance.now() - started;
        if (res.statusCode !== 404) throw new Error(`GET answered ${res.statusCode}, not 404`);
        return elapsed;
      };
      // Warm both paths (code loaded, the pin read) before measuring.
      for (let i = 0; i < 20; i++) await timedGet(pinned).then(() => timedGet(plain));
      const overHttps: number[] = [];
      const overHttp: number[] = [];
      for (let i = 0; i < GETS; i++) {
        overHttps.push(await timedGet(pinned));
        overHttp.push(await timedGet(plain));
      }
      const httpsP50 = percentile(overHttps, 50);
      const httpP50 = percentile(overHttp, 50);
      return [
        {
          suite: "tls",
          metric: "https_get_p50_ms",
          value: httpsP50,
          unit: "ms",
          note: "signed GET, new pinned TLS 1.3 connection (ed25519) each",
        },
        {
          suite: "tls",
          metric: "http_get_p50_ms",
          value: httpP50,
          unit: "ms",
          note: "baseline: the same GET over plain HTTP (--insecure-http)",
        },
        {
          suite: "tls",
          metric: "https_p50_added_ms",
          value: httpsP50 - httpP50,
          unit: "ms",
          note: "added p50 latency of pinned HTTPS for a signed GET",
        },
      ];
    } finally {
      for (const server of servers) await server.close();
      state.inbox.close();
    }
  },
};
