// Twins of move/tests/names_tests.move. The name checks are package-internal, so each
// case goes through an entry point that applies it: namespaces (labels) through
// `claim_namespace`, object names (subdomains) and resources through `submit`, images
// through `create_pod`. Valid names must be accepted, invalid ones refused with the
// caller's own abort code.
import { describe } from "node:test";
import type { MoveModule } from "../../src/protocol/index.ts";
import { expectAbort, type Scenario, twin } from "./fixture.ts";

const FEE = 1_000_000n;

/** Runs `attempt` for each name: `valid` ones succeed, the others abort with `refusal`. */
async function checkNames(
  cases: Record<string, boolean>,
  attempt: (name: string) => Promise<unknown>,
  refusal: [MoveModule, string],
) {
  for (const [name, valid] of Object.entries(cases)) {
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
      { "web.v1-x": true, "web.": false, "a..b": false, "a.-b": false, a_b: false, a: true },
      (name) => submit("pods", name),
      ["requests", "EInvalidObjectName"],
    );
    await checkNames(
      { "apps/v1/deployments": true, "1pods": false, Pods: false },
      (resource) => submit(resource, ""),
      ["requests", "EInvalidResource"],
    );
    const cap = await s.claim("team-b");
    await checkNames(
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
