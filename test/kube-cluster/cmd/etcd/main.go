// etcd for the test control plane, built from go.etcd.io/etcd/server/v3 at the version
// k8s.io/kubernetes pins, so the API server and its storage come from one release.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
