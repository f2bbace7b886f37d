// Copyright (c) K8s-DaaS authors
// SPDX-License-Identifier: Apache-2.0

/// Pay for what runs. The admin sets prices per CPU-core-hour, GiB-memory-hour and
/// GiB-storage-hour (MIST) and the treasury's share of what is collected. Each namespace
/// keeps an escrow its cap holder funds; the enclave reports, once per billing period, the
/// usage it metered per namespace and what each worker's node served, in one or more parts
/// (a pure argument holds at most 16 KiB: hundreds of namespaces need several). The report charges
/// each escrow, credits the workers in proportion to the priced usage their nodes served,
/// and keeps the treasury's share. An escrow that cannot pay its charge is emptied, keeps
/// the rest as debt and is suspended; a deposit settles the debt first and resumes the
/// namespace once nothing is owed. Workers claim their earnings with their `WorkerCap`.
///
/// Rounding (all integer, to the MIST): a charge is the sum, per resource, of
/// `floor(usage * price / units_per_hour)` (a milli-core-ms is 1/3_600_000_000 of a
/// core-hour, a byte-ms 1/(2^30 * 3_600_000) of a GiB-hour); the treasury's share is
/// `floor(collected * bps / 10_000)`; each worker gets `floor(pool * value / total_value)`
/// where value is the priced usage its node served; every remainder (and the whole pool
/// when no known worker served anything) goes to the treasury. A debt settled by a later
/// deposit goes to the treasury.
///
/// Parts: part `i` of `parts` of a period is accepted only after parts `0..i` of the same
/// period (same bounds, same part count), each signed on its own. Every part charges its
/// namespaces at once; what they paid and the priced usage of the part's nodes wait in the
/// `PendingReport`, and the last part closes the period: the treasury's share and the
/// workers' shares are taken from the whole period's collection, as for a report in one
/// part, and the ledger moves on.
///
/// State lives in dynamic fields on the cluster: `PricesKey -> Prices`,
/// `LedgerKey -> Ledger`, `PendingKey -> PendingReport` (while a period is reported in
/// parts), `EscrowKey(namespace) -> Escrow`, `EarningsKey(node_id) -> Balance<SUI>`.
module k8s_daas::billing;

use std::string::String;
use sui::balance::{Self, Balance};
use sui::clock::Clock;
use sui::coin::Coin;
use sui::dynamic_field as df;
use sui::sui::SUI;
use k8s_daas::cluster::{AdminCap, Cluster};
use k8s_daas::enclave;
use k8s_daas::events;
use k8s_daas::messages;
use k8s_daas::tenancy::{Self, NamespaceCap};
use k8s_daas::workers::{Self, WorkerCap};

// === Errors ===

/// The treasury share is above 10_000 basis points.
const EInvalidShare: u64 = 700;
/// The report's period is not the next one (periods count from 1, each reported once).
const EPeriodOutOfOrder: u64 = 701;
/// The period does not start where the previous reported period ended.
const EPeriodNotContiguous: u64 = 702;
/// The period is empty, reversed or ends after the clock.
const EInvalidPeriod: u64 = 703;
/// A usage vector does not hold three values per namespace or node.
const EUsageLengthMismatch: u64 = 704;
/// The escrow holds less than the amount asked for (or the namespace has none).
const EInsufficientEscrow: u64 = 705;
/// The `WorkerCap` belongs to another cluster.
const EWrongWorkerCap: u64 = 706;
/// The worker has no earnings to claim.
const ENothingToClaim: u64 = 707;
/// The part index is not below the part count, or the part count is 0.
const EInvalidPart: u64 = 708;
/// The part is not the next one of the period (each part is reported once, in order).
const EPartOutOfOrder: u64 = 709;
/// The part names other bounds or another part count than the period's earlier parts.
const EPartMismatch: u64 = 710;

