package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// Stamped at build time with -ldflags "-X main.etcdVersion=... ". The Kubernetes version
// itself is stamped into k8s.io/component-base/version so that the API server reports it.
var (
	kubernetesVersion = "unknown"
	etcdVersion       = "unknown"
	kwokVersion       = "unknown"
	helmVersion       = "unknown"
	sourceHash        = "unknown"
	gitState          = "unknown"
)

// versionInfo is the JSON printed by `kube-testenv version`; the TypeScript side reads it.
type versionInfo struct {
	Kubernetes string `json:"kubernetes"`
	Etcd       string `json:"etcd"`
	Kwok       string `json:"kwok"`
	Helm       string `json:"helm"`
	SourceHash string `json:"sourceHash"`
	Git        string `json:"git"`
}

func runVersion(_ []string) int {
	out, err := json.Marshal(versionInfo{
		Kubernetes: kubernetesVersion,
		Etcd:       etcdVersion,
		Kwok:       kwokVersion,
		Helm:       helmVersion,
		SourceHash: sourceHash,
		Git:        gitState,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(string(out))
	return 0
}
