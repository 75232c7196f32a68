#!/usr/bin/env bash
# Refreshes policy_templates.json.gz from the installed AWS SAM translator
# (pip package aws-sam-translator, module samtranslator, Apache-2.0):
#   account/template/samdata/gen/refresh.sh     (or: go generate ./account/template/samdata)
# The translator's version is recorded in the data (samdata.Version()).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../../.." && pwd)
src=$(python3 -c 'import os, samtranslator; print(os.path.dirname(samtranslator.__file__))')
cd "$root"
go run ./account/template/samdata/gen -src "$src" -out account/template/samdata/policy_templates.json.gz