const BPS_DENOMINATOR: u64 = 10_000;
/// Milli-core-ms in one core-hour.
const CPU_UNITS_PER_HOUR: u128 = 3_600_000_000;
/// Byte-ms in one GiB-hour.
const BYTE_MS_PER_GIB_HOUR: u128 = 3_865_470_566_400_000;
/// Usage values per namespace or node: cpu milli-core-ms, memory byte-ms, storage byte-ms.
const USAGE_FIELDS: u64 = 3;

/// `EscrowEvent.action` values.
const ESCROW_DEPOSITED: u8 = 0;
const ESCROW_WITHDRAWN: u8 = 1;
const ESCROW_CHARGED: u8 = 2;
const ESCROW_SUSPENDED: u8 = 3;
const ESCROW_RESUMED: u8 = 4;

/// `WorkerEarningsEvent.action` values.
const EARNINGS_CREDITED: u8 = 0;
const EARNINGS_CLAIMED: u8 = 1;

/// Dynamic-field key of the prices.
public struct PricesKey has copy, drop, store {}

/// Prices in MIST per unit-hour and the treasury's share in basis points (all 0 until set).
public struct Prices has copy, drop, store {
    cpu_core_hour_mist: u64,
    memory_gib_hour_mist: u64,
    storage_gib_hour_mist: u64,
    treasury_share_bps: u64,
}

/// Dynamic-field key of the report ledger.
public struct LedgerKey has copy, drop, store {}

/// How far reporting got: the last reported period and where it ended.
public struct Ledger has copy, drop, store {
    reported_periods: u64,
    last_period_end_ms: u64,
}

/// Dynamic-field key of the period being reported in parts.
public struct PendingKey has copy, drop, store {}

/// A period some of whose parts are on chain: the next part expected, what the parts so far
/// billed and collected, and the priced usage of the nodes they named (registered workers
/// only; the rest 0), to be shared out when the last part lands.
public struct PendingReport has store {
    period: u64,
    parts: u64,
    next_part: u64,
    period_start_ms: u64,
    period_end_ms: u64,
    billed_mist: u64,
    collected: Balance<SUI>,
    node_ids: vector<String>,
    node_values: vector<u128>,
}

/// Dynamic-field key of a namespace's escrow.
public struct EscrowKey has copy, drop, store { namespace: String }

/// A namespace's prepaid funds, what it still owes, and whether it is suspended.
public struct Escrow has store {
    balance: Balance<SUI>,
    debt_mist: u64,
    suspended: bool,
}

/// Dynamic-field key of a worker's unclaimed earnings (`Balance<SUI>`).
public struct EarningsKey has copy, drop, store { node_id: String }

/// Sets the prices (MIST per CPU-core-hour, GiB-memory-hour, GiB-storage-hour) and the
/// treasury's share of each period's collection (basis points). Emits
/// `BillingPricesEvent`. Aborts `cluster::ENotAdmin`, `EInvalidShare` (> 10_000).
public fun set_prices(
    cluster: &mut Cluster,
    cap: &AdminCap,
    cpu_core_hour_mist: u64,
    memory_gib_hour_mist: u64,
    storage_gib_hour_mist: u64,
    treasury_share_bps: u64,
) {
    cluster.assert_admin(cap);
    assert!(treasury_share_bps <= BPS_DENOMINATOR, EInvalidShare);
    let prices = Prices { cpu_core_hour_mist, memory_gib_hour_mist, storage_gib_hour_mist, treasury_share_bps };
    if (df::exists_(cluster.uid(), PricesKey {})) {
        *df::borrow_mut(cluster.uid_mut(), PricesKey {}) = prices;
    } else {
        df::add(cluster.uid_mut(), PricesKey {}, prices);
    };
    events::emit_billing_prices(
        object::id(cluster),
        cpu_core_hour_mist,
        memory_gib_hour_mist,
        storage_gib_hour_mist,
        treasury_share_bps,
    );
}

