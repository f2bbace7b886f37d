package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// clientIdentity is one client certificate: its file stem, user name and groups.
type clientIdentity struct {
	file   string
	user   string
	groups []string
}

// The control plane's own clients. KWOK acts for every simulated node at once, which no
// single node identity allows under the Node authorizer, so it gets cluster-admin rights.
var clientIdentities = []clientIdentity{
	{file: "admin", user: "kube-testenv-admin", groups: []string{"system:masters"}},
	{file: "controller-manager", user: "system:kube-controller-manager"},
	{file: "scheduler", user: "system:kube-scheduler"},
	{file: "kwok", user: "kwok-controller", groups: []string{"system:masters"}},
}

// runCerts writes a fresh PKI into --dir: a CA, the API server serving certificate, the
// service-account signing key pair and one client certificate per control-plane client.
// Existing files are kept so that restarting a cluster keeps its credentials.
func runCerts(args []string) int {
	fs := flag.NewFlagSet("certs", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory for the PKI (required)")
	serviceIP := fs.String("service-ip", "10.0.0.1", "ClusterIP of the kubernetes Service")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "certs: --dir is required")
		return 2
	}
	if err := writePKI(*dir, net.ParseIP(*serviceIP)); err != nil {
		fmt.Fprintf(os.Stderr, "certs: %v\n", err)
		return 1
	}
	return 0
}

func writePKI(dir string, serviceIP net.IP) error {
	if serviceIP == nil {
		return fmt.Errorf("--service-ip is not an IP address")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if fileExists(filepath.Join(dir, "ca.crt")) {
		return nil
	}
	caKey, err := newKey()
	if err != nil {
		return err
	}
	caTemplate := baseTemplate(pkix.Name{CommonName: "kube-testenv-ca"})
	caTemplate.IsCA = true
	caTemplate.BasicConstraintsValid = true
	caTemplate.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, caKey.Public(), caKey)
	if err != nil {
		return err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	if err := writePair(dir, "ca", caDER, caKey); err != nil {
		return err
	}

	serving := baseTemplate(pkix.Name{CommonName: "kube-apiserver"})
	serving.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	serving.DNSNames = []string{
		"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
		"kubernetes.default.svc.cluster.local",
	}
	serving.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), serviceIP}
	if err := signAndWrite(dir, "apiserver", serving, caCert, caKey); err != nil {
		return err
	}

	for _, id := range clientIdentities {
		client := baseTemplate(pkix.Name{CommonName: id.user, Organization: id.groups})
		client.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		if err := signAndWrite(dir, id.file, client, caCert, caKey); err != nil {
			return err
		}
	}

	saKey, err := newKey()
	if err != nil {
		return err
	}
	return writeServiceAccountKeys(dir, saKey)
}

func newKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

func baseTemplate(subject pkix.Name) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		// Backdated so that small clock differences never make a fresh cert "not yet valid".
		NotBefore: now.Add(-time.Hour),
		NotAfter:  now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:  x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
}

func signAndWrite(dir, stem string, template, ca *x509.Certificate, caKey crypto.Signer) error {
	key, err := newKey()
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca, key.Public(), caKey)
	if err != nil {
		return err
	}
	return writePair(dir, stem, der, key)
}

func writePair(dir, stem string, certDER []byte, key *ecdsa.PrivateKey) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, stem+".key"), "PRIVATE KEY", keyDER); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, stem+".crt"), "CERTIFICATE", certDER)
}

func writeServiceAccountKeys(dir string, key *ecdsa.PrivateKey) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, "sa.key"), "PRIVATE KEY", keyDER); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, "sa.pub"), "PUBLIC KEY", pubDER)
}

func writePEM(path, blockType string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), 0o600)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
