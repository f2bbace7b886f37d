// The Grafana dashboard and the Prometheus alert rules name only metrics nautilus-control
// really exposes: a control plane is started (no chain or cluster needed for /metrics) and
// every metric and selector label in every query is looked up in what it serves.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import pino from "pino";
import { parse as parseYaml } from "yaml";
import { defaultConfig, resolveConfig } from "../../src/control/config.ts";
import { type NautilusControl, startNautilusControl } from "../../src/control/nautilus-control.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";
import { loadDevEnclaveSigner } from "../../src/tee/index.ts";
import { pinnedFetch } from "../helpers/control-client.ts";

const DASHBOARD = join(repoRoot, "deploy", "grafana", "nautilus-control.json");
const ALERTS = join(repoRoot, "deploy", "prometheus", "alerts.yaml");

/** Labels Prometheus adds to every series it scrapes. */
const TARGET_LABELS = new Set(["job", "instance"]);
const PROMQL_KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "inf",
  "nan",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
]);

interface Selector {
  readonly metric: string;
  readonly labels: readonly string[];
}

/**
 * The metric names a PromQL expression reads, with the label names each selector matches
 * on. Enough PromQL for these files: strings, ranges, offsets, grouping clauses, numbers,
 * function calls and Grafana variables are told apart from metric names.
 */