/// Adds `payment` to the namespace's escrow (creating it); a debt is settled first (to the
/// treasury) and a suspended namespace resumes once nothing is owed. Emits
/// `EscrowEvent{deposited}`, then `EscrowEvent{resumed}` if it resumed. Aborts
/// `tenancy::EWrongCluster`.
public fun deposit(cluster: &mut Cluster, cap: &NamespaceCap, payment: Coin<SUI>) {
    tenancy::assert_cap(cluster, cap);
    let cluster_id = object::id(cluster);
    let namespace = cap.namespace();
    let amount = payment.value();
    let mut funds = payment.into_balance();
    let escrow = escrow_mut_or_new(cluster, namespace);
    let settle = if (escrow.debt_mist < amount) escrow.debt_mist else amount;
    let settled = funds.split(settle);
    escrow.debt_mist = escrow.debt_mist - settle;
    escrow.balance.join(funds);
    let resumed = escrow.suspended && escrow.debt_mist == 0;
    if (resumed) escrow.suspended = false;
    let (balance_mist, debt_mist) = (escrow.balance.value(), escrow.debt_mist);
    cluster.deposit(settled);
    events::emit_escrow(cluster_id, namespace, ESCROW_DEPOSITED, amount, balance_mist, debt_mist, 0);
    if (resumed) {
        events::emit_escrow(cluster_id, namespace, ESCROW_RESUMED, 0, balance_mist, debt_mist, 0);
    };
}

/// Sends `amount` MIST of the namespace's escrow to the sender. A debt is never left beside
/// a balance (a charge empties the balance first, a deposit settles the debt first), so the
/// whole balance is what is not owed. Emits `EscrowEvent{withdrawn}`. Aborts
/// `tenancy::EWrongCluster`, `EInsufficientEscrow`.
public fun withdraw(cluster: &mut Cluster, cap: &NamespaceCap, amount: u64, ctx: &mut TxContext) {
    tenancy::assert_cap(cluster, cap);
    let cluster_id = object::id(cluster);
    let namespace = cap.namespace();
    let key = EscrowKey { namespace };
    assert!(df::exists_(cluster.uid(), key), EInsufficientEscrow);
    let escrow: &mut Escrow = df::borrow_mut(cluster.uid_mut(), key);
    assert!(amount <= escrow.balance.value(), EInsufficientEscrow);
    let coin = escrow.balance.split(amount).into_coin(ctx);
    let (balance_mist, debt_mist) = (escrow.balance.value(), escrow.debt_mist);
    transfer::public_transfer(coin, ctx.sender());
    events::emit_escrow(cluster_id, namespace, ESCROW_WITHDRAWN, amount, balance_mist, debt_mist, 0);
}

