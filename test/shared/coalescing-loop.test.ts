import assert from "node:assert/strict";
import { test } from "node:test";
import { CoalescingLoop } from "../../src/shared/coalescing-loop.ts";

/** A pass that waits until the test lets it finish, counting how many ran. */
function gatedPass() {
  let release: () => void = () => {};
  const state = {
    passes: 0,
    concurrent: 0,
    maxConcurrent: 0,
    open: () => release(),
    pass: async () => {
      state.passes++;
      state.concurrent++;
      state.maxConcurrent = Math.max(state.maxConcurrent, state.concurrent);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      state.concurrent--;
    },
  };
  return state;
}

test("kicks during a pass collapse into exactly one more pass, never two at once", async () => {
  const gate = gatedPass();
  const loop = new CoalescingLoop({
    pass: gate.pass,
    onError: (error) => assert.fail(String(error)),
  });
  loop.kick();
  loop.kick();
  loop.kick();
  loop.kick();
  assert.equal(gate.passes, 1);
  gate.open();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(gate.passes, 2, "the kicks during the first pass made one more");
  gate.open();
  await loop.idle;
  assert.equal(gate.passes, 2);
  assert.equal(gate.maxConcurrent, 1);
});

test("a failing pass is reported and the loop keeps working", async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const loop = new CoalescingLoop({
    pass: async () => {
      calls++;
      if (calls === 1) throw new Error("boom");
    },
    onError: (error) => errors.push(error),
  });
  loop.kick();
  await loop.idle;
  loop.kick();
  await loop.idle;
  assert.equal(calls, 2);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /boom/);
});

test("stop waits for the pass under way and ignores later kicks", async () => {
  const gate = gatedPass();
  const loop = new CoalescingLoop({
    pass: gate.pass,
    onError: (error) => assert.fail(String(error)),
  });
  loop.kick();
  let stopped = false;
  const stopping = loop.stop().then(() => {
    stopped = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stopped, false, "stop waits for the running pass");
  gate.open();
  await stopping;
  loop.kick();
  assert.equal(gate.passes, 1);
});
