// Meters that die and take over, for the crash-window tests: one data dir (inbox with the
// enclave sequences, the submission journal, billing.sqlite) and the real EnclavePoster,
// Submitter and journal, against the stack's devnet and kube-testenv. Each `meter()` is a
// fresh process's meter on that data dir; stopping one without marking is what a SIGKILL
// leaves.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import {
  type BillingView,
  readBillingView,
  SubmissionJournal,
  Submitter,
} from "../../../src/chain/index.ts";
import {
  type BillingConfig,
  BillingMeter,
  BillingStore,
} from "../../../src/control/billing/index.ts";
import { EnclavePoster } from "../../../src/control/enclave-poster.ts";
import { openControlState } from "../../../src/control/inbox/index.ts";
import { KubeApiClient } from "../../../src/k8s/index.ts";
import { abortConstantName } from "../../../src/protocol/index.ts";
import type { Stack } from "../../helpers/stack.ts";

export interface MeterRig {
  /** Holds inbox.sqlite, journal.sqlite and billing.sqlite. */
  readonly dataDir: string;
  /** The real poster; wrap it to make a meter die around a post. */
  readonly poster: EnclavePoster;
  /** A fresh meter on the rig's data dir, posting through `post`. */
  meter(post: Pick<EnclavePoster, "post">): BillingMeter;
  /** The chain's billing state now. */
  view(): Promise<BillingView>;
  /** Runs passes of `meter` (errors ignored, as the daemon logs them) until `done`. */
  passUntil(meter: BillingMeter, done: () => Promise<boolean> | boolean): Promise<void>;
  close(): void;
}

export function openMeterRig(stack: Stack, name: string, config: BillingConfig): MeterRig {
  const dataDir = join(stack.dataDir, name);
  mkdirSync(dataDir, { recursive: true });
  const state = openControlState(join(dataDir, "inbox.sqlite"), {
    clusterId: stack.clusterId,
    packageId: stack.packageId,
  });
  const journal = new SubmissionJournal(join(dataDir, "journal.sqlite"));
  const poster = new EnclavePoster({
    sequences: state.sequences,
    signer: stack.enclave,
    submitter: new Submitter({
      client: stack.client,
      signer: stack.operator,
      journal,
      abortNames: abortConstantName,
    }),
    client: stack.client,
    packageId: stack.packageId,
    clusterId: stack.clusterId,
  });
  const read = (query = {}, signal?: AbortSignal) =>
    readBillingView(
      stack.client,
      stack.packageId,
      stack.clusterId,
      stack.operator.toSuiAddress(),
      query,
      signal,
    );
  return {
    dataDir,
    poster,
    meter: (post) =>
      new BillingMeter({
        store: new BillingStore(join(dataDir, "billing.sqlite")),
        kube: new KubeApiClient(stack.kubeConfig),
        poster: post,
        readView: read,
        clusterId: stack.clusterId,
        config,
        log: pino({ level: "silent" }),
      }),
    view: () => read(),
    passUntil: async (meter, done) => {
      while (!(await done())) {
        await meter.pass().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, config.sampleIntervalMs));
      }
    },
    close: () => {
      state.inbox.close();
      journal.close();
    },
  };
}
