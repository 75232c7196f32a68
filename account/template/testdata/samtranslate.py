#!/usr/bin/env python3
"""Translates a SAM template to CloudFormation JSON with the installed
samtranslator (the test helper of account/template's SAM equivalence test).

    samtranslate.py TEMPLATE REGION [Key=Value ...]   -> CloudFormation JSON on stdout
    samtranslate.py --batch REGION TEMPLATE...        -> {"TEMPLATE": {"template": ...} or {"error": "..."}}

Exit 3 when samtranslator is not installed (the test skips), 1 when the
translation fails (the message on stderr).
"""
import json
import sys

try:
    import boto3  # noqa: F401  (samtranslator imports it)
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse
    from samtranslator.public.exceptions import InvalidDocumentException
    import samtranslator
except ImportError as e:  # pragma: no cover
    print(f"samtranslator not available: {e}", file=sys.stderr)
    sys.exit(3)


class _Loader:
    """Managed policy names come from the bundled map (no IAM call)."""

    def load(self):
        from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
        return get_bundled_managed_policy_map("aws") or {}


def translate(path, params):
    with open(path, encoding="utf-8") as f:
        sam = yaml_parse(f.read())
    return transform(sam, params, _Loader())


def batch(region, paths):
    out = {}
    for path in paths:
        try:
            out[path] = {"template": translate(path, {})}
        except InvalidDocumentException as e:
            out[path] = {"error": f"samtranslator {samtranslator.__version__}: " + "; ".join(str(c) for c in e.causes)}
    json.dump(out, sys.stdout, sort_keys=True)


def main():
    import os
    if len(sys.argv) > 2 and sys.argv[1] == "--batch":
        os.environ["AWS_DEFAULT_REGION"] = sys.argv[2]
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        batch(sys.argv[2], sys.argv[3:])
        return
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path, region = sys.argv[1], sys.argv[2]
    params = {}
    for kv in sys.argv[3:]:
        k, _, v = kv.partition("=")
        params[k] = v
    os.environ["AWS_DEFAULT_REGION"] = region
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    try:
        cfn = translate(path, params)
    except InvalidDocumentException as e:
        msg = "; ".join(str(c) for c in e.causes)
        print(f"samtranslator {samtranslator.__version__}: {msg}", file=sys.stderr)
        sys.exit(1)
    json.dump(cfn, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
