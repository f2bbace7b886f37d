import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KUBE_SESSION_TTL_MS, KubeSessions } from "../../src/control/http/kube-session.ts";

describe("kube session tokens", () => {
  it("name their address until they expire, then nothing", () => {
    let now = 1_000_000;
    const sessions = new KubeSessions(() => now);
    const { token, expiresAtMs } = sessions.issue("0xa");
    assert.equal(expiresAtMs, now + KUBE_SESSION_TTL_MS);
    assert.equal(sessions.addressOf(token), "0xa");
    assert.equal(sessions.addressOf(`${token}x`), undefined);
    now = expiresAtMs;
    assert.equal(sessions.addressOf(token), undefined);
    assert.equal(sessions.size, 0);
  });

  it("keep at most 16 per address, dropping the oldest", () => {
    const sessions = new KubeSessions();
    const tokens = Array.from({ length: 17 }, () => sessions.issue("0xa").token);
    assert.equal(sessions.addressOf(tokens[0] ?? ""), undefined);
    assert.equal(sessions.addressOf(tokens[16] ?? ""), "0xa");
    assert.equal(sessions.size, 16);
    assert.notEqual(new Set(tokens).size, 1);
  });
});
