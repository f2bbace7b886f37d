import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { readBillingView } from "../../chain/index.ts";
import { addCall } from "../../chain/k8s-daas.ts";
import type { UsageDocument } from "../../control/billing/index.ts";
import { ESCROW_ACTION, EscrowEvent, eventType, UsageReportedEvent } from "../../protocol/index.ts";
import { adminCap } from "../admin-cap.ts";
import { type Command, onePositional, type ParsedArgs, runAction, stringFlag } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "../context.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { checkNamespace } from "../manifests.ts";
import { printResult, sui } from "../output.ts";
import { Session } from "../session.ts";

const NAMESPACE_OPTION = {
  namespace: { type: "string", short: "n" },
  ...CONNECTION_OPTIONS,
} as const;
const NAMESPACE_HELP = {
  namespace: "the namespace (default: the context's, else the only one you hold)",
  ...CONNECTION_HELP,
};

/** "1500000" (MIST) or "1.5sui" / "1.5 SUI" → MIST; a usage error otherwise. */
export function parseMist(text: string, what = "AMOUNT"): bigint {
  const match = /^\s*(\d+)(?:\.(\d{1,9}))?\s*(sui|mist)?\s*$/i.exec(text);
  const unit = match?.[3]?.toLowerCase();
  if (!match || (match[2] !== undefined && unit !== "sui")) {
    throw usageError(`${what} must be MIST (1500000) or SUI (1.5sui), got "${text}"`);
  }
  if (unit === "sui")
    return BigInt(match[1] as string) * 1_000_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
  return BigInt(match[1] as string);
}

