import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Schedulable, Scheduler } from "../../src/control/pipeline/scheduler.ts";

let nextId = 1n;
const req = (tenant: string, namespace: string, priority = 0): Schedulable => ({
  requestId: nextId++,
  tenant,
  namespace,
  priority,
});

function drain(scheduler: Scheduler<Schedulable>): Schedulable[] {
  const order: Schedulable[] = [];
  for (let item = scheduler.take(); item; item = scheduler.take()) {
    order.push(item);
    scheduler.finished(item);
  }
  return order;
}

describe("control: scheduler", () => {
  it("runs higher priorities first across namespaces, oldest first inside a level", () => {
    const s = new Scheduler(1);
    const low = req("a", "a1", 1);
    const high = req("a", "a2", 9);
    const mid1 = req("a", "a3", 5);
    const mid2 = req("a", "a4", 5);
    for (const r of [low, high, mid1, mid2]) s.enqueue(r);
    assert.deepEqual(drain(s), [high, mid1, mid2, low]);
  });

  it("keeps acceptance order inside a namespace, whatever the priorities", () => {
    const s = new Scheduler(4);
    const create = req("a", "shared", 1);
    const patch = req("a", "shared", 9);
    const other = req("b", "elsewhere", 5);
    for (const r of [create, patch, other]) s.enqueue(r);
    // The waiting priority-9 PATCH lifts its namespace ahead of `elsewhere`, but the POST
    // accepted before it still runs first; and only one request per namespace is in flight.
    assert.deepEqual([s.take(), s.take(), s.take()], [create, other, undefined]);
    s.finished(create);
    assert.equal(s.take(), patch);
  });

  it("restores acceptance order for requests re-queued out of order after a restart", () => {
    const s = new Scheduler(1);
    const first = req("a", "ns");
    const second = req("a", "ns");
    s.enqueue(second);
    s.enqueue(first);
    assert.deepEqual(drain(s), [first, second]);
  });

  it("alternates between tenants inside a level, so a busy tenant cannot starve others", () => {
    const s = new Scheduler(1);
    const busy = Array.from({ length: 5 }, (_, i) => req("busy", `b${i}`));
    const quiet = [req("quiet", "q0"), req("quiet", "q1")];
    for (const r of busy) s.enqueue(r);
    for (const r of quiet) s.enqueue(r);
    const order = drain(s).map((r) => r.tenant);
    assert.deepEqual(order.slice(0, 4), ["busy", "quiet", "busy", "quiet"]);
  });

  it("never runs more than `concurrency` at once", () => {
    const s = new Scheduler(2);
    for (let i = 0; i < 5; i++) s.enqueue(req(`t${i}`, `n${i}`));
    const first = s.take();
    const second = s.take();
    assert.ok(first && second);
    assert.equal(s.take(), undefined);
    assert.equal(s.running, 2);
    s.finished(first);
    assert.ok(s.take());
  });

  it("drops cancelled requests and ignores duplicates", () => {
    const s = new Scheduler(1);
    const kept = req("a", "x");
    const cancelled = req("a", "y");
    s.enqueue(kept);
    s.enqueue(kept);
    s.enqueue(cancelled);
    assert.equal(s.queued, 2);
    assert.equal(s.remove(cancelled.requestId), true);
    assert.equal(s.remove(cancelled.requestId), false);
    assert.deepEqual(drain(s), [kept]);
  });

  it("reports the queue depth per priority", () => {
    const s = new Scheduler(1);
    s.enqueue(req("a", "1", 3));
    s.enqueue(req("b", "2", 3));
    s.enqueue(req("a", "3", 7));
    assert.deepEqual(Object.fromEntries(s.depthByPriority()), { 3: 2, 7: 1 });
  });

  it("refuses a concurrency that is not a positive whole number", () => {
    assert.throws(() => new Scheduler(0), /positive whole number/);
  });
});
