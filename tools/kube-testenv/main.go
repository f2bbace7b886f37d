// Command kube-testenv is a multi-call binary holding a whole Kubernetes control plane
// (kube-apiserver, kube-controller-manager, kube-scheduler, etcd) plus the KWOK node
// simulator and kubectl, built from upstream Go modules. One binary keeps the build cache to
// a single artefact; `kube-testenv helm` hands over to upstream helm, built beside it (see
// helm.go). The orchestration (ports, PKI layout, readiness, shutdown) lives in the
// TypeScript side (src/k8s/testenv), which starts one process per component.
package main

import (
	"fmt"
	"os"
	"sort"
	_ "time/tzdata" // CronJob time zones, as in the upstream kube-apiserver main

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

// subcommand runs one component with the remaining arguments and returns its exit code.
type subcommand func(args []string) int

func subcommands() map[string]subcommand {
	return map[string]subcommand{
		"apiserver": func(args []string) int {
			cmd := apiserver.NewAPIServerCommand()
			cmd.SetArgs(args)
			return cli.Run(cmd)
		},
		"controller-manager": func(args []string) int {
			cmd := controllermanager.NewControllerManagerCommand()
			cmd.SetArgs(args)
			return cli.Run(cmd)
		},
		"scheduler": func(args []string) int {
			cmd := scheduler.NewSchedulerCommand()
			cmd.SetArgs(args)
			return cli.Run(cmd)
		},
		"etcd":    runEtcd,
		"kwok":    runKwok,
		"kubectl": runKubectl,
		"helm":    runHelm,
		"certs":   runCerts,
		"version": runVersion,
	}
}

func main() {
	commands := subcommands()
	if len(os.Args) < 2 {
		usage(commands)
		os.Exit(2)
	}
	run, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "kube-testenv: unknown subcommand %q\n", os.Args[1])
		usage(commands)
		os.Exit(2)
	}
	os.Exit(run(os.Args[2:]))
}

func usage(commands map[string]subcommand) {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(os.Stderr, "usage: kube-testenv <subcommand> [flags]\nsubcommands: %v\n", names)
}
