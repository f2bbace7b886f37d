// The shared steps of the conformance twins: each Move unit test in move/tests has a TS
// twin that replays its scenario on an in-process devnet through the real SuiGrpcClient
// (transactions signed by Ed25519 keys, enclave messages signed over `signingBytes`) and
// asserts the same outcome. `begin()` mirrors `test_env::begin()`; the methods of
// `Scenario` mirror the other `test_env` helpers, so twins read like their Move originals.
import assert from "node:assert/strict";
import { it } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import type { SuiClientTypes } from "@mysten/sui/client";
import { SimulationError } from "@mysten/sui/client";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Transaction, type TransactionArgument } from "@mysten/sui/transactions";
import { normalizeStructTag } from "@mysten/sui/utils";
import { addAttestedEnclaveRegistration } from "../../src/chain/index.ts";
import { CoinLayout, type Devnet, openDevnet } from "../../src/devnet/index.ts";
import {
  abortCodeInfo,
  CALLS,
  type CallName,
  EVENT_SCHEMAS,
  type EventName,
  eventType,
  type IntentKind,
  type MoveModule,
  type PayloadInput,
  signingBytes,
} from "../../src/protocol/index.ts";
import { ClusterObject, objectType } from "../../src/protocol/objects.ts";
import { createTestNitroCa } from "../helpers/nitro-ca.ts";
import * as golden from "../protocol/golden-fixtures.ts";

export { golden };

/**
 * The Nitro CA twins trust in place of AWS's (no Nitro hardware here): its documents are
 * valid around the golden time. `begin({ nitroRoot: "aws" })` trusts the real AWS root.
 */
export const TEST_NITRO_CA = createTestNitroCa(
  Number(golden.TIMESTAMP_MS) - 86_400_000,
  Number(golden.TIMESTAMP_MS) + 86_400_000,
);

/** `golden::timestamp_ms()`: where every Move test's clock stands. */
export const GOLDEN_MS = Number(golden.TIMESTAMP_MS);
const FUNDING_MIST = 1_000_000_000_000n;
const GAS_BUDGET_MIST = 50_000_000n;
const GAS_PRICE = 1000n;

/** A BCS schema as far as reading goes (`src/protocol` layouts, `bcs.u64()`, ...). */
export interface Decoder<T> {
  parse(bytes: Uint8Array): T;
}

/** A transaction that ran on the devnet, as the client reports it. */
export interface Executed {
  readonly digest: string;
  readonly events: readonly { eventType: string; bcs: Uint8Array }[];
  readonly objectTypes: Readonly<Record<string, string>>;
  readonly changedObjects: readonly SuiClientTypes.ChangedObject[];
}

/** A Move abort of `k8s_daas`, seen identically in simulation and on chain. */
export class TwinAbortError extends Error {
  readonly module: string;
  readonly code: number;
  readonly constant: string | undefined;
  /** The Move function whose assertion failed (`assert_admin`, `borrow_pending_mut`, ...). */
  readonly functionName: string | undefined;
  constructor(abort: MoveAbortSeen) {
    const constant = abortCodeInfo(abort.module, abort.code)?.name;
    super(
      `Move abort ${abort.module}::${constant ?? "?"} (${abort.code}) in ${abort.functionName}`,
    );
    this.name = "TwinAbortError";
    this.module = abort.module;
    this.code = abort.code;
    this.constant = constant;
    this.functionName = abort.functionName;
  }
}

interface MoveAbortSeen {
  module: string;
  code: number;
  functionName: string | undefined;
}

/** The Move abort inside an execution error (module and code), if it is one. */
function moveAbortOf(error: SuiClientTypes.ExecutionError | undefined): MoveAbortSeen | undefined {
  if (error?.$kind !== "MoveAbort") return undefined;
  const { abortCode, location, cleverError } = error.MoveAbort;
  const module = location?.module ?? "?";
  const code = Number(abortCode);
  // A node may name the constant itself; it must then agree with the protocol's table.
  if (cleverError?.constantName !== undefined) {
    assert.equal(cleverError.constantName, abortCodeInfo(module, code)?.name, error.message);
  }
  return { module, code, functionName: location?.functionName ?? undefined };
}

