import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addCall } from "../../src/chain/k8s-daas.ts";
import { findAppliedObjects } from "../../src/k8s/index.ts";
import { requestIdsOf } from "../../src/protocol/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import {
  execute,
  newTenant,
  openStack,
  type Stack,
  submitConfigMap,
  waitForResult,
} from "../helpers/stack.ts";
import { buildAdmissionCorpus, type CorpusCase } from "./admission/corpus.ts";

const SAMPLE = 240;
const PER_TX = 30;

/** Every expected code at least once, then an even spread over the rest of the corpus. */
function sample(cases: readonly CorpusCase[], size: number): CorpusCase[] {
  const byCode = new Map<string, CorpusCase>();
  for (const c of cases) if (!byCode.has(c.code)) byCode.set(c.code, c);
  const chosen = new Set(byCode.values());
  const step = cases.length / size;
  for (let i = 0; chosen.size < size && i < cases.length; i++) {
    const c = cases[Math.floor(i * step) % cases.length];
    if (c) chosen.add(c);
  }
  return [...chosen];
}

describe("admission on chain: malformed and forbidden manifests get failed results and create nothing", () => {
  let stack: Stack;
  before(async () => {
    const cluster = await testCluster();
    stack = await openStack(cluster.kubeConfig());
    await stack.startControl();
  });
  after(() => stack?.close());

  it(`${SAMPLE} corpus requests, each refused with its code; the namespace holds only the canary`, async () => {
    const tenant = await newTenant(stack, `corpus-${Date.now().toString(36)}`);
    // A valid request first, so the namespace exists and "nothing created" is meaningful.
    const canary = await submitConfigMap(stack, tenant, "canary", { priority: 9 });
    assert.ok((await waitForResult(stack, canary)).status_code < 300);

    const cases = sample(
      buildAdmissionCorpus(tenant.namespace).filter((c) => c.onChain),
      SAMPLE,
    );
    assert.ok(cases.length >= 200, `only ${cases.length} on-chain cases`);
    const expected = new Map<bigint, CorpusCase>();
    for (let first = 0; first < cases.length; first += PER_TX) {
      const batch = cases.slice(first, first + PER_TX);
      const result = await execute(stack.client, tenant.key, (tx) => {
        for (const c of batch) {
          addCall(
            tx,
            stack.packageId,
            "submit",
            {
              method: c.request.method,
              resource: c.request.resource,
              namespace: c.request.namespace,
              name: c.request.name,
              payload: c.request.payload,
              priority: 1,
            },
            { cluster: stack.clusterId, cap: tenant.capId },
            1_000_000n,
          );
        }
      });
      const ids = requestIdsOf(result.events);
      assert.equal(ids.length, batch.length);
      ids.forEach((id, i) => {
        const c = batch[i];
        if (c) expected.set(id, c);
      });
    }
    for (const [id, c] of expected) {
      const result = await waitForResult(stack, id);
      assert.ok(
        result.status_code >= 400,
        `${c.name}: got ${result.status_code} ${result.summary}`,
      );
      assert.ok(
        result.summary.includes(c.code),
        `${c.name}: expected ${c.code}, got ${result.summary}`,
      );
    }
    const applied = await findAppliedObjects(stack.kubeConfig, { namespaces: [tenant.namespace] });
    assert.deepEqual(
      applied.map((object) => `${object.resource}/${object.name}`),
      ["configmaps/canary"],
    );
  });
});
