import assert from "node:assert/strict";
import { test } from "node:test";
import { ServiceStartError, startServices } from "../../src/shared/services.ts";

function recorder() {
  const log: string[] = [];
  const service = (name: string, options: { failStart?: boolean; failStop?: boolean } = {}) => ({
    name,
    start: async () => {
      if (options.failStart) throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
    },
    stop: async () => {
      log.push(`stop ${name}`);
      if (options.failStop) throw new Error(`${name} cannot stop`);
    },
  });
  return { log, service };
}

test("services start in order and stop in reverse", async () => {
  const { log, service } = recorder();
  const stop = await startServices([service("a"), service("b"), service("c")], assert.fail);
  await stop();
  assert.deepEqual(log, ["start a", "start b", "start c", "stop c", "stop b", "stop a"]);
});

test("a failed start stops what had started, in reverse, and names the service", async () => {
  const { log, service } = recorder();
  await assert.rejects(
    startServices([service("a"), service("b"), service("c", { failStart: true })], assert.fail),
    (error: unknown) =>
      error instanceof ServiceStartError &&
      error.service === "c" &&
      /c cannot start/.test(error.message),
  );
  assert.deepEqual(log, ["start a", "start b", "stop b", "stop a"]);
});

test("a failing stop is reported and the others still stop", async () => {
  const { log, service } = recorder();
  const failures: string[] = [];
  const stop = await startServices([service("a"), service("b", { failStop: true })], (name) =>
    failures.push(name),
  );
  await stop();
  assert.deepEqual(log, ["start a", "start b", "stop b", "stop a"]);
  assert.deepEqual(failures, ["b"]);
});
