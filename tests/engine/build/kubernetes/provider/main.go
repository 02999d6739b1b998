// The real pulumi-kubernetes provider, served as its own command does, reading the package schema from beside
// the binary (the upstream command embeds a file that `go generate` writes, which a module download lacks).
package main

import (
	"encoding/json"
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
	if schema, err = withVersion(schema); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	provider.Serve("kubernetes", version.Version, schema, []byte("{}"))
}

// schemaVersion is the version the pinned SDK asks for (set with -ldflags): a released provider's schema carries
// it, and Pulumi's schema loader caches a schema by it (one without a version fails when read back).
var schemaVersion = ""

func withVersion(schema []byte) ([]byte, error) {
	var spec map[string]any
	if err := json.Unmarshal(schema, &spec); err != nil {
		return nil, err
	}
	if _, ok := spec["version"]; ok || schemaVersion == "" {
		return schema, nil
	}
	spec["version"] = schemaVersion
	return json.Marshal(spec)
}