/// Part `part` of `parts` of the enclave's signed usage report for billing period `period`
/// (`UsageReportPayload`, intent 6): charges every namespace it lists at once; the last
/// part credits the workers of every part in proportion to the priced usage their nodes
/// served and keeps the treasury's share of the whole period's collection (see the module
/// doc for rounding). Anyone may submit it. Emits, per namespace, `EscrowEvent{charged}`
/// (and `{suspended}` when it cannot pay); the last part also, per credited worker,
/// `WorkerEarningsEvent{credited}`, then `UsageReportedEvent`. Aborts `EInvalidPeriod`,
/// `EUsageLengthMismatch`, `EInvalidPart`, `EPeriodOutOfOrder`, `EPeriodNotContiguous`,
/// `EPartOutOfOrder`, `EPartMismatch`, then the `enclave` verifier's codes.
public fun report_usage(
    cluster: &mut Cluster,
    period: u64,
    period_start_ms: u64,
    period_end_ms: u64,
    part: u64,
    parts: u64,
    namespaces: vector<String>,
    namespace_usage: vector<u128>,
    node_ids: vector<String>,
    node_usage: vector<u128>,
    timestamp_ms: u64,
    sequence: u64,
    signature: vector<u8>,
    clock: &Clock,
) {
    assert!(period_start_ms < period_end_ms && period_end_ms <= clock.timestamp_ms(), EInvalidPeriod);
    assert!(
        namespace_usage.length() == namespaces.length() * USAGE_FIELDS
            && node_usage.length() == node_ids.length() * USAGE_FIELDS,
        EUsageLengthMismatch,
    );
    assert!(part < parts, EInvalidPart);
    let ledger = ledger(cluster);
    assert!(period == ledger.reported_periods + 1, EPeriodOutOfOrder);
    assert!(ledger.reported_periods == 0 || period_start_ms == ledger.last_period_end_ms, EPeriodNotContiguous);
    let pending_exists = df::exists_(cluster.uid(), PendingKey {});
    if (pending_exists) {
        let pending: &PendingReport = df::borrow(cluster.uid(), PendingKey {});
        assert!(part == pending.next_part, EPartOutOfOrder);
        assert!(
            parts == pending.parts
                && period_start_ms == pending.period_start_ms
                && period_end_ms == pending.period_end_ms,
            EPartMismatch,
        );
    } else {
        assert!(part == 0, EPartOutOfOrder);
    };
    let cluster_id = object::id(cluster);
    let payload = messages::usage_report(
        cluster_id,
        sequence,
        period,
        period_start_ms,
        period_end_ms,
        part,
        parts,
        namespaces,
        namespace_usage,
        node_ids,
        node_usage,
    );
    let message = messages::signing_bytes(messages::intent_usage_report(), timestamp_ms, payload);
    enclave::verify_enclave_message(cluster, message, timestamp_ms, sequence, &signature, clock);

    let prices = prices(cluster);
    let mut collected = balance::zero<SUI>();
    let mut billed_mist = 0;
    namespaces.length().do!(|i| {
        let charge = (usage_value(&prices, &namespace_usage, i) as u64);
        billed_mist = billed_mist + charge;
        collected.join(charge_escrow(cluster, cluster_id, namespaces[i], charge, period));
    });
    // Only registered workers earn: a node id without a record (or a typo) earns nothing.
    let mut values = vector[];
    node_ids.length().do!(|j| {
        let value = if (workers::exists(cluster, node_ids[j])) usage_value(&prices, &node_usage, j) else 0;
        values.push_back(value);
    });
    let mut pending = if (pending_exists) df::remove(cluster.uid_mut(), PendingKey {})
    else PendingReport {
        period,
        parts,
        next_part: 0,
        period_start_ms,
        period_end_ms,
        billed_mist: 0,
        collected: balance::zero(),
        node_ids: vector[],
        node_values: vector[],
    };
    pending.next_part = part + 1;
    pending.billed_mist = pending.billed_mist + billed_mist;
    pending.collected.join(collected);
    pending.node_ids.append(node_ids);
    pending.node_values.append(values);
    if (pending.next_part < parts) {
        df::add(cluster.uid_mut(), PendingKey {}, pending);
        return
    };
    close_period(cluster, cluster_id, pending, &prices, sequence);
}

/// The last part landed: the ledger moves on, the workers get their shares of the period's
/// collection and the treasury the rest.
fun close_period(cluster: &mut Cluster, cluster_id: ID, pending: PendingReport, prices: &Prices, sequence: u64) {
    let PendingReport {
        period,
        parts: _,
        next_part: _,
        period_start_ms,
        period_end_ms,
        billed_mist,
        mut collected,
        node_ids,
        node_values,
    } = pending;
    let new_ledger = Ledger { reported_periods: period, last_period_end_ms: period_end_ms };
    if (df::exists_(cluster.uid(), LedgerKey {})) {
        *df::borrow_mut(cluster.uid_mut(), LedgerKey {}) = new_ledger;
    } else {
        df::add(cluster.uid_mut(), LedgerKey {}, new_ledger);
    };
    let collected_mist = collected.value();
    let treasury_cut = (((collected_mist as u128) * (prices.treasury_share_bps as u128) / (BPS_DENOMINATOR as u128)) as u64);
    let pool = (collected_mist - treasury_cut) as u128;
    let mut total_value: u128 = 0;
    node_values.do_ref!(|value| total_value = total_value + *value);
    let mut workers_mist = 0;
    if (total_value > 0) {
        node_ids.length().do!(|j| {
            let share = ((pool * node_values[j] / total_value) as u64);
            if (share > 0) {
                credit_worker(cluster, cluster_id, node_ids[j], collected.split(share), period);
                workers_mist = workers_mist + share;
            };
        });
    };
    let treasury_mist = collected.value();
    cluster.deposit(collected);
    events::emit_usage_reported(
        cluster_id,
        period,
        period_start_ms,
        period_end_ms,
        billed_mist,
        collected_mist,
        workers_mist,
        treasury_mist,
        sequence,
    );
}