/**
 * Awaits `promise` and asserts it failed with `module::constant` — in simulation and on
 * chain alike (`Scenario` checks both before it throws a TwinAbortError).
 */
export async function expectAbort(
  promise: Promise<unknown>,
  module: MoveModule,
  constant: string,
): Promise<void> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(outcome, `expected the abort ${module}::${constant}, but the call succeeded`);
  assert.ok(outcome instanceof TwinAbortError, `expected a Move abort, got ${String(outcome)}`);
  assert.equal(`${outcome.module}::${outcome.constant}`, `${module}::${constant}`);
}

/** Values of the named pure parameters and object ids / coin amounts of a call. */
export type CallArgs = Record<string, unknown>;
type Build = (tx: Transaction) => void;

/** The chain of one twin: a fresh devnet with the cluster "prod" created by `admin`. */
export class Scenario {
  readonly devnet: Devnet;
  readonly client: SuiGrpcClient;
  /** `test_env::admin()`, `tenant()`, `other()`, `worker_owner()`. */
  readonly admin = Ed25519Keypair.generate();
  readonly tenant = Ed25519Keypair.generate();
  readonly other = Ed25519Keypair.generate();
  readonly workerOwner = Ed25519Keypair.generate();
  /** The golden enclave key and the key rotated to (`golden::other_public_key()`). */
  readonly enclaveKey = golden.enclaveKey;
  readonly otherKey = golden.otherKey;
  /** `golden::enclave_encryption_key()` and `golden::other_encryption_key()`, as key pairs. */
  readonly enclaveEncryptionKey = golden.enclaveEncryptionKey;
  readonly otherEncryptionKey = golden.otherEncryptionKey;
  /** `golden::enclave_tls_key_sha256()` and `golden::other_tls_key_sha256()`. */
  readonly enclaveTlsKeySha256 = golden.enclaveTlsKeySha256;
  readonly otherTlsKeySha256 = golden.otherTlsKeySha256;
  clusterId = "";
  adminCapId = "";

  constructor(devnet: Devnet) {
    this.devnet = devnet;
    this.client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
  }

  get packageId(): string {
    return this.devnet.packageId;
  }

  close(): Promise<void> {
    return this.devnet.close();
  }

  // === Transactions ===

  /** Calls `name` with `args` (pure values by parameter name; objects default to this cluster and its AdminCap; coins are amounts split from gas). */
  call(signer: Ed25519Keypair, name: CallName, args: CallArgs = {}): Promise<Executed> {
    return this.transact(signer, (tx) => {
      this.moveCall(tx, name, args);
    });
  }

  /** Adds the moveCall of `name` to `tx`, its arguments laid out as `CALLS` declares them. */
  moveCall(tx: Transaction, name: CallName, args: CallArgs): void {
    const descriptor = CALLS[name];
    const value = (param: string, fallback?: unknown) => {
      const given = param in args ? args[param] : fallback;
      if (given === undefined) throw new Error(`${name}: no value for ${param}`);
      return given;
    };
    const arguments_: TransactionArgument[] = descriptor.params.map((param) => {
      switch (param.kind) {
        case "pure":
          return tx.pure(param.bcs.serialize(value(param.name)).toBytes());
        case "object": {
          const fallback =
            param.type === "Cluster"
              ? this.clusterId
              : param.type === "AdminCap"
                ? this.adminCapId
                : undefined;
          return tx.object(value(param.name, fallback) as string);
        }
        case "coin": {
          const [coin] = tx.splitCoins(tx.gas, [value(param.name) as bigint]);
          return coin as TransactionArgument;
        }
        case "clock":
          return tx.object.clock();
        default:
          throw new Error(`${name}: pass the attestation through registerAttested`);
      }
    });
    tx.moveCall({
      target: `${this.packageId}::${descriptor.module}::${descriptor.function}`,
      arguments: arguments_,
    });
  }

