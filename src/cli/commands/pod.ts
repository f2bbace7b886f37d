import { podManifest } from "../../protocol/index.ts";
import { type Command, integerFlag, onePositional, runAction, stringFlag } from "../command.ts";
import { printHourlyCost } from "../cost-estimate.ts";
import { EXIT, usageError } from "../errors.ts";
import { checkImage, checkObjectName } from "../manifests.ts";
import {
  jsonPayload,
  type PlannedRequest,
  REQUEST_HELP,
  REQUEST_OPTIONS,
  submitRequests,
} from "../request-flow.ts";
import { Session } from "../session.ts";

export const podCommand: Command = {
  name: "pod",
  summary: "Create a pod in your namespace (the seed's create_pod), and wait for its result.",
  usage: "k8s-daas pod create NAME --image IMAGE [--port N]... [--env KEY=VALUE]... [-n NAMESPACE]",
  example: "k8s-daas pod create web --image nginxinc/nginx-unprivileged:1.27 --port 8080",
  actions: ["create"],
  options: {
    image: { type: "string" },
    port: { type: "string", multiple: true },
    env: { type: "string", multiple: true },
    ...REQUEST_OPTIONS,
  },
  optionHelp: {
    image: "container image (must run as non-root: the namespace is Pod Security 'restricted')",
    port: "container port to declare (repeatable)",
    env: "environment variable KEY=VALUE (repeatable)",
    ...REQUEST_HELP,
  },
  run: (args) =>
    runAction(podCommand, args, {
      async create(args, rest) {
        const name = onePositional(podCommand, rest, "pod name");
        checkObjectName(name, "pod name");
        const image = stringFlag(args.values, "image");
        if (!image) throw usageError("--image is required", `usage: ${podCommand.usage}`);
        checkImage(image);
        const ports = listFlag(args.values.port).map((port) =>
          integerFlag({ port }, "port", 0, { min: 1, max: 65_535 }),
        );
        const env = listFlag(args.values.env).map(parseEnv);
        const session = new Session(args.values);
        const namespace = await session.namespace(args.values.namespace);
        const request: PlannedRequest =
          ports.length === 0 && env.length === 0
            ? // The seed's entry point: the chain builds the manifest itself.
              {
                call: "create_pod",
                values: { pod_name: name, image },
                label: `pod/${name}`,
                write: true,
                payload: new TextEncoder().encode(podManifest(name, namespace, image)),
              }
            : {
                call: "submit",
                values: {
                  method: "POST",
                  resource: "pods",
                  name,
                  payload: jsonPayload(podWithPorts(name, namespace, image, ports, env)),
                },
                label: `pod/${name}`,
                write: true,
              };
        if (request.call === "submit") request.payload = request.values.payload as Uint8Array;
        if (env.length > 0) request.secret = `the --env values of pod/${name}`;
        // Ports and env do not change the bill: the seed's manifest prices the same.
        await printHourlyCost(session, [
          {
            kind: "Pod",
            label: `pod/${name}`,
            object: JSON.parse(podManifest(name, namespace, image)),
          },
        ]);
        const { failed } = await submitRequests(session, args, namespace, [request]);
        if (!failed && session.connection.output === "table" && args.values["no-wait"] !== true) {
          process.stderr.write(`see it: k8s-daas get pods ${name} -n ${namespace}\n`);
        }
        return failed ? EXIT.failure : EXIT.ok;
      },
    }),
};

function listFlag(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function parseEnv(entry: string): { name: string; value: string } {
  const at = entry.indexOf("=");
  const name = at > 0 ? entry.slice(0, at) : "";
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
    throw usageError(`--env must be KEY=VALUE with a valid variable name, got "${entry}"`);
  }
  return { name, value: entry.slice(at + 1) };
}

function podWithPorts(
  name: string,
  namespace: string,
  image: string,
  ports: number[],
  env: { name: string; value: string }[],
) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: {
      containers: [
        {
          name,
          image,
          ...(ports.length > 0 ? { ports: ports.map((containerPort) => ({ containerPort })) } : {}),
          ...(env.length > 0 ? { env } : {}),
        },
      ],
    },
  };
}
