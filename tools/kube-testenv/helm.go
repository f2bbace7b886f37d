package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// helmBinaryName is upstream Helm v3's own command (helm.sh/helm/v3/cmd/helm, pinned by the
// `tool` directive in go.mod), built by the same `go build` as this binary and placed beside
// it. Helm v3 keeps its command tree in a main package, which cannot be imported the way
// kubectl's is, so the multi-call entry point hands over to that sibling binary instead.
const helmBinaryName = "helm"

// runHelm replaces this process with the sibling helm binary, so signals, stdin and the
// exit code are helm's own: `kube-testenv helm --kubeconfig <path> template …` is plain helm.
func runHelm(args []string) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kube-testenv helm: cannot locate this binary: %v\n", err)
		return 1
	}
	helm := filepath.Join(filepath.Dir(self), helmBinaryName)
	if _, err := os.Stat(helm); err != nil {
		fmt.Fprintf(os.Stderr, "kube-testenv helm: %s is missing (it is built with kube-testenv by `npm run cluster:build`): %v\n", helm, err)
		return 1
	}
	err = syscall.Exec(helm, append([]string{helmBinaryName}, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "kube-testenv helm: exec %s: %v\n", helm, err)
	return 1
}