  /**
   * Builds (the SDK simulates), signs and executes. When simulation reports a Move abort,
   * the same transaction is also sent unsimulated, and must fail on chain with the same
   * abort; the TwinAbortError is thrown only then.
   */
  async transact(signer: Ed25519Keypair, build: Build): Promise<Executed> {
    const tx = new Transaction();
    tx.setSender(signer.toSuiAddress());
    build(tx);
    let bytes: Uint8Array;
    try {
      bytes = await tx.build({ client: this.client });
    } catch (error) {
      const simulated =
        error instanceof SimulationError ? moveAbortOf(error.executionError) : undefined;
      if (!simulated) throw error;
      const onChain = await this.#failOnChain(signer, build);
      assert.deepEqual(onChain, simulated, "simulation and chain disagree on the abort");
      throw new TwinAbortError(simulated);
    }
    return this.#execute(signer, bytes);
  }

  async #execute(signer: Ed25519Keypair, bytes: Uint8Array): Promise<Executed> {
    const { signature } = await signer.signTransaction(bytes);
    const result = await this.client.executeTransaction({
      transaction: bytes,
      signatures: [signature],
      include: { effects: true, events: true, objectTypes: true },
    });
    if (result.$kind === "FailedTransaction") {
      const abort = moveAbortOf(result.FailedTransaction.status.error ?? undefined);
      if (abort) throw new TwinAbortError(abort);
      throw new Error(`transaction failed: ${JSON.stringify(result.FailedTransaction.status)}`);
    }
    const done = result.Transaction;
    return {
      digest: done.digest,
      events: done.events ?? [],
      objectTypes: done.objectTypes ?? {},
      changedObjects: done.effects?.changedObjects ?? [],
    };
  }

  /** Sends `build` with explicit gas and no simulation; returns the abort it fails with. */
  async #failOnChain(signer: Ed25519Keypair, build: Build): Promise<MoveAbortSeen> {
    const draft = new Transaction();
    draft.setSender(signer.toSuiAddress());
    build(draft);
    const kind = await draft.build({ client: this.client, onlyTransactionKind: true });
    const tx = Transaction.fromKind(kind);
    tx.setSender(signer.toSuiAddress());
    tx.setGasPrice(GAS_PRICE);
    tx.setGasBudget(GAS_BUDGET_MIST);
    const coins = await this.client.listCoins({ owner: signer.toSuiAddress() });
    tx.setGasPayment(
      coins.objects.map((c) => ({ objectId: c.objectId, version: c.version, digest: c.digest })),
    );
    const failure = await this.#execute(signer, await tx.build()).then(
      () => assert.fail("the simulated abort did not happen on chain"),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof TwinAbortError, String(failure));
    return { module: failure.module, code: failure.code, functionName: failure.functionName };
  }

  /**
   * Calls a read-only accessor (`requests::status`, `tenancy::owner`, ...) on this
   * cluster in a simulated transaction and decodes its return value; aborts as `transact`.
   * With `onCluster: false` the function takes only the pure arguments
   * (`messages::intent_request_result`, `requests::pod_manifest`, ...).
   */
  view<T>(
    target: `${MoveModule}::${string}`,
    pureArgs: readonly Uint8Array[],
    returns: Decoder<T>,
    options: { onCluster?: boolean } = {},
  ): Promise<T> {
    return this.#simulatedReturn(this.admin, returns, (tx) => {
      const pure = pureArgs.map((bytes) => tx.pure(bytes));
      tx.moveCall({
        target: `${this.packageId}::${target}`,
        arguments: options.onCluster === false ? pure : [tx.object(this.clusterId), ...pure],
      });
    });
  }

  /** What calling `name` would return (simulated: nothing is executed). */
  returnOf<T>(
    signer: Ed25519Keypair,
    name: CallName,
    args: CallArgs,
    returns: Decoder<T>,
  ): Promise<T> {
    return this.#simulatedReturn(signer, returns, (tx) => this.moveCall(tx, name, args));
  }

  /** The first return value of the last command of `build`, simulated. */
  async #simulatedReturn<T>(signer: Ed25519Keypair, returns: Decoder<T>, build: Build): Promise<T> {
    const tx = new Transaction();
    tx.setSender(signer.toSuiAddress());
    build(tx);
    const simulated = await this.client.simulateTransaction({
      transaction: tx,
      include: { commandResults: true, effects: true },
    });
    if (simulated.$kind === "FailedTransaction") {
      const abort = moveAbortOf(simulated.FailedTransaction.status.error ?? undefined);
      if (!abort) throw new Error(JSON.stringify(simulated.FailedTransaction.status));
      assert.deepEqual(await this.#failOnChain(signer, build), abort);
      throw new TwinAbortError(abort);
    }
    const value = simulated.commandResults?.at(-1)?.returnValues[0]?.bcs;
    assert.ok(value, "the call returned nothing");
    return returns.parse(value);
  }

  // === Enclave messages ===

  /**
   * The trailing `timestamp_ms, sequence, signature` arguments of a signed call: `key`
   * (the golden enclave key by default) signs `kind`'s payload for this cluster.
   */
  async signed<K extends IntentKind>(
    kind: K,
    fields: Omit<PayloadInput<K>, "cluster_id" | "sequence">,
    options: { sequence: bigint; timestampMs?: bigint | number; key?: Ed25519Keypair },
  ): Promise<CallArgs> {
    const timestampMs = BigInt(options.timestampMs ?? GOLDEN_MS);
    const payload = {
      cluster_id: this.clusterId,
      sequence: options.sequence,
      ...fields,
    } as PayloadInput<K>;
    const signature = await (options.key ?? this.enclaveKey).sign(
      signingBytes(kind, timestampMs, payload),
    );
    return { timestamp_ms: timestampMs, sequence: options.sequence, signature };
  }

  // === Reading results ===

  /** The `name` events `executed` emitted, decoded, in order. */
  eventsOf<N extends EventName>(
    executed: Executed,
    name: N,
  ): ReturnType<(typeof EVENT_SCHEMAS)[N]["parse"]>[] {
    return this.eventBytes(executed, name).map(
      (bytes) => EVENT_SCHEMAS[name].parse(bytes) as ReturnType<(typeof EVENT_SCHEMAS)[N]["parse"]>,
    );
  }

  /** The raw BCS of the `name` events `executed` emitted, in order. */
  eventBytes(executed: Executed, name: EventName): Uint8Array[] {
    const type = normalizeStructTag(eventType(this.packageId, name));
    return executed.events
      .filter((event) => normalizeStructTag(event.eventType) === type)
      .map((event) => event.bcs);
  }

  /** The id of the one object of Move type `type` (e.g. `tenancy::NamespaceCap`) `executed` created. */
  created(executed: Executed, type: "Cluster" | "AdminCap" | "NamespaceCap" | "WorkerCap"): string {
    const wanted = normalizeStructTag(objectType(this.packageId, type));
    const ids = this.#createdIds(executed).filter((id) => executed.objectTypes[id] === wanted);
    assert.equal(ids.length, 1, `expected one new ${type}`);
    return ids[0] as string;
  }

  /** Values of the SUI coins `executed` created (refunds, payouts; not split-off fees). */
  async createdCoins(executed: Executed): Promise<{ owner: string; value: bigint }[]> {
    const coinType = normalizeStructTag("0x2::coin::Coin<0x2::sui::SUI>");
    const ids = this.#createdIds(executed).filter((id) => executed.objectTypes[id] === coinType);
    return Promise.all(
      ids.map(async (id) => {
        const { object } = await this.client.getObject({
          objectId: id,
          include: { content: true },
        });
        assert.equal(object.owner.$kind, "AddressOwner");
        return {
          owner: object.owner.$kind === "AddressOwner" ? object.owner.AddressOwner : "",
          value: BigInt(CoinLayout.parse(object.content).balance),
        };
      }),
    );
  }

  #createdIds(executed: Executed): string[] {
    return executed.changedObjects
      .filter((change) => change.idOperation === "Created" && change.outputState === "ObjectWrite")
      .map((change) => change.objectId);
  }

  /** Contents of `id` decoded with `schema` (src/protocol/objects.ts), and its owner. */
  async object<T>(id: string, schema: Decoder<T>) {
    const { object } = await this.client.getObject({ objectId: id, include: { content: true } });
    return { value: schema.parse(object.content), owner: object.owner };
  }

  /** Whether `id` still exists on chain. */
  async exists(id: string): Promise<boolean> {
    return this.client.getObject({ objectId: id }).then(
      () => true,
      () => false,
    );
  }

  /** The cluster object, decoded. */
  async cluster(id = this.clusterId) {
    return (await this.object(id, ClusterObject)).value;
  }

  // === test_env ===

  /** `test_env::register_golden_enclave`. */
  registerGoldenEnclave(): Promise<Executed> {
    return this.call(this.admin, "register_dev_enclave", {
      public_key: this.enclaveKey.getPublicKey().toRawBytes(),
      encryption_key: this.enclaveEncryptionKey.publicKey,
      tls_key_sha256: this.enclaveTlsKeySha256,
    });
  }

  /**
   * `register_enclave` with the attestation `document` (by default one `TEST_NITRO_CA`
   * signs for `pcrs`, `publicKey` and `userData`, at the golden time), loaded in the same
   * transaction by `0x2::nitro_attestation::load_nitro_attestation`:
   * `register_attested_key`'s twin. `publicKey` defaults to the golden enclave key.
   */
  registerAttested(
    attested:
      | { pcrs: Uint8Array[]; userData?: Uint8Array; publicKey?: Uint8Array | null }
      | { document: Uint8Array },
  ): Promise<Executed> {
    const publicKey =
      "document" in attested || attested.publicKey === undefined
        ? this.enclaveKey.getPublicKey().toRawBytes()
        : attested.publicKey;
    const document =
      "document" in attested
        ? attested.document
        : TEST_NITRO_CA.document({
            pcrs: attested.pcrs,
            timestampMs: GOLDEN_MS,
            ...(publicKey === null ? {} : { publicKey }),
            ...(attested.userData ? { userData: attested.userData } : {}),
          });
    return this.transact(this.admin, (tx) =>
      addAttestedEnclaveRegistration(
        tx,
        this.packageId,
        { clusterId: this.clusterId, adminCapId: this.adminCapId },
        document,
      ),
    );
  }

  /** `golden::enclave_user_data()`: the golden enclave's keys as an attestation's `user_data`. */
  goldenUserData(): Uint8Array {
    return Buffer.from(golden.goldenVectors().enclave_user_data as string, "hex");
  }

  /** `test_env::claim`: `tenant` claims `namespace`; returns the NamespaceCap id. */
  async claim(namespace: string, signer = this.tenant): Promise<string> {
    return this.created(await this.call(signer, "claim_namespace", { namespace }), "NamespaceCap");
  }

  /** `test_env::register_worker`: `workerOwner` registers `nodeId` with the minimum stake. */
  async registerWorker(nodeId: string, clusterId = this.clusterId): Promise<string> {
    const cluster = await this.cluster(clusterId);
    const executed = await this.call(this.workerOwner, "register_worker_node", {
      cluster: clusterId,
      node_id: nodeId,
      encryption_key: golden.WORKER_ENCRYPTION_KEY,
      stake: BigInt(cluster.config.min_worker_stake_mist),
    });
    return this.created(executed, "WorkerCap");
  }

  /** `test_env::create_second_cluster`: `other` creates "second"; its ids. */
  async createSecondCluster(): Promise<{ clusterId: string; adminCapId: string }> {
    const executed = await this.call(this.other, "create_cluster", { name: "second" });
    return {
      clusterId: this.created(executed, "Cluster"),
      adminCapId: this.created(executed, "AdminCap"),
    };
  }

  /** `test_env::submit_golden_pod`: tenant claims team-a and submits request 1 (create_pod web). */
  async submitGoldenPod(): Promise<{ capId: string; executed: Executed }> {
    const capId = await this.claim("team-a");
    const executed = await this.call(this.tenant, "create_pod", {
      cap: capId,
      pod_name: "web",
      namespace: "team-a",
      image: "nginx:1.27",
      priority: 5,
      fee: golden.requestEvent.fee_mist,
    });
    return { capId, executed };
  }

  /** `test_env::submit_golden_pod_again`: tenant submits request 2 (GET pods in team-a). */
  async submitGoldenPodAgain(): Promise<Executed> {
    const executed = await this.call(this.tenant, "submit_get", {
      resource: "pods",
      namespace: "team-a",
      name: "",
      priority: 0,
      fee: golden.requestEvent.fee_mist,
    });
    assert.equal(this.eventsOf(executed, "K8sAPIRequestEvent")[0]?.request_id, "2");
    return executed;
  }

  /**
   * `test_env::complete_golden`: completes `requestId` with the golden result, claimed to
   * be signed at `timestampMs` with `sequence`; `signedAs` says what was really signed
   * (another key, request, sequence or time: the golden `sig_*` variants).
   */
  async completeGolden(
    requestId: bigint,
    sequence: bigint,
    options: {
      timestampMs?: bigint | number;
      signedAs?: {
        requestId?: bigint;
        sequence?: bigint;
        timestampMs?: bigint | number;
        key?: Ed25519Keypair;
      };
      signer?: Ed25519Keypair;
    } = {},
  ): Promise<Executed> {
    const signedAs = options.signedAs ?? {};
    const timestampMs = BigInt(options.timestampMs ?? GOLDEN_MS);
    const signature = await this.signed(
      "requestResult",
      {
        request_id: signedAs.requestId ?? requestId,
        status_code: 201,
        output_sha256: golden.OUTPUT_SHA256,
        summary: golden.RESULT_SUMMARY,
      },
      {
        sequence: signedAs.sequence ?? sequence,
        timestampMs: signedAs.timestampMs ?? timestampMs,
        ...(signedAs.key ? { key: signedAs.key } : {}),
      },
    );
    return this.call(options.signer ?? this.admin, "complete", {
      request_id: requestId,
      status_code: 201,
      output_sha256: golden.OUTPUT_SHA256,
      summary: golden.RESULT_SUMMARY,
      ...signature,
      timestamp_ms: timestampMs,
      sequence,
    });
  }
}

