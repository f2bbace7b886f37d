// nautilus-control's API over TLS: a start whose TLS cannot come up fails with its own code
// (what `k8s-daas up` falls back to plain HTTP on), never silently in plain text.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import { startApiServer } from "../../src/control/http/server.ts";
import { openControlState } from "../../src/control/inbox/index.ts";

const CLUSTER = `0x${"ab".repeat(32)}`;

describe("control: the API's TLS", () => {
  it("fails to start with API_TLS_UNAVAILABLE when its certificate cannot be served", async () => {
    const state = openControlState(":memory:", { clusterId: CLUSTER });
    try {
      const options = {
        requests: state.requests,
        registry: new Registry(),
        readiness: [],
        info: { cluster: CLUSTER },
      };
      const listen = { host: "127.0.0.1", port: 0 };
      await assert.rejects(
        startApiServer(
          { ...options, tls: () => ({ key: "not a key", cert: "not a cert" }) },
          listen,
        ),
        { code: "API_TLS_UNAVAILABLE", message: /cannot serve the API over TLS/ },
      );
      await assert.rejects(
        startApiServer(
          {
            ...options,
            tls: () => {
              throw new Error("no ed25519 in this TLS library");
            },
          },
          listen,
        ),
        { code: "API_TLS_UNAVAILABLE", message: /no ed25519 in this TLS library/ },
      );
    } finally {
      state.inbox.close();
    }
  });
});
