import type { Command } from "./command.ts";
import { applyCommand } from "./commands/apply.ts";
import { attachCommand } from "./commands/attach.ts";
import { billingCommand, escrowCommand } from "./commands/billing.ts";
import { clusterCommand } from "./commands/cluster.ts";
import { completionCommandFor } from "./commands/completion.ts";
import { configCommand } from "./commands/config.ts";
import { controlCommand } from "./commands/control.ts";
import { deleteCommand } from "./commands/delete.ts";
import { demoCommand } from "./commands/demo.ts";
import { deployCommand } from "./commands/deploy.ts";
import { describeCommand } from "./commands/describe.ts";
import { devnetCommand } from "./commands/devnet.ts";
import { eventsCommand } from "./commands/events.ts";
import { execCommand } from "./commands/exec.ts";
import { getCommand } from "./commands/get.ts";
import { keysCommand } from "./commands/keys.ts";
import { kubeconfigCommand } from "./commands/kubeconfig.ts";
import { logsCommand } from "./commands/logs.ts";
import { namespaceCommand } from "./commands/namespace.ts";
import { packageCommand } from "./commands/package.ts";
import { podCommand } from "./commands/pod.ts";
import { portForwardCommand } from "./commands/port-forward.ts";
import { proxyCommand } from "./commands/proxy.ts";
import { requestsCommand, resultCommand } from "./commands/requests.ts";
import { secretCommand } from "./commands/secret.ts";
import { upCommand } from "./commands/up.ts";
import { versionCommand } from "./commands/version.ts";
import { workerCommand } from "./commands/worker.ts";

/**
 * Every `k8s-daas` command, in help order: getting started, tenant, operator, daemons, the
 * CLI's own setup. The help, the dispatcher and the shell completion scripts all read it.
 */
export const COMMANDS: readonly Command[] = [
  upCommand,
  demoCommand,
  namespaceCommand,
  billingCommand,
  escrowCommand,
  podCommand,
  applyCommand,
  secretCommand,
  deployCommand,
  getCommand,
  deleteCommand,
  describeCommand,
  logsCommand,
  execCommand,
  attachCommand,
  portForwardCommand,
  eventsCommand,
  proxyCommand,
  kubeconfigCommand,
  requestsCommand,
  resultCommand,
  clusterCommand,
  packageCommand,
  keysCommand,
  devnetCommand,
  controlCommand,
  workerCommand,
  configCommand,
  versionCommand,
  completionCommandFor(() => COMMANDS),
];
