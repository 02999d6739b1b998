// The real pulumi-kubernetes provider, served as its own command does, reading the package schema from beside
// the binary (the upstream command embeds a file that `go generate` writes, which a module download lacks).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

func main() {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	schema, err := os.ReadFile(filepath.Join(filepath.Dir(self), "schema.json"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	provider.Serve("kubernetes", version.Version, schema, []byte("{}"))
}
