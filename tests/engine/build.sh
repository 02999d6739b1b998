#!/usr/bin/env bash
# make engine: the real Pulumi engine for tests/engine, built once into a cache outside the checkout.
#
#   <cache>/<version>/bin/         pulumi (the CLI, pkg/v3 at the pinned SDK's version), pulumi-language-python
#                                  (tests/engine/build/languagehost) and the SDK's pulumi-language-python-exec,
#                                  pulumi-language-nodejs (tests/engine/build/nodejsgen: SDK generation only)
#   <cache>/<version>/kubernetes/  the real pulumi-kubernetes provider and the render proxy in front of it
#   <cache>/<version>/yaml/        pulumi-language-yaml (Pulumi YAML programs: examples/yaml-team)
#
# <cache> is $IRSA_ENGINE_HOME, else $XDG_CACHE_HOME/irsa/engine, else ~/.cache/irsa/engine. A second run
# builds nothing (each part keeps a stamp of the sources it was built from). With the normal installer's
# `pulumi` of the pinned version on PATH (its pulumi-language-python beside it), those are linked instead.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
version=$(sed -n 's/^pulumi==\([0-9.]*\).*$/\1/p' "$root/requirements.lock")
[ -n "$version" ] || { echo "make engine: requirements.lock locks no pulumi==<version>" >&2; exit 2; }
k8s_sdk=$(sed -n 's/^pulumi-kubernetes==\([0-9.]*\).*$/\1/p' "$root/requirements.lock")
cache=${IRSA_ENGINE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/irsa/engine}
bin=$cache/$version/bin
k8s=$cache/$version/kubernetes
yaml=$cache/$version/yaml

# Nothing in the cache runs unless every directory from a root you own down to each part is yours alone: not a
# symbolic link, writable by nobody else, and every entry yours (components/cli/owned.py creates them 0700).
if [ -n "${IRSA_ENGINE_HOME:-}" ]; then below=(); croot=$IRSA_ENGINE_HOME
else below=(irsa engine); croot=${XDG_CACHE_HOME:-$HOME/.cache}; fi
for part in bin kubernetes yaml; do
    why=$(python3 "$root/components/cli/owned.py" "$croot" "${below[@]}" "$version" "$part" 2>&1) \
        || { echo "make engine: the engine cache is refused: $why" >&2; exit 2; }
done

# The tools a build needs, checked once before the first part is built (a built cache needs neither): Go at least
# the newest `go` line of the build modules, and room for a cold build — Go modules about 2.8 GB, Go's build cache
# about 6 GB, this cache 0.7 GB (measured) — where each of them lives. One line says what is missing and how to
# get it.
go_needed=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$here"/build/go.mod "$here"/build/*/go.mod | sort -V | tail -n 1)
checked=
need_tools() {
    [ -n "$checked" ] && return 0
    if ! command -v go >/dev/null 2>&1; then
        echo "make engine: needs Go >= $go_needed to build the engine and finds no go on PATH: install Go (a distribution's golang package if it is new enough; any Go >= 1.21 then fetches $go_needed itself with GOTOOLCHAIN=go$go_needed) and put its bin on PATH" >&2
        exit 2
    fi
    have=$(go env GOVERSION | sed 's/^go//')
    if [ "$(printf '%s\n%s\n' "$go_needed" "$have" | sort -V | head -n 1)" != "$go_needed" ]; then
        echo "make engine: needs Go >= $go_needed (tests/engine/build/go.mod) and finds Go $have ($(command -v go)): install a newer Go, or export GOTOOLCHAIN=go$go_needed to have this go fetch it from the module proxy" >&2
        exit 2
    fi
    for place in "$(go env GOMODCACHE)" "$(go env GOCACHE)" "$cache"; do
        mkdir -p "$place" 2>/dev/null || true
        free=$(df -Pk "$place" 2>/dev/null | awk 'NR == 2 {print int($4 / 1048576)}')
        if [ -n "$free" ] && [ "$free" -lt 10 ]; then
            echo "make engine: a cold build needs about 10 GB free (Go modules, Go's build cache, this cache) and $place has ${free} GB: free some, or point GOMODCACHE, GOCACHE and IRSA_ENGINE_HOME elsewhere" >&2
            exit 2
        fi
    done
    checked=yes
}

