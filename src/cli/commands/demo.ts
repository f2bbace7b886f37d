import type { Command } from "../command.ts";

export const demoCommand: Command = {
  name: "demo",
  summary:
    "Walk through a tenant's path on the local stack: claim a namespace, create a pod, see it Running and its result on chain.",
  usage: "k8s-daas demo [-n NAMESPACE] [--stop]",
  example: "k8s-daas demo   # starts 'k8s-daas up' unless a local stack is running",
  options: {
    namespace: { type: "string", short: "n" },
    stop: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
  optionHelp: {
    namespace: "the namespace to claim (default $K8S_DAAS_DEMO_NAMESPACE, else demo)",
    stop: "stop the stack the demo started once it is done (default: keep it running until Ctrl-C)",
    help: "show this help",
  },
  // Loads the Kubernetes client: only when the demo runs.
  run: async (args) => (await import("../demo/run-demo.ts")).runDemo(args),
};
