// Twins of move/tests/names_tests.move. Each case calls the `names::is_*` function itself
// (as the Move test does) and also goes through an entry point that applies it:
// namespaces (labels) through `claim_namespace`, object names (subdomains) and resources
// through `submit`, images through `create_pod`. Valid names must be accepted, invalid
// ones refused with the caller's own abort code.
import assert from "node:assert/strict";
import { describe } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import type { MoveModule } from "../../src/protocol/index.ts";
import { arg, expectAbort, type Scenario, twin } from "./fixture.ts";

const FEE = 1_000_000n;

/**
 * For each name: `names::<check>` says whether it is `valid`; then `attempt` succeeds for
 * valid ones and aborts with `refusal` for the others.
 */
async function checkNames(
  s: Scenario,
  check: string,
  cases: Record<string, boolean>,
  attempt: (name: string) => Promise<unknown>,
  refusal: [MoveModule, string],
) {
  for (const [name, valid] of Object.entries(cases)) {
    const verdict = await s.view(`names::${check}`, [arg.string(name)], bcs.bool(), {
      onCluster: false,
    });
    assert.equal(verdict, valid, `names::${check}("${name}")`);
    if (valid) await attempt(name);
    else await expectAbort(attempt(name), ...refusal);
  }
}

/** A GET of `resource`/`name` in team-a through `submit` (claims team-a once). */
function submitter(s: Scenario) {
  let cap: Promise<string> | undefined;
  return async (resource: string, name: string) => {
    cap ??= s.claim("team-a");
    return s.call(s.tenant, "submit", {
      cap: await cap,
      method: "GET",
      resource,
      namespace: "team-a",
      name,
      payload: new Uint8Array(),
      priority: 0,
      fee: FEE,
    });
  };
}

describe("conformance: names", () => {
  twin("names_tests::dns_labels", async (s) => {
    await checkNames(
      s,
      "is_dns_label",
      {
        a: true,
        "team-a1": true,
        "": false,
        "-a": false,
        "a.b": false,
        A: false,
        ["a".repeat(64)]: false,
      },
      (namespace) => s.claim(namespace),
      ["tenancy", "EInvalidNamespace"],
    );
  });

  twin("names_tests::dns_subdomains_resources_and_images", async (s) => {
    const submit = submitter(s);
    await checkNames(
      s,
      "is_dns_subdomain",
      { "web.v1-x": true, "web.": false, "a..b": false, "a.-b": false, a_b: false, a: true },
      (name) => submit("pods", name),
      ["requests", "EInvalidObjectName"],
    );
    await checkNames(
      s,
      "is_resource",
      { "apps/v1/deployments": true, "1pods": false, Pods: false },
      (resource) => submit(resource, ""),
      ["requests", "EInvalidResource"],
    );
    const cap = await s.claim("team-b");
    await checkNames(
      s,
      "is_image",
      { "ghcr.io/org/app:1.2@sha256:ab": true, 'nginx"}': false, "nginx latest": false, "": false },
      (image) =>
        s.call(s.tenant, "create_pod", {
          cap,
          pod_name: "web",
          namespace: "team-b",
          image,
          priority: 0,
          fee: FEE,
        }),
      ["requests", "EInvalidImage"],
    );
  });
});