/// Sends the worker's unclaimed earnings to the sender. Emits
/// `WorkerEarningsEvent{claimed}`. Aborts `EWrongWorkerCap`, `ENothingToClaim`.
public fun claim_earnings(cluster: &mut Cluster, cap: &WorkerCap, ctx: &mut TxContext) {
    assert!(workers::cap_cluster_id(cap) == object::id(cluster), EWrongWorkerCap);
    let cluster_id = object::id(cluster);
    let node_id = workers::cap_node_id(cap);
    let key = EarningsKey { node_id };
    assert!(df::exists_(cluster.uid(), key), ENothingToClaim);
    let earnings: &mut Balance<SUI> = df::borrow_mut(cluster.uid_mut(), key);
    let amount = earnings.value();
    assert!(amount > 0, ENothingToClaim);
    let coin = earnings.withdraw_all().into_coin(ctx);
    transfer::public_transfer(coin, ctx.sender());
    events::emit_worker_earnings(cluster_id, node_id, EARNINGS_CLAIMED, amount, 0, 0);
}

// === Reads ===

/// MIST per CPU-core-hour (0 until set).
public fun cpu_core_hour_mist(cluster: &Cluster): u64 { prices(cluster).cpu_core_hour_mist }

/// MIST per GiB-memory-hour (0 until set).
public fun memory_gib_hour_mist(cluster: &Cluster): u64 { prices(cluster).memory_gib_hour_mist }

/// MIST per GiB-storage-hour (0 until set).
public fun storage_gib_hour_mist(cluster: &Cluster): u64 { prices(cluster).storage_gib_hour_mist }

/// The treasury's share of each period's collection, basis points (0 until set).
public fun treasury_share_bps(cluster: &Cluster): u64 { prices(cluster).treasury_share_bps }

/// The last reported period (0 before the first report).
public fun reported_periods(cluster: &Cluster): u64 { ledger(cluster).reported_periods }

/// Parts of period `reported_periods + 1` already on chain (0 when none is in progress).
public fun report_parts_done(cluster: &Cluster): u64 {
    if (!df::exists_(cluster.uid(), PendingKey {})) return 0;
    let pending: &PendingReport = df::borrow(cluster.uid(), PendingKey {});
    pending.next_part
}

/// Where the last reported period ended, ms (0 before the first report).
public fun last_period_end_ms(cluster: &Cluster): u64 { ledger(cluster).last_period_end_ms }

/// The namespace's escrow balance, MIST (0 without an escrow).
public fun escrow_balance_mist(cluster: &Cluster, namespace: String): u64 {
    let key = EscrowKey { namespace };
    if (!df::exists_(cluster.uid(), key)) return 0;
    let escrow: &Escrow = df::borrow(cluster.uid(), key);
    escrow.balance.value()
}

/// What the namespace owes, MIST (0 without an escrow).
public fun escrow_debt_mist(cluster: &Cluster, namespace: String): u64 {
    let key = EscrowKey { namespace };
    if (!df::exists_(cluster.uid(), key)) return 0;
    let escrow: &Escrow = df::borrow(cluster.uid(), key);
    escrow.debt_mist
}

