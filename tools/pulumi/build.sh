#!/usr/bin/env bash
# Build the Pulumi CLI from github.com/pulumi/pulumi/pkg/v3 (no registry here ships it
# prebuilt) into .venv/bin, next to the dynamic-provider plugin script the engine needs.
# Skips the build when the binary there already reports the pinned version.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="$root/.venv"
version=$(sed -n 's/^require github.com\/pulumi\/pulumi\/pkg\/v3 \(v[0-9.]*\)$/\1/p' "$here/go.mod")
[ -n "$version" ] || { echo "tools/pulumi/build.sh: no pinned pkg/v3 version in go.mod" >&2; exit 1; }

plugin="$venv/bin/pulumi-resource-pulumi-python"
cat > "$plugin.tmp" <<SH
#!/bin/sh
# The engine runs Python dynamic providers through this plugin (found next to pulumi).
exec "$venv/bin/python" -u -m pulumi.dynamic "\$@"
SH
chmod +x "$plugin.tmp" && mv "$plugin.tmp" "$plugin"

if [ -x "$venv/bin/pulumi" ] && [ "$("$venv/bin/pulumi" version 2>/dev/null)" = "$version" ]; then
  exit 0
fi
command -v go >/dev/null || { echo "tools/pulumi/build.sh: Go is needed to build the Pulumi CLI" >&2; exit 1; }
echo "building the Pulumi CLI $version from source (first time: several minutes)..." >&2
cd "$here"
# Go's module and build caches stay outside the repo (GOMODCACHE, GOCACHE defaults).
go build -trimpath -o "$venv/bin/pulumi.tmp" \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
mv "$venv/bin/pulumi.tmp" "$venv/bin/pulumi"
echo "built $("$venv/bin/pulumi" version)" >&2
