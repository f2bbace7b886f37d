import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { SubmissionJournal } from "../../src/chain/journal.ts";

const signed = (n: number) => ({
  intentKey: `complete:req-${n}`,
  sender: "0xabc",
  digest: `digest-${n}`,
  txBytes: new Uint8Array([1, 2, n]),
  signature: `sig-${n}`,
});

describe("SubmissionJournal", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "chain-journal-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps signed bytes across a reopen of the file", () => {
    const path = join(dir, "journal.sqlite");
    const first = new SubmissionJournal(path, { now: () => 1_000 });
    first.recordSigned(signed(1));
    first.close();

    const second = new SubmissionJournal(path);
    const entry = second.get("complete:req-1");
    assert.ok(entry);
    assert.equal(entry.state, "signed");
    assert.equal(entry.digest, "digest-1");
    assert.deepEqual(entry.txBytes, new Uint8Array([1, 2, 1]));
    assert.equal(entry.createdAtMs, 1_000);
    assert.deepEqual(
      second.unsettled().map((e) => e.intentKey),
      ["complete:req-1"],
    );
    second.close();
  });

  it("refuses a second transaction for the same intent", () => {
    const journal = new SubmissionJournal(":memory:");
    journal.recordSigned(signed(1));
    assert.throws(() => journal.recordSigned({ ...signed(2), intentKey: "complete:req-1" }), {
      code: "CHAIN_INTENT_CONFLICT",
    });
    assert.equal(journal.get("complete:req-1")?.digest, "digest-1");
  });

  it("settles outcomes and drops them from the unsettled list", () => {
    const journal = new SubmissionJournal(":memory:");
    journal.recordSigned(signed(1));
    journal.recordSigned(signed(2));
    journal.settle("complete:req-1", "succeeded", null);
    const failed = journal.settle("complete:req-2", "failed", '{"message":"abort"}');
    assert.equal(failed.detail, '{"message":"abort"}');
    assert.deepEqual(journal.unsettled(), []);
  });

  it("replaces a dead transaction only from the digest it proved dead", () => {
    const journal = new SubmissionJournal(":memory:");
    journal.recordSigned(signed(1));
    journal.settle("complete:req-1", "rejected", "gas coin version moved");
    const next = { digest: "digest-1b", txBytes: new Uint8Array([9]), signature: "sig-1b" };
    const replaced = journal.replaceDead("complete:req-1", "digest-1", next);
    assert.equal(replaced.state, "signed");
    assert.equal(replaced.digest, "digest-1b");
    assert.deepEqual(replaced.supersededDigests, ["digest-1"]);
    assert.throws(() => journal.replaceDead("complete:req-1", "digest-1", next), {
      code: "CHAIN_INTENT_CONFLICT",
    });
  });

  it("shares a caller's database without closing it", () => {
    const db = new DatabaseSync(":memory:");
    const journal = new SubmissionJournal(db);
    journal.recordSigned(signed(3));
    journal.close();
    const row = db.prepare("SELECT count(*) AS n FROM chain_intents").get();
    assert.equal(row?.n, 1);
    db.close();
  });
});
