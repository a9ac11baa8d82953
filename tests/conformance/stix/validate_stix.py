"""Validates a STIX 2.1 bundle (stdin) against the OASIS STIX 2.1 JSON schemas, with Debian's python3-jsonschema.

Each object is checked against the schema of its type (sdos/, sros/, observables/, common/marking-definition) and
the whole against common/bundle.json. bundle.json's list of object schemas lacks some STIX 2.1 SDOs that have a
schema of their own (incident, grouping, location, note, opinion: the same gap as oasis-open/cti-stix2-json-schemas
issue #133 for infrastructure), and its custom-object branch then matches both core schemas (oneOf fails): objects of
those types are checked by their own schema only, and left out of the bundle-level check.
Prints one JSON line: {"valid": bool, "checked": n, "errors": [...]}.
"""
import json
import pathlib
import sys

import jsonschema

ROOT = pathlib.Path(__file__).parent / "oasis-schemas"

store = {}
for path in ROOT.rglob("*.json"):
    schema = json.loads(path.read_text())
    store[schema["$id"]] = schema
    # The schemas refer to each other relatively from the $id of the referrer.


def schema_for(name):
    for sub in ("sdos", "sros", "observables", "common"):
        p = ROOT / sub / f"{name}.json"
        if p.exists():
            return json.loads(p.read_text())
    return None


def validate(instance, schema):
    resolver = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
    validator = jsonschema.Draft202012Validator(
        schema, resolver=resolver, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in validator.iter_errors(instance)]


bundle_schema = schema_for("bundle")
listed = {
    ref["$ref"].rsplit("/", 1)[-1].removesuffix(".json")
    for ref in bundle_schema["properties"]["objects"]["items"]["anyOf"][0]["oneOf"]
}
bundle = json.load(sys.stdin)
envelope = dict(bundle)
if "objects" in bundle:
    envelope["objects"] = [o for o in bundle["objects"] if o.get("type") in listed or schema_for(o.get("type", "")) is None]
    if not envelope["objects"]:
        del envelope["objects"]
errors = [f"bundle {e}" for e in validate(envelope, bundle_schema)]
checked = 0
for obj in bundle.get("objects", []):
    schema = schema_for(obj.get("type", ""))
    if schema is None:
        errors.append(f"{obj.get('id')}: no OASIS schema for type {obj.get('type')}")
        continue
    errors.extend(f"{obj.get('id')} {e}" for e in validate(obj, schema))
    checked += 1
print(json.dumps({"valid": not errors, "checked": checked, "errors": errors[:50]}))