/**
 * `test_env::begin()`: a fresh devnet whose clock stands still at `clockAt` (the golden
 * timestamp by default), funded keys, and the cluster "prod" created by `admin`.
 */
export async function begin(options: ScenarioOptions = {}): Promise<Scenario> {
  const devnet = await openDevnet({
    clock: { stoppedAt: options.clockAt ?? GOLDEN_MS },
    ...(options.nitroRoot === "aws" ? {} : { nitroRootPem: TEST_NITRO_CA.rootPem }),
  });
  const scenario = new Scenario(devnet);
  for (const key of [scenario.admin, scenario.tenant, scenario.other, scenario.workerOwner]) {
    await devnet.faucet(key.toSuiAddress(), FUNDING_MIST);
  }
  const executed = await scenario.call(scenario.admin, "create_cluster", { name: "prod" });
  scenario.clusterId = scenario.created(executed, "Cluster");
  scenario.adminCapId = scenario.created(executed, "AdminCap");
  return scenario;
}

export interface ScenarioOptions {
  /** Where the chain's clock stands (the golden time by default). */
  clockAt?: number;
  /** The root Nitro attestations must chain to: `TEST_NITRO_CA`'s by default. */
  nitroRoot?: "test" | "aws";
}

/** Runs `body` on a fresh scenario and closes it, whatever happens. */
export async function withScenario(
  body: (scenario: Scenario) => Promise<void>,
  options: ScenarioOptions = {},
): Promise<void> {
  const scenario = await begin(options);
  try {
    await body(scenario);
  } finally {
    await scenario.close();
  }
}

/**
 * Declares the twin of the Move test `name` (`<module>_tests::<function>`, the name
 * coverage.test.ts maps back to move/tests): `body` runs on a fresh scenario.
 */
export function twin(
  name: `${string}_tests::${string}`,
  body: (scenario: Scenario) => Promise<void>,
  options: ScenarioOptions = {},
): void {
  it(name, () => withScenario(body, options));
}

/** BCS of a pure argument for `Scenario.view`. */
export const arg = {
  u64: (value: bigint | number) => bcs.u64().serialize(value).toBytes(),
  string: (value: string) => bcs.string().serialize(value).toBytes(),
  bytes: (value: Uint8Array) => bcs.byteVector().serialize(value).toBytes(),
};