/** The last `name` event of `clusterId` that `matches`, scanning the chain's events. */
async function lastEvent<T extends { cluster_id: string }>(
  client: SuiGrpcClient,
  type: string,
  parse: (bcs: Uint8Array) => T,
  matches: (event: T) => boolean,
): Promise<T | undefined> {
  let found: T | undefined;
  let after: string | null = null;
  do {
    const page = await client.listEvents({
      filter: { eventType: type },
      limit: 200,
      ...(after ? { after } : {}),
    });
    for (const event of page.events) {
      const value = parse(event.bcs);
      if (matches(value)) found = value;
    }
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  return found;
}

/** The last charge of `namespace` and the length of its period, from the chain's events. */
async function lastCharge(
  client: SuiGrpcClient,
  packageId: string,
  clusterId: string,
  namespace: string,
) {
  const charge = await lastEvent(
    client,
    eventType(packageId, "EscrowEvent"),
    (bcs) => EscrowEvent.parse(bcs),
    (event) =>
      event.cluster_id === clusterId &&
      event.namespace === namespace &&
      event.action === ESCROW_ACTION.charged,
  );
  if (!charge) return undefined;
  const report = await lastEvent(
    client,
    eventType(packageId, "UsageReportedEvent"),
    (bcs) => UsageReportedEvent.parse(bcs),
    (event) => event.cluster_id === clusterId && event.period === charge.period,
  );
  const periodMs = report
    ? BigInt(report.period_end_ms) - BigInt(report.period_start_ms)
    : undefined;
  return { amountMist: BigInt(charge.amount_mist), period: BigInt(charge.period), periodMs };
}

export const billingCommand: Command = {
  name: "billing",
  summary:
    "A namespace's bill: escrow balance and debt, the cluster's prices, usage and charge so far this period (from the control plane), the last period's charge and when the escrow runs out.",
  usage: "k8s-daas billing [-n NAMESPACE]",
  example: "k8s-daas billing -n team-a",
  options: NAMESPACE_OPTION,
  optionHelp: NAMESPACE_HELP,
  async run({ values, positionals }: ParsedArgs) {
    if (positionals.length > 0)
      throw usageError(`billing takes no arguments, got "${positionals.join(" ")}"`);
    const session = new Session(values);
    const namespace = await session.namespace(values.namespace);
    checkNamespace(namespace);
    const { packageId, clusterId } = session.connection;
    const view = await session.chain(async () =>
      readBillingView(session.client, packageId, clusterId, await session.address(), {
        namespaces: [namespace],
      }),
    );
    const escrow = view.escrows.get(namespace) ?? {
      balanceMist: 0n,
      debtMist: 0n,
      suspended: false,
    };
    const last = await session.chain(() =>
      lastCharge(session.client, packageId, clusterId, namespace),
    );
    const current = await usageThisPeriod(session, namespace);
    const runOut = projectRunOut(escrow.balanceMist, current.usage, last);
    const runOutMs = runOut?.ms;
    const data = {
      namespace,
      escrowMist: escrow.balanceMist,
      debtMist: escrow.debtMist,
      suspended: escrow.suspended,
      prices: view.prices,
      reportedPeriods: view.reportedPeriods,
      lastCharge: last,
      usageThisPeriod: current.usage,
      ...(current.unavailable ? { usageUnavailable: current.unavailable } : {}),
      projectedRunOutMs: runOutMs,
      projectedRunOutBasis: runOut?.basis,
    };
    printResult(session.connection.output, data, () =>
      [
        `namespace ${namespace}${escrow.suspended ? " (SUSPENDED: top up to resume)" : ""}`,
        `  escrow      ${sui(escrow.balanceMist)}${escrow.debtMist > 0n ? `, owes ${sui(escrow.debtMist)}` : ""}`,
        `  prices      ${sui(view.prices.cpuCoreHourMist)}/core-hour, ${sui(view.prices.memoryGibHourMist)}/GiB-hour memory, ${sui(view.prices.storageGibHourMist)}/GiB-hour storage (treasury ${Number(view.prices.treasuryShareBps) / 100}%)`,
        current.usage
          ? `  this period ${current.usage.period}: ${sui(current.usage.chargeSoFarMist)} so far, about ${sui(current.usage.projectedChargeMist)} by its end in ${formatDuration(Math.max(0, current.usage.periodEndMs - current.usage.meteredUntilMs))} (running now: ${sui(current.usage.hourlyMist)}/hour)`
          : `  this period -  (${current.unavailable})`,
        last
          ? `  last period ${last.period}: ${sui(last.amountMist)}${last.periodMs ? ` over ${Number(last.periodMs) / 1000}s` : ""}`
          : "  no period charged yet",
        runOut === undefined
          ? "  run-out     -"
          : `  run-out     in about ${formatDuration(Number(runOut.ms))} ${runOut.basis === "running-now" ? "at what runs now" : "at the last period's rate"}`,
      ].join("\n"),
    );
    return EXIT.ok;
  },
};

/**
 * The open period's usage from the control plane (signed, as the namespace's holder); the
 * reason it is missing when no control plane URL is known or it cannot answer.
 */
async function usageThisPeriod(
  session: Session,
  namespace: string,
): Promise<{ usage?: UsageDocument; unavailable?: string }> {
  if (!session.connection.controlUrl)
    return { unavailable: "no control plane URL: pass --control-url to see it" };
  try {
    return { usage: await session.controlApi().usage(namespace) };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { unavailable: `${error.code}: ${error.message}` };
  }
}

/**
 * When the escrow runs out: at what runs now (the balance less what the open period owes
 * so far, at the current hourly cost), else at the last period's rate; undefined when
 * nothing is being charged.
 */
export function projectRunOut(
  balanceMist: bigint,
  usage: UsageDocument | undefined,
  last: { amountMist: bigint; periodMs: bigint | undefined } | undefined,
): { ms: bigint; basis: "running-now" | "last-period" } | undefined {
  const hourly = usage ? BigInt(usage.hourlyMist) : 0n;
  if (usage && hourly > 0n) {
    const left = balanceMist - BigInt(usage.chargeSoFarMist);
    return { ms: left > 0n ? (left * 3_600_000n) / hourly : 0n, basis: "running-now" };
  }
  if (last?.periodMs && last.amountMist > 0n)
    return { ms: (balanceMist * last.periodMs) / last.amountMist, basis: "last-period" };
  return undefined;
}

function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.floor(ms / 1000)}s`;
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.floor(hours / 24)}d`;
}

export const escrowCommand: Command = {
  name: "escrow",
  summary: "Fund or drain a namespace's escrow (what its running workloads are billed from).",
  usage: "k8s-daas escrow deposit|withdraw AMOUNT [-n NAMESPACE]",
  example: "k8s-daas escrow deposit 2sui -n team-a",
  actions: ["deposit", "withdraw"],
  options: NAMESPACE_OPTION,
  optionHelp: {
    ...NAMESPACE_HELP,
    namespace: `${NAMESPACE_HELP.namespace}; AMOUNT is MIST or 1.5sui`,
  },
  run: (args) =>
    runAction(escrowCommand, args, {
      deposit: (parsed, rest) => moveEscrow("deposit", parsed, rest),
      withdraw: (parsed, rest) => moveEscrow("withdraw", parsed, rest),
    }),
};

