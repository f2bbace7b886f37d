// The CLI's pure pieces: tables, kinds, manifest parsing, result codes, amounts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { objectTable } from "../../src/cli/commands/object-table.ts";
import { CliError, EXIT } from "../../src/cli/errors.ts";
import { parseManifests, resourceOf } from "../../src/cli/manifests.ts";
import { age, formatTable, sui } from "../../src/cli/output.ts";
import { errorCodeOf } from "../../src/cli/request-flow.ts";

function refusal(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CliError, String(error));
    return error;
  }
  assert.fail("expected a CliError");
}

test("tables align columns and never break a row over lines", () => {
  assert.equal(
    formatTable(
      ["NAME", "STATUS"],
      [
        ["web", "Running"],
        ["a-longer-name", "multi\nline"],
      ],
    ),
    ["NAME            STATUS", "web             Running", "a-longer-name   multi line"].join("\n"),
  );
});

test("kinds resolve like kubectl: plural, singular, Kind, short names, group-qualified", () => {
  for (const name of ["pods", "pod", "Pod", "po"]) assert.equal(resourceOf(name).plural, "pods");
  for (const name of ["deployments", "deploy", "deployments.apps"])
    assert.equal(resourceOf(name).plural, "deployments");
  assert.equal(resourceOf("svc").plural, "services");
  const unknown = refusal(() => resourceOf("roles"));
  assert.equal(unknown.code, "UNKNOWN_KIND");
  assert.equal(unknown.exitCode, EXIT.usage);
});

test("multi-document YAML becomes one object per document; empty documents are skipped", () => {
  const objects = parseManifests(
    '---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: a, namespace: team}\n---\n---\n{"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "b"}}\n',
    "m.yaml",
  );
  assert.deepEqual(
    objects.map((object) => [object.label, object.namespace, object.resource.plural]),
    [
      ["configmap/a", "team", "configmaps"],
      ["deployment/b", undefined, "deployments"],
    ],
  );
});

test("manifest problems name the document and refuse before sending", () => {
  assert.match(
    refusal(() => parseManifests("kind: Pod\nmetadata: {}\n", "p.yaml")).message,
    /p\.yaml: Pod has no metadata\.name/,
  );
  assert.equal(
    refusal(() => parseManifests("- a\n- b\n", "list.yaml")).code,
    "MANIFEST_NOT_OBJECT",
  );
  assert.equal(refusal(() => parseManifests("", "empty.yaml")).code, "MANIFEST_EMPTY");
  const second = refusal(() =>
    parseManifests(
      "kind: Pod\nmetadata: {name: a}\n---\nkind: pod\nmetadata: {name: b}\n",
      "two.yaml",
    ),
  );
  assert.match(
    second.message,
    /two\.yaml \(document 2\): unknown kind "pod" \(did you mean Pod\?\)/,
  );
  assert.equal(
    refusal(() => parseManifests("kind: Pod\nmetadata: {name: Not_A_Name}\n", "n.yaml")).code,
    "INVALID_NAME",
  );
  assert.equal(
    refusal(() => parseManifests("a: &x 1\nb: *x\nkind: Pod\n", "alias.yaml")).exitCode,
    EXIT.usage,
  );
});

test("a result summary's error code is read from its stable prefix", () => {
  assert.equal(
    errorCodeOf("403 ADMISSION_HOST_PATH: hostPath volumes are forbidden"),
    "ADMISSION_HOST_PATH",
  );
  assert.equal(errorCodeOf("201 pod/web created"), undefined);
});

test("amounts and ages read like the sui CLI and kubectl", () => {
  assert.equal(sui(1_500_000_000n), "1.5 SUI");
  assert.equal(sui("1000000"), "0.001 SUI");
  assert.equal(sui(2_000_000_000n), "2 SUI");
  const now = Date.parse("2026-01-01T12:00:00Z");
  assert.equal(age(now - 42_000, now), "42s");
  assert.equal(age(now - 185_000, now), "3m5s");
  assert.equal(age(now - 3 * 3_600_000, now), "3h");
  assert.equal(age(now - 3 * 86_400_000, now), "3d");
});

test("get ingress prints each host's URL (https when the TLS section names the host)", () => {
  const table = objectTable("Ingress", {
    items: [
      {
        kind: "Ingress",
        metadata: { name: "web" },
        spec: {
          rules: [{ host: "web.team-a.apps.example" }, { host: "api.team-a.apps.example" }],
          tls: [{ hosts: ["api.team-a.apps.example"] }],
        },
      },
      { kind: "Ingress", metadata: { name: "catch-all" }, spec: { rules: [{}] } },
    ],
  });
  assert.deepEqual(table.headers, ["NAME", "HOSTS", "URLS", "AGE"]);
  assert.deepEqual(
    table.rows.map((row) => row.slice(0, 3)),
    [
      [
        "web",
        "web.team-a.apps.example,api.team-a.apps.example",
        "http://web.team-a.apps.example/,https://api.team-a.apps.example/",
      ],
      ["catch-all", "*", "-"],
    ],
  );
});