# The stamp of what a part is built from: its module's files (named relative to $1) and this script.
sources_of() { (cd "$1" && shift && sha256sum "$@" && sha256sum < "$here/build.sh") | sha256sum | cut -c1-32; }
# Built: the first line of its .stamp is that stamp, and the SHA-256 of every binary it built (the lines after it)
# still match.
built() {
    [ -f "$1/.stamp" ] && [ "$(head -n 1 "$1/.stamp")" = "$2" ] && [ "$(wc -l < "$1/.stamp")" -gt 1 ] \
        && (cd "$1" && tail -n +2 .stamp | sha256sum --quiet --strict -c - >/dev/null 2>&1)
}
stamp_of() { (echo "$2" && cd "$1" && shift 2 && sha256sum "$@") > "$1/.stamp.new" && mv "$1/.stamp.new" "$1/.stamp"; }
seconds() { echo $(( $(date +%s) - $1 )); }

# The CLI and the language host.
installed=$(command -v pulumi || true)
stamp=$(sources_of "$here/build" go.mod go.sum languagehost/main.go sdkgen/sdkgen.go nodejsgen/main.go)
if [ -n "$installed" ] && [ "$("$installed" version 2>/dev/null)" = "v$version" ] \
    && [ -x "$(dirname "$installed")/pulumi-language-python" ]; then
    for tool in pulumi pulumi-language-python pulumi-language-python-exec; do
        ln -sfn "$(dirname "$installed")/$tool" "$bin/$tool"
    done
    echo "make engine: using the installed Pulumi CLI $version ($installed)"
elif built "$bin" "$stamp"; then
    echo "make engine: Pulumi CLI $version and language host already built in $bin"
else
    need_tools
    start=$(date +%s)
    echo "make engine: building the Pulumi CLI $version and the language host into $bin (minutes, once)"
    (
        cd "$here/build"
        go build -trimpath -o "$bin/pulumi" \
            -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
            github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
        go build -trimpath -o "$bin/pulumi-language-python" -ldflags "-X main.version=$version" ./languagehost
        go build -trimpath -o "$bin/pulumi-language-nodejs" -ldflags "-X main.version=$version" ./nodejsgen
        sdk=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
        install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$bin/pulumi-language-python-exec"
    )
    stamp_of "$bin" "$stamp" pulumi pulumi-language-python pulumi-language-nodejs pulumi-language-python-exec
    echo "make engine: CLI built in $(seconds "$start") s"
fi
[ "$("$bin/pulumi" version)" = "v$version" ] || { echo "make engine: $bin/pulumi is not v$version" >&2; exit 1; }

# The real pulumi-kubernetes provider (the only version the module proxy serves) and its render proxy.
stamp=$(sources_of "$here/build/kubernetes" go.mod go.sum provider/main.go render/main.go)-$k8s_sdk
if built "$k8s" "$stamp"; then
    echo "make engine: pulumi-kubernetes provider already built in $k8s"
else
    need_tools
    start=$(date +%s)
    echo "make engine: building the pulumi-kubernetes provider into $k8s (minutes, once)"
    (
        cd "$here/build/kubernetes"
        module=github.com/pulumi/pulumi-kubernetes/provider/v4
        # It reports the version the SDK asks for, with the module version it was built from as semver build
        # metadata (4.34.2+v4.0.0-2026…): the engine compares without the metadata, so it no longer warns on
        # every run that the plugin is older than requested, and the version still names the code that runs.
        built_from=$(go list -m -f '{{.Version}}' $module)
        go build -trimpath -o "$k8s/pulumi-resource-kubernetes-real" \
            -ldflags "-X $module/pkg/version.Version=$k8s_sdk+$built_from -X main.schemaVersion=$k8s_sdk" \
            ./provider
        go build -trimpath -o "$k8s/pulumi-resource-kubernetes" ./render
        install -m 0644 "$(go list -m -f '{{.Dir}}' $module)/cmd/pulumi-resource-kubernetes/schema.json" "$k8s/schema.json"
    )
    stamp_of "$k8s" "$stamp" pulumi-resource-kubernetes-real pulumi-resource-kubernetes schema.json
    echo "make engine: pulumi-kubernetes provider built in $(seconds "$start") s"
fi
# The Pulumi YAML language host (its own module: pulumi-yaml builds against an older pkg/v3).
stamp=$(sources_of "$here/build/yaml" go.mod go.sum tools.go)
if built "$yaml" "$stamp"; then
    echo "make engine: Pulumi YAML language host already built in $yaml"
else
    need_tools
    start=$(date +%s)
    echo "make engine: building the Pulumi YAML language host into $yaml (minutes, once)"
    (cd "$here/build/yaml" && go build -trimpath -o "$yaml/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml)
    stamp_of "$yaml" "$stamp" pulumi-language-yaml
    echo "make engine: Pulumi YAML language host built in $(seconds "$start") s"
fi
echo "$cache/$version"