function selectorsIn(expr: string): Selector[] {
  let text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\boffset\s+\S+/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const selectors: Selector[] = [];
  // Label matchers belong to the name right before the braces.
  text = text.replace(
    /([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}/g,
    (_, metric: string | undefined, body: string) => {
      if (!metric) throw new Error(`a selector without a metric name in: ${expr}`);
      const labels = [...body.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1] ?? "");
      selectors.push({ metric, labels });
      return " ";
    },
  );
  const tokens = /\d+(?:\.\d+)?(?:e[+-]?\d+)?|\$\w+|[a-zA-Z_:][\w:]*(\s*\()?/gi;
  for (const match of text.matchAll(tokens)) {
    const [token] = match;
    if (match[1] !== undefined) continue; // a function call
    if (/^[\d$]/.test(token) || PROMQL_KEYWORDS.has(token.toLowerCase())) continue;
    selectors.push({ metric: token, labels: [] });
  }
  return selectors;
}

interface Series {
  /** The metric it belongs to (a histogram's `_bucket`, `_sum` and `_count` share one). */
  readonly family: string;
  readonly labels: readonly string[];
}

/** Every sample name a scrape of `/metrics` can hold, with its metric and label names. */
function exposedSeries(
  exposition: string,
  labelsOf: (metric: string) => readonly string[],
): Map<string, Series> {
  const series = new Map<string, Series>();
  for (const [, family = "", type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const labels = labelsOf(family);
    const add = (name: string, extra: string[] = []) =>
      series.set(name, { family, labels: [...labels, ...extra] });
    if (type === "histogram" || type === "summary") {
      add(type === "histogram" ? `${family}_bucket` : family, [
        type === "histogram" ? "le" : "quantile",
      ]);
      add(`${family}_sum`);
      add(`${family}_count`);
    } else add(family);
  }
  return series;
}

function balanced(expr: string): boolean {
  const closing: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  const stack: string[] = [];
  for (const char of expr.replace(/"(?:[^"\\]|\\.)*"/g, "")) {
    if ("([{".includes(char)) stack.push(char);
    else if (char in closing && stack.pop() !== closing[char]) return false;
  }
  return stack.length === 0;
}

interface DashboardPanel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

describe("dashboard and alert rules", () => {
  let dir: string;
  let control: NautilusControl;
  let series: Map<string, Series>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "k8s-daas-observability-"));
    const enclave = loadDevEnclaveSigner(join(dir, "enclave.json"));
    // Unreachable chain and API server: /metrics does not need them.
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromClusterAndUser(
      { name: "none", server: "https://127.0.0.1:1", skipTLSVerify: false },
      { name: "none", token: "none" },
    );
    control = await startNautilusControl(
      resolveConfig(defaultConfig(join(dir, "control")), {
        network: "http://127.0.0.1:1",
        packageId: "0x1",
        clusterId: "0x2",
        listenPort: 0,
      }),
      { kubeConfig, operator: Ed25519Keypair.generate(), enclave, log: pino({ level: "silent" }) },
    );
    // No chain here: pinned to the TLS key of the enclave it was given.
    const response = await pinnedFetch(control.url, enclave.tlsKey.spkiSha256)("/metrics");
    assert.equal(response.status, 200);
    const registry = control.metrics.registry;
    series = exposedSeries(await response.text(), (name) => {
      // prom-client keeps the declared label names on the metric object; its types omit them.
      const metric = registry.getSingleMetric(name) as unknown as { labelNames?: string[] };
      return metric?.labelNames ?? [];
    });
  });

  after(async () => {
    await control?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Fails naming the query when a metric or a selector label does not exist. */
  function checkQuery(where: string, expr: string): void {
    assert.ok(balanced(expr), `${where}: unbalanced brackets in ${expr}`);
    const selectors = selectorsIn(expr);
    assert.ok(selectors.length > 0, `${where}: no metric in ${expr}`);
    for (const { metric, labels } of selectors) {
      const known = series.get(metric);
      assert.ok(known, `${where}: ${metric} is not exposed by nautilus-control`);
      for (const label of labels) {
        assert.ok(
          known.labels.includes(label) || TARGET_LABELS.has(label),
          `${where}: ${metric} has no label ${label}`,
        );
      }
    }
  }

  it("the query parser finds metrics, labels and nothing else", () => {
    assert.deepEqual(
      selectorsIn(
        'histogram_quantile(0.99, sum by (le) (rate(a_bucket{job=~"$job", s!="2xx"}[$__rate_interval]))) / 1e9 and on() b offset 5m > 0',
      ),
      [
        { metric: "a_bucket", labels: ["job", "s"] },
        { metric: "b", labels: [] },
      ],
    );
  });

  it("serves the control plane's and the worker manager's metrics", () => {
    for (const name of [
      "k8s_daas_queue_depth",
      "k8s_daas_executions_total",
      "k8s_daas_worker_heartbeat_lag_seconds_bucket",
      "process_resident_memory_bytes",
    ]) {
      assert.ok(series.has(name), name);
    }
  });

  it("every dashboard query and variable names an exposed metric and its real labels", async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, "utf8")) as {
      uid: string;
      panels: DashboardPanel[];
      templating: {
        list: { name: string; type: string; definition?: string; query?: { query?: string } }[];
      };
    };
    assert.equal(dashboard.uid, "k8s-daas-nautilus-control");
    const graphs = dashboard.panels.filter((panel) => panel.type !== "row");
    assert.ok(graphs.length >= 12, `${graphs.length} panels`);
    for (const panel of graphs) {
      assert.ok(panel.targets && panel.targets.length > 0, `${panel.title}: no query`);
      for (const target of panel.targets) checkQuery(`panel "${panel.title}"`, target.expr);
    }
    for (const variable of dashboard.templating.list.filter((v) => v.type === "query")) {
      // What Grafana runs (query) and what its editor shows (definition).
      for (const text of [variable.query?.query, variable.definition]) {
        const inner = /^label_values\((.*),\s*(\w+)\)$/.exec(text ?? "");
        assert.ok(inner?.[1], `variable ${variable.name}: ${text}`);
        checkQuery(`variable ${variable.name}`, inner[1]);
      }
    }
    // Every metric the control plane itself defines has a panel.
    const shown = new Set(
      graphs.flatMap((panel) =>
        (panel.targets ?? []).flatMap((target) =>
          selectorsIn(target.expr).map((s) => series.get(s.metric)?.family),
        ),
      ),
    );
    const ours = new Set(
      [...series.values()].map((s) => s.family).filter((f) => f.startsWith("k8s_daas_")),
    );
    assert.deepEqual(
      [...ours].filter((family) => !shown.has(family)),
      [],
      "metrics without a panel",
    );
  });

  it("the alert rules are well formed, cover gas, follower, results and workers, and use real metrics", async () => {
    const file = parseYaml(await readFile(ALERTS, "utf8")) as {
      groups: { name: string; rules: AlertRule[] }[];
    };
    const rules = file.groups.flatMap((group) => group.rules);
    const names = rules.map((rule) => rule.alert);
    assert.equal(new Set(names).size, names.length, "alert names are unique");
    for (const rule of rules) {
      assert.match(rule.alert, /^NautilusControl[A-Z]\w+$/);
      assert.match(rule.for, /^\d+[smh]$/, `${rule.alert}: for`);
      assert.ok(["warning", "critical"].includes(rule.labels.severity), `${rule.alert}: severity`);
      assert.ok(rule.annotations.summary && rule.annotations.description, `${rule.alert}: text`);
      checkQuery(`alert ${rule.alert}`, rule.expr);
    }
    const uses = (metric: string) =>
      rules.filter((rule) => selectorsIn(rule.expr).some((s) => s.metric === metric));
    assert.ok(uses("k8s_daas_operator_gas_balance_mist").length > 0, "gas low");
    assert.ok(uses("k8s_daas_follower_reconnects_total").length > 0, "follower stalled");
    assert.ok(uses("k8s_daas_results_reported_total").length > 0, "results backlog");
    assert.ok(uses("k8s_daas_worker_heartbeat_lag_seconds_count").length > 0, "worker lapses");
  });
});
