import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withScenario } from "../conformance/fixture.ts";

const pcr = (fill: number) => [...new Uint8Array(48).fill(fill)];

/** The positive side of `enclave::set_enclave_pcrs`: valid PCRs are stored and reported. */
describe("devnet: enclave PCRs", () => {
  it("set_enclave_pcrs stores three valid PCRs and reports them in EnclaveConfigEvent", () =>
    withScenario(async (s) => {
      const executed = await s.call(s.admin, "set_enclave_pcrs", {
        pcr0: pcr(1),
        pcr1: pcr(2),
        pcr2: pcr(3),
      });
      const stored = (await s.cluster()).pcrs.map((value) => [...value]);
      assert.deepEqual(stored, [pcr(1), pcr(2), pcr(3)]);
      const [event] = s.eventsOf(executed, "EnclaveConfigEvent");
      assert.deepEqual(event && { ...event, pcrs: event.pcrs.map((value) => [...value]) }, {
        cluster_id: s.clusterId,
        pcrs: [pcr(1), pcr(2), pcr(3)],
        allow_dev_enclave: true,
      });
    }));
});
