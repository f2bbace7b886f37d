package main

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
	"sigs.k8s.io/kwok/pkg/config"
	kwokcmd "sigs.k8s.io/kwok/pkg/kwok/cmd"
	"sigs.k8s.io/kwok/pkg/log"
	"sigs.k8s.io/kwok/pkg/utils/signals"
)

// The Stage objects that drive simulated node and pod lifecycles. They are ours (not the
// upstream defaults) so that what "Ready" means in tests is written down in this repo.
//
//go:embed stages/stages.yaml
var kwokStages []byte

// runKwok runs the KWOK controller with the embedded stages. KWOK reads its global flags
// (--config, logging) from os.Args, so the argument vector is rewritten to look like a
// standalone kwok invocation.
func runKwok(args []string) int {
	stagesFile, err := writeStages()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kwok: %v\n", err)
		return 1
	}
	defer os.RemoveAll(filepath.Dir(stagesFile))
	os.Args = append([]string{"kwok", "--config=" + stagesFile}, args...)
	dropGlobalVersionFlag()

	flagset := pflag.NewFlagSet("global", pflag.ContinueOnError)
	flagset.ParseErrorsAllowlist.UnknownFlags = true
	flagset.Usage = func() {}
	ctx := signals.SetupSignalContext()
	ctx, logger := log.InitFlags(ctx, flagset)
	ctx, err = config.InitFlags(ctx, flagset)
	if err != nil {
		logger.Error("kwok config", "err", err)
		return 1
	}
	command := kwokcmd.NewCommand(ctx)
	command.PersistentFlags().AddFlagSet(flagset)
	command.SetArgs(os.Args[1:])
	if err := command.ExecuteContext(ctx); err != nil {
		logger.Error("kwok exit", "err", err)
		return 1
	}
	return 0
}

func writeStages() (string, error) {
	dir, err := os.MkdirTemp("", "kube-testenv-kwok-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "stages.yaml")
	if err := os.WriteFile(path, kwokStages, 0o600); err != nil {
		return "", err
	}
	return path, nil
}

// dropGlobalVersionFlag removes the --version flag that Kubernetes' verflag package puts on
// pflag.CommandLine at init. Cobra merges pflag.CommandLine into every root command, and
// KWOK's root command declares its own boolean --version, which cobra refuses to combine
// with a non-boolean one. Only this (KWOK) process is affected.
func dropGlobalVersionFlag() {
	kept := pflag.NewFlagSet(pflag.CommandLine.Name(), pflag.ContinueOnError)
	pflag.CommandLine.VisitAll(func(f *pflag.Flag) {
		if f.Name != "version" {
			kept.AddFlag(f)
		}
	})
	pflag.CommandLine = kept
}
