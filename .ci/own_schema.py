#!/usr/bin/env python3
"""Holds the mock and the export to the export's own schemas (issue 18).

  own_schema.py examples EXPORT.json
      every `example` of the export's media types against the schema beside it;
  own_schema.py select EXPORT.json BUNDLE_DIR BASE_URL
      every operation that documents `$select` and has a sample request: the sample sent with
      `$select=<one property of the answer>`, its 2xx JSON answer against the export's schema of
      that status.

Formats int32, int64 (ranges), date-time (RFC 3339) and byte (base64) are checked. Prints the
counts and the first failures; exits 1 on any failure."""
import base64, binascii, json, os, re, sys, urllib.error, urllib.parse, urllib.request
import concurrent.futures

import jsonschema
from rfc3339_validator import validate_rfc3339

FORMATS = jsonschema.FormatChecker()
FORMATS.checks("date-time")(lambda v: not isinstance(v, str) or validate_rfc3339(v))
FORMATS.checks("int32")(lambda v: not isinstance(v, int) or -2**31 <= v < 2**31)
FORMATS.checks("int64")(lambda v: not isinstance(v, int) or -2**63 <= v < 2**63)


def is_base64(v):
    if not isinstance(v, str):
        return True
    try:
        base64.b64decode(v, validate=True)
        return True
    except (binascii.Error, ValueError):
        return False


FORMATS.checks("byte")(is_base64)


def validator(doc, schema):
    """A validator of `schema`, a schema inside the export (its `#/components/...` refs resolve)."""
    root = dict(schema) if isinstance(schema, dict) else {"allOf": [schema]}
    root["components"] = doc["components"]
    return jsonschema.Draft202012Validator(root, format_checker=FORMATS)


def first_errors(v, value):
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:140]}" for e in list(v.iter_errors(value))[:2]]


def examples(doc):
    checked, bad = 0, []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            places = [("request", (op.get("requestBody") or {}).get("content", {}))]
            places += [(code, r.get("content", {})) for code, r in op["responses"].items()]
            for where, content in places:
                for media, obj in content.items():
                    if "example" not in obj:
                        continue
                    checked += 1
                    errs = first_errors(validator(doc, obj["schema"]), obj["example"])
                    if errs:
                        bad.append(f"{op['operationId']} {where} {media}: {errs[0]}")
    print(f"export examples: {checked - len(bad)}/{checked} valid against their own schema, {len(bad)} invalid")
    for line in bad[:10]:
        print("  " + line)
    return not bad


def fill(path, params):
    kinds = {p["name"]: (p.get("schema") or {}).get("type") for p in params}
    return re.sub(r"\{([^}]+)\}", lambda m: "1" if kinds.get(m.group(1)) in ("integer", "number") or "id" in m.group(1).lower() else "abc", path)


def first_property(doc, schema):
    """The first property of an answer's root object (or of the items of a root array)."""
    for _ in range(8):
        if "$ref" in schema:
            schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            schema = schema["items"]
        else:
            break
    props = list((schema.get("properties") or {}).keys())
    return props[0] if props else None


def select(doc, bundle, base):
    exported = {op["operationId"]: op for item in doc["paths"].values() for op in item.values()
                if isinstance(op, dict) and "operationId" in op}
    cases = []
    for name in sorted(os.listdir(os.path.join(bundle, "operations"))):
        op = json.load(open(os.path.join(bundle, "operations", name)))
        if not any(p["name"].lower() == "$select" for p in op.get("queryParameters", [])):
            continue
        sample = (op.get("example") or {}).get("request")
        export = exported.get(op["operationId"])
        status = str(op.get("successStatus", 200))
        media = (((export or {}).get("responses", {}).get(status) or {}).get("content") or {}).get("application/json")
        if not sample or media is None:
            continue
        prop = first_property(doc, media["schema"])
        if prop is None:
            continue
        target = fill(sample["path"].split("?")[0], op.get("pathParameters", []))
        query = urllib.parse.parse_qsl(urllib.parse.urlsplit(sample["path"]).query)
        query = [(k, v) for k, v in query if k.lower() != "$select"]
        # Required parameters the sample leaves out: the page's example value, else one of
        # the documented type.
        examples = {k: v for pairs in op.get("queryExamples", []) for k, v in pairs}
        for p in op.get("queryParameters", []):
            if p.get("required") and not any(k == p["name"] for k, _ in query):
                kind = (p.get("schema") or {}).get("type")
                query.append((p["name"], examples.get(p["name"]) or ("1" if kind in ("integer", "number") else "abc")))
        query.append(("$select", prop))
        cases.append((op, export, status, media, base + target + "?" + urllib.parse.urlencode(query), sample))

    def send(case):
        op, export, status, media, url, sample = case
        body = sample.get("body")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": "Basic dGplMDpUamUw", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=op["method"], headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    valid, bad = 0, []
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for case, (code, raw) in zip(cases, pool.map(send, cases)):
            op, export, status, media, url, _ = case
            if not 200 <= code < 300:
                bad.append(f"{op['operationId']}: {code} {raw[:160]!r}")
                continue
            answer = json.loads(raw) if raw.strip() else None
            errs = first_errors(validator(doc, media["schema"]), answer)
            if errs:
                bad.append(f"{op['operationId']} ({url.split('?', 1)[1]}): {errs[0]}")
            else:
                valid += 1
    total = len(cases)
    print(f"$select answers: {valid}/{total} valid against the export ({100.0 * valid / max(total, 1):.2f} %), {len(bad)} not")
    for line in bad[:10]:
        print("  " + line)
    return total > 0 and not bad


def main():
    mode, export = sys.argv[1], sys.argv[2]
    doc = json.load(open(export))
    ok = examples(doc) if mode == "examples" else select(doc, sys.argv[3], sys.argv[4])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
