//go:build tools

// The Pulumi YAML language host for the engine tests (examples/yaml-team): pulumi-yaml at the newest version the
// module proxy serves, in its own module because it builds against an older pkg/v3 than the CLI (the language
// protocol between them is stable; the two APIs are not).
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
