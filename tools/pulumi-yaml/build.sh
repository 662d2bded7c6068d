#!/usr/bin/env bash
# Build the Pulumi YAML language host into .venv/bin, so that a plain `pulumi up` of a
# `runtime: yaml` program (examples/yaml) works with the CLI there. No registry ships it
# prebuilt; the Go module proxy serves its source. It is built from outside any module, with
# its own go.mod's Pulumi versions: inside tools/pulumi (pkg v3.274.1) it does not compile.
# Skips the build when the binary there already is the pinned version.
set -euo pipefail
version=v1.25.0
module=github.com/pulumi/pulumi-yaml
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/.venv/bin/pulumi-language-yaml"

if [ -x "$bin" ] && command -v go >/dev/null &&
  go version -m "$bin" 2>/dev/null | grep -q "^[[:space:]]*mod[[:space:]]*$module[[:space:]]*$version[[:space:]]"; then
  exit 0
fi
command -v go >/dev/null || { echo "tools/pulumi-yaml/build.sh: Go is needed to build pulumi-language-yaml" >&2; exit 1; }
echo "building the Pulumi YAML language host $version (about a minute with warm Go caches)..." >&2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# From a temporary folder, with GOWORK=off: no surrounding module or workspace applies.
(cd "$out" && GOWORK=off GOBIN="$out" go install -trimpath -ldflags "-s -w" "$module/cmd/pulumi-language-yaml@$version")
mv "$out/pulumi-language-yaml" "$bin"
echo "built $bin ($version)" >&2
