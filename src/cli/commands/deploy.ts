import { deploymentManifest, LIMITS } from "../../protocol/index.ts";
import { type Command, integerFlag, onePositional, stringFlag } from "../command.ts";
import { printHourlyCost } from "../cost-estimate.ts";
import { EXIT, usageError } from "../errors.ts";
import { checkImage, checkObjectName } from "../manifests.ts";
import { REQUEST_HELP, REQUEST_OPTIONS, submitRequests } from "../request-flow.ts";
import { Session } from "../session.ts";

export const deployCommand: Command = {
  name: "deploy",
  summary: "Create a Deployment of N replicas (the seed's deploy_pods_batch).",
  usage: "k8s-daas deploy NAME --image IMAGE --replicas N [-n NAMESPACE]",
  example: "k8s-daas deploy web --image nginxinc/nginx-unprivileged:1.27 --replicas 3",
  options: { image: { type: "string" }, replicas: { type: "string" }, ...REQUEST_OPTIONS },
  optionHelp: {
    image: "container image (must run as non-root)",
    replicas: `number of pods, 1 to ${LIMITS.maxReplicas} (default 1)`,
    ...REQUEST_HELP,
  },
  async run(args) {
    const name = onePositional(deployCommand, args.positionals, "deployment name");
    checkObjectName(name, "deployment name");
    const image = stringFlag(args.values, "image");
    if (!image) throw usageError("--image is required", `usage: ${deployCommand.usage}`);
    checkImage(image);
    const replicas = integerFlag(args.values, "replicas", 1, { min: 1, max: LIMITS.maxReplicas });
    const session = new Session(args.values);
    const namespace = await session.namespace(args.values.namespace);
    const manifest = deploymentManifest(name, namespace, image, replicas);
    await printHourlyCost(session, [
      { kind: "Deployment", label: `deployment/${name}`, object: JSON.parse(manifest) },
    ]);
    const { failed } = await submitRequests(session, args, namespace, [
      {
        call: "deploy_pods_batch",
        values: { deployment_name: name, image, replicas },
        label: `deployment/${name}`,
        write: true,
        payload: new TextEncoder().encode(manifest),
      },
    ]);
    return failed ? EXIT.failure : EXIT.ok;
  },
};