/// True while the namespace is suspended for an unpaid charge.
public fun is_suspended(cluster: &Cluster, namespace: String): bool {
    let key = EscrowKey { namespace };
    if (!df::exists_(cluster.uid(), key)) return false;
    let escrow: &Escrow = df::borrow(cluster.uid(), key);
    escrow.suspended
}

/// A worker's unclaimed earnings, MIST.
public fun earnings_mist(cluster: &Cluster, node_id: String): u64 {
    let key = EarningsKey { node_id };
    if (!df::exists_(cluster.uid(), key)) return 0;
    let earnings: &Balance<SUI> = df::borrow(cluster.uid(), key);
    earnings.value()
}

// === Internals ===

fun prices(cluster: &Cluster): Prices {
    if (df::exists_(cluster.uid(), PricesKey {})) *df::borrow(cluster.uid(), PricesKey {})
    else Prices { cpu_core_hour_mist: 0, memory_gib_hour_mist: 0, storage_gib_hour_mist: 0, treasury_share_bps: 0 }
}

fun ledger(cluster: &Cluster): Ledger {
    if (df::exists_(cluster.uid(), LedgerKey {})) *df::borrow(cluster.uid(), LedgerKey {})
    else Ledger { reported_periods: 0, last_period_end_ms: 0 }
}

/// The priced usage of entry `index` of a usage vector (three values per entry), MIST,
/// each resource rounded down on its own.
fun usage_value(prices: &Prices, usage: &vector<u128>, index: u64): u128 {
    let base = index * USAGE_FIELDS;
    usage[base] * (prices.cpu_core_hour_mist as u128) / CPU_UNITS_PER_HOUR
        + usage[base + 1] * (prices.memory_gib_hour_mist as u128) / BYTE_MS_PER_GIB_HOUR
        + usage[base + 2] * (prices.storage_gib_hour_mist as u128) / BYTE_MS_PER_GIB_HOUR
}

fun escrow_mut_or_new(cluster: &mut Cluster, namespace: String): &mut Escrow {
    let key = EscrowKey { namespace };
    if (!df::exists_(cluster.uid(), key)) {
        df::add(cluster.uid_mut(), key, Escrow { balance: balance::zero(), debt_mist: 0, suspended: false });
    };
    df::borrow_mut(cluster.uid_mut(), key)
}

/// Takes `charge` from the namespace's escrow, or all it holds with the rest as debt (then
/// suspends it); returns what was taken.
fun charge_escrow(cluster: &mut Cluster, cluster_id: ID, namespace: String, charge: u64, period: u64): Balance<SUI> {
    let escrow = escrow_mut_or_new(cluster, namespace);
    let available = escrow.balance.value();
    let taken = if (charge <= available) charge else available;
    let paid = escrow.balance.split(taken);
    escrow.debt_mist = escrow.debt_mist + (charge - taken);
    let suspend = escrow.debt_mist > 0 && !escrow.suspended;
    if (suspend) escrow.suspended = true;
    let (balance_mist, debt_mist) = (escrow.balance.value(), escrow.debt_mist);
    events::emit_escrow(cluster_id, namespace, ESCROW_CHARGED, charge, balance_mist, debt_mist, period);
    if (suspend) {
        events::emit_escrow(cluster_id, namespace, ESCROW_SUSPENDED, debt_mist, balance_mist, debt_mist, period);
    };
    paid
}

fun credit_worker(cluster: &mut Cluster, cluster_id: ID, node_id: String, amount: Balance<SUI>, period: u64) {
    let key = EarningsKey { node_id };
    if (!df::exists_(cluster.uid(), key)) df::add(cluster.uid_mut(), key, balance::zero<SUI>());
    let earnings: &mut Balance<SUI> = df::borrow_mut(cluster.uid_mut(), key);
    let credited = amount.value();
    earnings.join(amount);
    let balance_mist = earnings.value();
    events::emit_worker_earnings(cluster_id, node_id, EARNINGS_CREDITED, credited, balance_mist, period);
}