async function moveEscrow(
  action: "deposit" | "withdraw",
  { values }: ParsedArgs,
  rest: string[],
): Promise<number> {
  const amount = parseMist(onePositional(escrowCommand, rest, "AMOUNT"));
  if (amount === 0n) throw usageError("AMOUNT must be more than 0");
  const session = new Session(values);
  const namespace = await session.namespace(values.namespace);
  checkNamespace(namespace);
  const cap = await session.namespaceCap(namespace);
  const objects = { cluster: session.connection.clusterId, cap };
  const tx = await session.execute((tx) =>
    action === "deposit"
      ? addCall(tx, session.connection.packageId, "deposit", {}, objects, amount)
      : addCall(tx, session.connection.packageId, "withdraw", { amount }, objects),
  );
  const events = (tx.events ?? [])
    .filter((event) => event.eventType.endsWith("::EscrowEvent"))
    .map((event) => EscrowEvent.parse(event.bcs));
  const after = events[0];
  const resumed = events.some((event) => event.action === ESCROW_ACTION.resumed);
  const data = {
    namespace,
    action,
    amountMist: amount,
    escrowMist: after?.balance_mist,
    debtMist: after?.debt_mist,
    resumed,
    tx: tx.digest,
  };
  printResult(session.connection.output, data, () =>
    [
      `${action === "deposit" ? "deposited" : "withdrew"} ${sui(amount)} ${action === "deposit" ? "into" : "from"} ${namespace}'s escrow in ${tx.digest}`,
      `  escrow ${sui(after?.balance_mist ?? 0n)}${after && after.debt_mist !== "0" ? `, still owes ${sui(after.debt_mist)}` : ""}`,
      ...(resumed ? ["  the namespace is resumed: its workloads come back"] : []),
    ].join("\n"),
  );
  return EXIT.ok;
}

/** `k8s-daas cluster prices [set --cpu-core-hour … ]`: the admin sets prices, anyone reads them. */
export async function clusterPrices(values: ParsedArgs["values"], rest: string[]): Promise<number> {
  const session = new Session(values);
  const { packageId, clusterId } = session.connection;
  if (rest.length === 1 && rest[0] === "set") {
    const flag = (name: string) => {
      const value = stringFlag(values, name);
      if (value === undefined) throw usageError(`cluster prices set needs --${name}`);
      return value;
    };
    const prices = {
      cpu_core_hour_mist: parseMist(flag("cpu-core-hour"), "--cpu-core-hour"),
      memory_gib_hour_mist: parseMist(flag("memory-gib-hour"), "--memory-gib-hour"),
      storage_gib_hour_mist: parseMist(flag("storage-gib-hour"), "--storage-gib-hour"),
      treasury_share_bps: parseMist(flag("treasury-share-bps"), "--treasury-share-bps"),
    };
    if (prices.treasury_share_bps > 10_000n)
      throw usageError("--treasury-share-bps must be 0..10000 (basis points)");
    const cap = await adminCap(session, "setting prices");
    const tx = await session.execute((tx) =>
      addCall(tx, packageId, "set_prices", prices, { cluster: clusterId, cap }),
    );
    printResult(
      session.connection.output,
      { ...prices, tx: tx.digest },
      () => `prices set in ${tx.digest}`,
    );
    return EXIT.ok;
  }
  if (rest.length > 0)
    throw usageError(`expected "cluster prices" or "cluster prices set", got "${rest.join(" ")}"`);
  const view = await session.chain(async () =>
    readBillingView(session.client, packageId, clusterId, await session.address()),
  );
  printResult(session.connection.output, view.prices, () => ({
    headers: ["CPU CORE-HOUR", "MEMORY GIB-HOUR", "STORAGE GIB-HOUR", "TREASURY SHARE"],
    rows: [
      [
        sui(view.prices.cpuCoreHourMist),
        sui(view.prices.memoryGibHourMist),
        sui(view.prices.storageGibHourMist),
        `${Number(view.prices.treasuryShareBps) / 100}%`,
      ],
    ],
  }));
  return EXIT.ok;
}
