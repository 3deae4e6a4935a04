#!/usr/bin/env python3
"""Loads recorded API answers into the vendors' official Python SDK response models.

Usage: check.py DIR [--fixtures FIXTURES] [--known KNOWN_MISMATCHES]

DIR holds `<vendor>/<service>-<version>/<Action>.<n>.json` (the body exactly as served),
`<vendor>/<store>/<sub-resource>.<n>.xml` for object storage (`oss`, `cos`, `obs`; `.json` for a
COS bucket policy), and
`index.json` (one entry per file: vendor, service, version, action, method, path, query,
request). For every file the matching model of the vendor's SDK is found and the body walked
against it recursively:

* Tencent: `tencentcloud.<svc>.v<yyyymmdd>.models.<Action>Response` (the body's `Response`
  object); field names and types from the model's `:type Name: T` declarations.
* Alibaba: `alibabacloud_<svc><yyyymmdd>.models.<Action>ResponseBody`; each key is fed alone to
  `from_map` to find the attribute that takes it (no attribute: the SDK does not know the key;
  an exception: a type mismatch) and its `__init__` annotation gives its type.
* Huawei: `huaweicloudsdk<svc>.v*.<Action>Response` with `openapi_types` / `attribute_map`; the
  operation's `http_info` (method, `resource_path`, query parameter names) in `<svc>_client.py`
  must match the recorded request.
* CTyun: `ctyunsdk_<svc><yyyymmdd>.models.<Action>Response`, a dataclass whose type hints give
  the field names and types (nested models and `List[...]` followed); the client operation that
  answers with that model (`<svc>_client.py`: `url`, `method`) must have the recorded method and
  path, and the query names must be fields of `<Action>Request`. The RDS2 wheel
  (`ctyunsdk-rds220220714`, top-level package `rds_220220714`: CTYUN_PACKAGES) has no `models`
  module: each operation is one `apis/<group>/<name>_api.py` holding its `<Action>Request` and
  `<Action>Response` dataclasses and the `do` method (`url = endpoint + "<path>"`,
  `client.get` / `client.post`); a POST's JSON body keys must be `<Action>Request` fields too.
* Object storage (XML), by the operation the request's sub-resource names (OPERATIONS): OSS
  `alibabacloud_oss_v2.models.<Operation>Result`; OBS `huaweicloudsdkobs.v1.<Operation>Response`
  (else the model whose `xml_name` is the root element; else counted and named as not checked);
  COS the element names of cos-go-sdk-v5's result structs (`cos_models.json`, derived by
  `cos_go_models.py`). Every element the model does not define is an `unknown` finding, a text
  the SDK cannot parse as the element's type (bool, int) a `type` finding.

With --fixtures, every file of the fixture tree FIXTURES (`tests/fixtures/cn`) is checked the
same way: `<vendor>/<service>-<version>/<Action>[.<case>].json` names its model (for Huawei the
operation, found among the SDK's operations of that service whose path starts `/<version>/`), and
`<vendor>/<store>/<Operation>[.<case>].xml` (`alibaba/oss`, `tencent/cos`, `huawei/obs`; a COS
bucket policy `.json`) an object-storage operation,
so a file whose action or operation the SDK does not have is a `no-model` (or `path`) finding
and a file outside that layout a `layout` finding. A fixture file has no request: only its body
is checked.

The request's own parameters are checked the same way against `<Action>Request` (Tencent JSON
body, Alibaba query, Huawei query names and JSON body).

Every finding is one line `vendor service version action kind:key.path` (kinds: unknown, type,
no-model, no-sdk, path; request-unknown, request-type for the request's parameters; request for
a request the SDK cannot take at all). Without --known the exit status is 1 if anything
is found. With --known, each line of that file (same form; `#` starts a comment) is an expected
finding: the exit status is 1 if a finding is not listed or a listed one no longer occurs.
"""

import importlib
import inspect
import json
import os
import re
import sys
import typing

PRIMITIVES = {
    "str": (str,),
    "string": (str,),
    "int": (int,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "bool": (bool,),
    "boolean": (bool,),
}
ANY = {"object", "any", "Any", "dict", "Dict", "datetime", "date", ""}


def primitive_ok(kind, value):
    """Whether JSON `value` fits the primitive SDK type `kind` (None: not a primitive type)."""
    types = PRIMITIVES.get(kind)
    if types is None:
        return None
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


def jtype(value):
    return {dict: "object", list: "array", str: "string", bool: "bool", int: "int", float: "float"}.get(
        type(value), type(value).__name__
    )


# ---------------------------------------------------------------------------------------------
# Tencent: tencentcloud-sdk-python-<svc>


def tencent_fields(cls):
    """{name: type} from the model's `:type Name: T` docstring lines (the SDK's own declaration)."""
    cache = tencent_fields.__dict__.setdefault("cache", {})
    if cls not in cache:
        doc = cls.__init__.__doc__ or ""
        fields = dict(re.findall(r":type (\w+): ([^\n]+)", doc))
        # Every attribute the constructor sets is a field even without a docstring line.
        for name in vars(cls()):
            if name.startswith("_") and name != "_headers":
                fields.setdefault(name[1:], "")
        # ":class:`tencentcloud.cdb.v20170320.models.SlaveInfo`" names a model of the module.
        # "list of int non-negative": the first word is the type.
        fields = {k: re.sub(r"^(list of )?(\w+) non-negative$", r"\1\2", v.strip()) for k, v in fields.items()}
        cache[cls] = {k: re.sub(r":class:`(?:[\w.]+\.)?(\w+)`", r"\1", v.strip()) for k, v in fields.items()}
    return cache[cls]


def tencent_walk(models, cls, value, path, out, kind_prefix=""):
    if not isinstance(value, dict):
        out.append((kind_prefix + "type", f"{path or '.'} is {jtype(value)}, SDK model {cls.__name__}"))
        return
    fields = tencent_fields(cls)
    for key, v in value.items():
        here = f"{path}.{key}" if path else key
        if key not in fields:
            out.append((kind_prefix + "unknown", here))
            continue
        tencent_value(models, fields[key], v, here, out, kind_prefix)


def tencent_value(models, kind, v, here, out, kind_prefix):
    if v is None or kind in ANY:
        return
    if kind.startswith("list of "):
        if not isinstance(v, list):
            out.append((kind_prefix + "type", f"{here} is {jtype(v)}, SDK {kind}"))
            return
        for item in v:
            tencent_value(models, kind[len("list of ") :], item, here + "[]", out, kind_prefix)
        return
    ok = primitive_ok(kind, v)
    if ok is False:
        out.append((kind_prefix + "type", f"{here} is {jtype(v)}, SDK {kind}"))
    elif ok is None:
        sub = getattr(models, kind, None)
        if sub is None:
            return  # a type this checker cannot resolve: not guessed
        tencent_walk(models, sub, v, here, out, kind_prefix)


def check_tencent(entry, body):
    out = []
    svc, version, action = entry["service"], entry["version"], entry["action"]
    try:
        models = importlib.import_module(f"tencentcloud.{svc}.v{version.replace('-', '')}.models")
    except ImportError:
        return [("no-sdk", f"tencentcloud.{svc}.v{version.replace('-', '')}")]
    cls = getattr(models, f"{action}Response", None)
    if cls is None:
        return [("no-model", f"{action}Response")]
    if set(body) != {"Response"}:
        out.append(("unknown", ",".join(sorted(set(body) - {"Response"})) or "Response"))
    tencent_walk(models, cls, body.get("Response", {}), "", out)
    if entry.get("fixture"):
        return out
    req_cls = getattr(models, f"{action}Request", None)
    if req_cls is None:
        out.append(("request", f"no {action}Request"))
    else:
        try:
            request = json.loads(entry.get("request") or "{}")
        except ValueError:
            request = {}
        tencent_walk(models, req_cls, request, "", out, "request-")
    return out


# ---------------------------------------------------------------------------------------------
# Alibaba: alibabacloud_<svc><yyyymmdd>


def ali_annotation(models, cls, attr):
    ann = (inspect.signature(cls.__init__).parameters.get(attr) or None)
    ann = ann.annotation if ann is not None else ""
    if not isinstance(ann, str):
        ann = getattr(ann, "__name__", str(ann))
    return ann.replace("main_models.", "").replace("typing.", "")


def ali_class(models, name):
    return getattr(models, name, None)


def ali_walk(models, cls, value, path, out, kind_prefix=""):
    if not isinstance(value, dict):
        out.append((kind_prefix + "type", f"{path or '.'} is {jtype(value)}, SDK model {cls.__name__}"))
        return
    baseline = vars(cls().from_map({}))
    for key, v in value.items():
        here = f"{path}.{key}" if path else key
        try:
            probe = vars(cls().from_map({key: v}))
        except Exception as e:  # the SDK's own from_map refuses the value's shape
            out.append((kind_prefix + "type", f"{here} is {jtype(v)}: from_map raised {type(e).__name__}"))
            continue
        changed = [a for a in probe if probe[a] != baseline.get(a) and not a.startswith("_")]
        if not changed:
            if v is None or v == [] or v == {}:
                # An empty value may leave no trace; it is known iff to_map writes the key back.
                known = key in (cls().from_map({key: v}).to_map() or {}) or ali_key_in_source(cls, key)
                if known:
                    continue
            out.append((kind_prefix + "unknown", here))
            continue
        attr = changed[0]
        ali_value(models, ali_annotation(models, cls, attr), v, here, out, kind_prefix)


def ali_key_in_source(cls, key):
    try:
        return f"'{key}'" in inspect.getsource(cls.from_map)
    except (OSError, TypeError):
        return False


def ali_value(models, kind, v, here, out, kind_prefix):
    if v is None or kind in ANY or kind.startswith("Dict[") or kind.startswith("dict["):
        return
    m = re.fullmatch(r"(?:List|list)\[(.+)\]", kind)
    if m:
        if not isinstance(v, list):
            out.append((kind_prefix + "type", f"{here} is {jtype(v)}, SDK {kind}"))
            return
        for item in v:
            ali_value(models, m.group(1), item, here + "[]", out, kind_prefix)
        return
    ok = primitive_ok(kind, v)
    if ok is False:
        out.append((kind_prefix + "type", f"{here} is {jtype(v)}, SDK {kind}"))
    elif ok is None:
        sub = ali_class(models, kind)
        if sub is not None:
            ali_walk(models, sub, v, here, out, kind_prefix)


def parse_query(text):
    from urllib.parse import unquote

    pairs = []
    for part in (text or "").split("&"):
        if part:
            k, _, v = part.partition("=")
            pairs.append((unquote(k), unquote(v)))
    return pairs


ALIBABA_COMMON = {"RegionId"}


def check_alibaba(entry, body):
    svc, version, action = entry["service"], entry["version"], entry["action"]
    package = f"alibabacloud_{svc}{version.replace('-', '')}"
    try:
        models = importlib.import_module(f"{package}.models")
    except ImportError:
        return [("no-sdk", package)]
    cls = getattr(models, f"{action}ResponseBody", None)
    if cls is None:
        return [("no-model", f"{action}ResponseBody")]
    out = []
    ali_walk(models, cls, body, "", out)
    # Query values are strings on the wire; only the names are checked. `RegionId` is a common
    # parameter of every RPC-style call: alibaba-cloud-sdk-go sdk/auth/rpc_signature_composer.go
    # adds it to each request's query when the request has none.
    query = [k for k, _ in parse_query(entry.get("query")) if k not in ALIBABA_COMMON]
    # An action without parameters has no `<Action>Request` model in the SDK.
    req_cls = getattr(models, f"{action}Request", None)
    baseline = vars(req_cls().from_map({})) if req_cls is not None else {}
    for key in query:
        if req_cls is None:
            out.append(("request-unknown", key))
            continue
        probe = vars(req_cls().from_map({key: "x"}))
        if not [a for a in probe if probe[a] != baseline.get(a)]:
            out.append(("request-unknown", key))
    return out


# ---------------------------------------------------------------------------------------------
# Huawei: huaweicloudsdk<svc>


def huawei_operations(svc):
    """{Action: [(module, method, resource_path, [query names])]} from `v*/<svc>_client.py`."""
    cache = huawei_operations.__dict__.setdefault("cache", {})
    if svc in cache:
        return cache[svc]
    ops = {}
    try:
        package = importlib.import_module(f"huaweicloudsdk{svc}")
    except ImportError:
        cache[svc] = None
        return None
    root = os.path.dirname(package.__file__)
    for sub in sorted(os.listdir(root)):
        client = os.path.join(root, sub, f"{svc}_client.py")
        if not re.fullmatch(r"v\d+", sub) or not os.path.exists(client):
            continue
        src = open(client, encoding="utf-8").read()
        for block in re.split(r"\n    @classmethod\n", src)[1:]:
            info = re.search(
                r'"method": "(\w+)",\s*"resource_path": "([^"]+)",.*?"response_type": "(\w+)Response"',
                block,
                re.S,
            )
            if not info:
                continue
            query = re.findall(r"query_params\.append\(\('([^']+)'", block)
            ops.setdefault(info.group(3), []).append((f"huaweicloudsdk{svc}.{sub}", info.group(1), info.group(2), query))
    cache[svc] = ops
    return ops


def huawei_class(module, name):
    return getattr(importlib.import_module(module), name, None)


def huawei_walk(module, cls, value, path, out, kind_prefix=""):
    if not isinstance(value, dict):
        out.append((kind_prefix + "type", f"{path or '.'} is {jtype(value)}, SDK model {cls.__name__}"))
        return
    by_key = {json_key: attr for attr, json_key in cls.attribute_map.items()}
    for key, v in value.items():
        here = f"{path}.{key}" if path else key
        attr = by_key.get(key)
        if attr is None:
            out.append((kind_prefix + "unknown", here))
            continue
        huawei_value(module, cls.openapi_types.get(attr, ""), v, here, out, kind_prefix)


def huawei_value(module, kind, v, here, out, kind_prefix):
    if v is None or kind in ANY:
        return
    m = re.fullmatch(r"list\[(.+)\]", kind)
    if m:
        if not isinstance(v, list):
            out.append((kind_prefix + "type", f"{here} is {jtype(v)}, SDK {kind}"))
            return
        for item in v:
            huawei_value(module, m.group(1), item, here + "[]", out, kind_prefix)
        return
    m = re.fullmatch(r"dict\(str, (.+)\)", kind)
    if m:
        if not isinstance(v, dict):
            out.append((kind_prefix + "type", f"{here} is {jtype(v)}, SDK {kind}"))
            return
        for k, item in v.items():
            huawei_value(module, m.group(1), item, f"{here}.{k}", out, kind_prefix)
        return
    ok = primitive_ok(kind, v)
    if ok is False:
        out.append((kind_prefix + "type", f"{here} is {jtype(v)}, SDK {kind}"))
    elif ok is None:
        sub = huawei_class(module, kind)
        if sub is not None:
            huawei_walk(module, sub, v, here, out, kind_prefix)


def template_matches(template, path):
    pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "/?$"
    return re.match(pattern, path) is not None


def check_huawei(entry, body):
    svc, action = entry["service"], entry["action"]
    ops = huawei_operations(svc)
    if ops is None:
        return [("no-sdk", f"huaweicloudsdk{svc}")]
    candidates = ops.get(action)
    if not candidates:
        return [("no-model", f"{action}Response")]
    if entry.get("fixture"):
        # A fixture file names no request: the operation of that name under `/<version>/`.
        matching = [c for c in candidates if c[2].startswith(f"/{entry['version']}/")]
        if not matching:
            sdk = "; ".join(f"{c[1]} {c[2]}" for c in candidates)
            return [("path", f"no {action} under /{entry['version']}/ (the SDK's: {sdk})")]
        module = matching[0][0]
        out = []
        huawei_walk(module, huawei_class(module, f"{action}Response"), body, "", out)
        return out
    matching = [c for c in candidates if c[1] == entry["method"] and template_matches(c[2], entry["path"])]
    if not matching:
        sdk = "; ".join(f"{c[1]} {c[2]}" for c in candidates)
        return [("path", f"{entry['method']} {entry['path']} is not the SDK's {sdk}")]
    module, _, _, query_names = matching[0]
    cls = huawei_class(module, f"{action}Response")
    out = []
    huawei_walk(module, cls, body, "", out)
    for key, _ in parse_query(entry.get("query")):
        if key not in query_names:
            out.append(("request-unknown", key))
    request = (entry.get("request") or "").strip()
    if request:
        req_cls = huawei_class(module, f"{action}Request")
        body_type = req_cls.openapi_types.get("body") if req_cls is not None else None
        body_cls = huawei_class(module, body_type) if body_type else None
        try:
            parsed = json.loads(request)
        except ValueError:
            parsed = None
        if body_cls is None:
            out.append(("request", "body (the SDK's request has none)"))
        elif parsed is not None:
            huawei_walk(module, body_cls, parsed, "", out, "request-")
    return out


# ---------------------------------------------------------------------------------------------
# Object storage (XML; a COS bucket policy is JSON). The operation of each answer comes from the
# request's sub-resource (`/bucket?acl`; GET Service `/` is ListBuckets) by the store's table
# below; a fixture file names it (`<vendor>/<store>/<Operation>[.<case>].xml`). Each store is
# checked against the best declarative definition its vendor publishes:
#
# * Alibaba OSS: alibabacloud-oss-v2's models (`_attribute_map` with `rename` paths such as
#   `Buckets/Bucket`, read by `serde._deserialize_xml_model`), the root element by `_xml_map`.
# * Huawei OBS: huaweicloudsdkobs's `<Operation>Response` (`openapi_types` / `attribute_map`;
#   huaweicloudsdkcore's XmlTransfer drops the root element and maps its children by
#   `attribute_map`). An operation without a response model is checked against the model whose
#   `xml_name` is the body's root element when the SDK has one (the same document as a request
#   body, e.g. VersioningConfiguration), else counted and named as not checked.
# * Tencent COS: cos-python-sdk-v5 has no models; cos-go-sdk-v5 decodes each answer into structs
#   whose xml (json) tags name the elements: tests/contract/cos_models.json, derived from them by
#   tests/contract/cos_go_models.py at the upstream commit it records.

STORES = {"alibaba": "oss", "tencent": "cos", "huawei": "obs"}

OPERATIONS = {
    "oss": {
        "": "ListBuckets",
        "acl": "GetBucketAcl",
        "bucketInfo": "GetBucketInfo",
        "encryption": "GetBucketEncryption",
        "location": "GetBucketLocation",
        "logging": "GetBucketLogging",
        "policy": "GetBucketPolicy",
        "policyStatus": "GetBucketPolicyStatus",
        "publicAccessBlock": "GetBucketPublicAccessBlock",
        "versioning": "GetBucketVersioning",
    },
    "obs": {
        "": "ListBuckets",
        "acl": "GetBucketAcl",
        "encryption": "GetBucketEncryption",
        "logging": "GetBucketLogging",
        "policyStatus": "GetBucketPolicyPublicStatus",
        "publicAccessBlock": "GetBucketPublicAccessBlock",
        "versioning": "GetBucketVersioning",
    },
    "cos": {
        "": "ListBuckets",
        "acl": "GetBucketAcl",
        "encryption": "GetBucketEncryption",
        "logging": "GetBucketLogging",
        "policy": "GetBucketPolicy",
        "versioning": "GetBucketVersioning",
    },
}

# Object-storage answers a check could not load into any model: (vendor, store, operation).
UNCHECKED = set()
# Object-storage operations checked against a document model, not their response model.
BY_DOCUMENT = {}


def local(tag):
    return tag.rpartition("}")[2]


def oss_class(owner, name):
    dep = getattr(owner, "_dependency_map", {}).get(name)
    if dep is not None:
        return type(dep["new"]())
    models = importlib.import_module("alibabacloud_oss_v2.models")
    return getattr(models, name, None)


def oss_walk(cls, elem, path, out):
    trie = {}
    for attr, desc in cls._attribute_map.items():
        if desc.get("tag") != "xml":
            continue
        segments = desc.get("rename", attr).split("/")
        types = str(desc.get("type", "str")).split(",")
        node = trie
        for seg in segments[:-1]:
            node = node.setdefault(seg, {})
        node[segments[-1]] = types
    oss_node(cls, trie, elem, path, out)


def oss_node(cls, trie, elem, path, out):
    for child in elem:
        tag = local(child.tag)
        here = f"{path}.{tag}" if path else tag
        spec = trie.get(tag)
        if spec is None:
            out.append(("unknown", here))
        elif isinstance(spec, dict):
            oss_node(cls, spec, child, here, out)
        else:
            oss_element(cls, spec, child, here, out)


def oss_element(cls, types, elem, here, out):
    kind = types[0][1:-1] if types[0].startswith("[") else types[0]
    if not kind.islower():
        sub = oss_class(cls, kind)
        if sub is not None:
            oss_walk(sub, elem, here, out)
        return
    text = elem.text
    if text is None or text == "" or kind in ("str", ""):
        return
    from alibabacloud_oss_v2 import serde

    # serde.deserialize_boolean reads anything but "true" as false: only those two are booleans.
    if kind == "bool" and text.strip().lower() not in ("true", "false"):
        out.append(("type", f"{here} is {text!r}, SDK bool"))
        return
    try:
        serde._deserialize_to_any(text, ",".join([kind] + types[1:]))
    except Exception as e:  # the SDK's own deserializer refuses the text
        out.append(("type", f"{here} is {text!r}, SDK {kind}: {type(e).__name__}"))


def check_oss(entry, body):
    import xml.etree.ElementTree as ET

    try:
        models = importlib.import_module("alibabacloud_oss_v2.models")
    except ImportError:
        return [("no-sdk", "alibabacloud_oss_v2")]
    operation = entry["action"]
    cls = getattr(models, f"{operation}Result", None)
    if cls is None:
        return [("no-model", f"{operation}Result")]
    root = ET.fromstring(body.encode("utf-8"))
    # Newer results name their body model (`'type': 'PolicyStatus,xml'`); older ones are the
    # model of the root element (`_xml_map`).
    body_model = [
        d["type"].split(",")[0]
        for d in cls._attribute_map.values()
        if d.get("tag") == "output" and d.get("position") == "body" and str(d.get("type", "")).endswith(",xml")
    ]
    target = oss_class(cls, body_model[0]) if body_model else cls
    if target is None:
        return [("no-model", body_model[0])]
    expected = getattr(target, "_xml_map", {}).get("name")
    out = []
    if expected and local(root.tag) != expected:
        out.append(("type", f"root element {local(root.tag)}, SDK {expected}"))
        return out
    oss_walk(target, root, "", out)
    return out


def xml_root(body):
    import xml.etree.ElementTree as ET

    try:
        return ET.fromstring(body.encode("utf-8")), None
    except ET.ParseError as e:
        return None, [("type", f"not XML: {e}")]


def huawei_obs_models():
    try:
        return importlib.import_module("huaweicloudsdkobs.v1")
    except ImportError:
        return None


def obs_walk(models, cls, elem, path, out):
    by_key = {key: attr for attr, key in cls.attribute_map.items()}
    for child in elem:
        tag = local(child.tag)
        here = f"{path}.{tag}" if path else tag
        attr = by_key.get(tag)
        if attr is None:
            out.append(("unknown", here))
            continue
        kind = cls.openapi_types.get(attr, "")
        m = re.fullmatch(r"list\[(.+)\]", kind)
        kind = m.group(1) if m else kind
        sub = getattr(models, kind, None) if kind not in PRIMITIVES and kind not in ANY else None
        if sub is not None and hasattr(sub, "attribute_map"):
            obs_walk(models, sub, child, here, out)
            continue
        text = (child.text or "").strip()
        if not text:
            continue
        # XmlTransfer hands the text to bool()/int(): bool("FALSE") is True, so only true/false
        # (any case, as esdk-obs-python's util.to_bool reads them) are taken as booleans.
        if kind in ("bool", "boolean") and text.lower() not in ("true", "false"):
            out.append(("type", f"{here} is {text!r}, SDK bool"))
        elif kind in ("int", "integer", "long") and not re.fullmatch(r"-?\d+", text):
            out.append(("type", f"{here} is {text!r}, SDK {kind}"))


def check_obs(entry, body):
    models = huawei_obs_models()
    if models is None:
        return [("no-sdk", "huaweicloudsdkobs")]
    root, bad = xml_root(body)
    if root is None:
        return bad
    operation = entry["action"]
    cls = getattr(models, f"{operation}Response", None)
    if cls is None:
        documents = [
            m for name, m in sorted(vars(models).items())
            if inspect.isclass(m) and getattr(m, "xml_name", None) == local(root.tag)
        ]
        if not documents:
            UNCHECKED.add((entry["vendor"], "obs", operation))
            return []
        cls = documents[0]
        BY_DOCUMENT[("huawei", "obs", operation)] = cls.__name__
    out = []
    obs_walk(models, cls, root, "", out)
    return out


GO_BOOLS = {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}


def cos_models():
    cache = cos_models.__dict__
    if "table" not in cache:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cos_models.json")
        cache["table"] = json.load(open(path, encoding="utf-8"))
    return cache["table"]


def cos_leaf(kind, text, here, out):
    """encoding/xml's parse of a leaf: strconv.ParseBool / ParseInt / ParseFloat."""
    text = (text or "").strip()
    if not text or kind in ("string", "any"):
        return
    if kind == "bool" and text not in GO_BOOLS:
        out.append(("type", f"{here} is {text!r}, SDK bool"))
    elif re.fullmatch(r"u?int\d*", kind) and not re.fullmatch(r"-?\d+", text):
        out.append(("type", f"{here} is {text!r}, SDK {kind}"))
    elif kind.startswith("float") and not re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
        out.append(("type", f"{here} is {text!r}, SDK {kind}"))


def cos_xml_walk(types, name, elem, path, out):
    trie = {}
    for field, kind in types[name]["fields"].items():
        node = trie
        segments = field.split(">")
        for seg in segments[:-1]:
            node = node.setdefault(seg, {})
        node[segments[-1]] = kind
    cos_xml_node(types, trie, elem, path, out)


def cos_xml_node(types, trie, elem, path, out):
    for child in elem:
        tag = local(child.tag)
        here = f"{path}.{tag}" if path else tag
        spec = trie.get(tag, trie.get("*"))
        if spec is None:
            out.append(("unknown", here))
        elif isinstance(spec, dict):
            cos_xml_node(types, spec, child, here, out)
        else:
            kind = spec[2:] if spec.startswith("[]") else spec
            if kind in types:
                cos_xml_walk(types, kind, child, here, out)
            else:
                cos_leaf(kind, child.text, here, out)


def cos_json_value(types, kind, v, here, out):
    if v is None or kind.startswith("map[") or kind in ("interface{}", "any"):
        return
    if kind.startswith("[]"):
        if not isinstance(v, list):
            out.append(("type", f"{here} is {jtype(v)}, SDK {kind}"))
            return
        for item in v:
            cos_json_value(types, kind[2:], item, here + "[]", out)
        return
    if kind in types:
        if not isinstance(v, dict):
            out.append(("type", f"{here} is {jtype(v)}, SDK {kind}"))
            return
        # encoding/json matches a key to a field name case-insensitively.
        fields = {k.lower(): t for k, t in types[kind]["fields"].items()}
        for key, item in v.items():
            at = f"{here}.{key}" if here else key
            if key.lower() not in fields:
                out.append(("unknown", at))
            else:
                cos_json_value(types, fields[key.lower()], item, at, out)
        return
    ok = {"string": isinstance(v, str), "bool": isinstance(v, bool)}.get(kind)
    if ok is None and re.fullmatch(r"u?int\d*|float\d*", kind):
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
    if ok is False:
        out.append(("type", f"{here} is {jtype(v)}, SDK {kind}"))


def check_cos(entry, body):
    table = cos_models()
    op = table["operations"].get(entry["action"])
    if op is None:
        return [("no-model", f"{entry['action']} (not in cos_models.json)")]
    out = []
    if op["encoding"] == "json":
        try:
            doc = json.loads(body)
        except ValueError as e:
            return [("type", f"not JSON: {e}")]
        cos_json_value(table["json"], op["model"], doc, "", out)
        return out
    root, bad = xml_root(body)
    if root is None:
        return bad
    expected = table["xml"][op["model"]]["root"]
    if expected and local(root.tag) != expected:
        return [("type", f"root element {local(root.tag)}, SDK {expected}")]
    cos_xml_walk(table["xml"], op["model"], root, "", out)
    return out


def check_object_storage(entry, body):
    if entry["action"] not in OPERATIONS[entry["service"]].values():
        # Not an operation of the store's table: a misnamed file or an unmapped request.
        return [("no-model", f"{entry['action']} (not an operation of check.py OPERATIONS[{entry['service']!r}])")]
    check = {"oss": check_oss, "obs": check_obs, "cos": check_cos}[entry["service"]]
    return check(entry, body)


def object_storage_operation(entry):
    """The SDK operation of a path-style object-storage request (`/bucket?acl`)."""
    bucket = entry["path"].strip("/")
    subs = [k for k, _ in parse_query(entry.get("query"))]
    sub = "" if not bucket else (subs[0] if subs else "?")
    return OPERATIONS[entry["service"]].get(sub, f"unmapped:{sub}")


# ---------------------------------------------------------------------------------------------
# China Telecom Cloud: ctyunsdk_<svc><yyyymmdd> (dataclass models over ctyun-python-sdk-core)


def ctyun_fields(module, cls):
    """{name: type} of a dataclass model, forward references resolved in its module."""
    cache = ctyun_fields.__dict__.setdefault("cache", {})
    if cls not in cache:
        cache[cls] = typing.get_type_hints(cls, globalns=vars(module))
    return cache[cls]


def ctyun_walk(module, cls, value, path, out, kind_prefix=""):
    if not isinstance(value, dict):
        out.append((kind_prefix + "type", f"{path or '.'} is {jtype(value)}, SDK model {cls.__name__}"))
        return
    fields = ctyun_fields(module, cls)
    for key, v in value.items():
        here = f"{path}.{key}" if path else key
        if key not in fields:
            out.append((kind_prefix + "unknown", here))
            continue
        ctyun_value(module, fields[key], v, here, out, kind_prefix)


def ctyun_value(module, hint, v, here, out, kind_prefix):
    if v is None:
        return
    origin = typing.get_origin(hint)
    if origin is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        hint = args[0] if len(args) == 1 else object
        origin = typing.get_origin(hint)
    if hint in (object, typing.Any) or hint is dict or origin is dict:
        return
    if origin is list:
        if not isinstance(v, list):
            out.append((kind_prefix + "type", f"{here} is {jtype(v)}, SDK List"))
            return
        (item,) = typing.get_args(hint) or (object,)
        for x in v:
            ctyun_value(module, item, x, here + "[]", out, kind_prefix)
        return
    if hint in (str, int, bool, float):
        ok = primitive_ok(hint.__name__, v)
        if ok is False:
            out.append((kind_prefix + "type", f"{here} is {jtype(v)}, SDK {hint.__name__}"))
        return
    if inspect.isclass(hint):
        ctyun_walk(module, hint, v, here, out, kind_prefix)


def ctyun_operations(package):
    """{Response class: (method, path)} from the SDK client's operations (`<svc>_client.py`)."""
    cache = ctyun_operations.__dict__.setdefault("cache", {})
    if package not in cache:
        pkg = importlib.import_module(package)
        folder = os.path.dirname(pkg.__file__)
        ops = {}
        for name in os.listdir(folder):
            if not name.endswith("_client.py"):
                continue
            source = open(os.path.join(folder, name), encoding="utf-8").read()
            for block in re.split(r"\n    def ", source)[1:]:
                url = re.search(r'url = f"\{self\.endpoint\}([^"]+)"', block)
                method = re.search(r"method = '(\w+)'", block)
                resp = re.search(r"handle_response\(response, (\w+)\)", block)
                if url and method and resp:
                    ops[resp.group(1)] = (method.group(1), url.group(1))
        cache[package] = ops
    return cache[package]


# Wheels whose top-level package is not `ctyunsdk_<svc><yyyymmdd>` and which keep one module per
# operation under `apis/` (service, version) -> package.
CTYUN_PACKAGES = {("rds2", "20220714"): "rds_220220714"}


def ctyun_api_module(package, action):
    """(module, (method, path)) of the `apis/**/<name>_api.py` file defining `<action>Response`,
    or None."""
    cache = ctyun_api_module.__dict__.setdefault("cache", {})
    if package not in cache:
        pkg = importlib.import_module(package)
        root = os.path.dirname(pkg.__file__)
        found = {}
        for folder, _, files in sorted(os.walk(os.path.join(root, "apis"))):
            for name in sorted(files):
                if not name.endswith("_api.py"):
                    continue
                path = os.path.join(folder, name)
                source = open(path, encoding="utf-8").read()
                url = re.search(r'url = endpoint \+ "([^"]+)"', source)
                method = re.search(r"client\.(get|post|put|delete)\(", source)
                for cls in re.findall(r"^class (\w+)Response:", source, re.M):
                    rel = os.path.relpath(path, os.path.dirname(root))[: -len(".py")]
                    op = (method.group(1).upper(), url.group(1)) if url and method else None
                    found[cls] = (rel.replace(os.sep, "."), op)
        cache[package] = found
    hit = cache[package].get(action)
    if hit is None:
        return None
    return importlib.import_module(hit[0]), hit[1]


def check_ctyun_apis(entry, body, package):
    action = entry["action"]
    try:
        importlib.import_module(package)
    except ImportError:
        return [("no-sdk", package)]
    hit = ctyun_api_module(package, action)
    if hit is None:
        return [("no-model", f"{action}Response")]
    module, op = hit
    cls = getattr(module, f"{action}Response")
    out = []
    ctyun_walk(module, cls, body, "", out)
    if entry.get("fixture"):
        return out
    if op is None:
        out.append(("path", f"no operation answers {cls.__name__}"))
    elif op != (entry.get("method"), entry.get("path")):
        out.append(("path", f"{entry.get('method')} {entry.get('path')} is not the SDK's {op[0]} {op[1]}"))
    req_cls = getattr(module, f"{action}Request", None)
    fields = ctyun_fields(module, req_cls) if req_cls is not None else {}
    for key, _ in parse_query(entry.get("query")):
        if key not in fields:
            out.append(("request-unknown", key))
    request = (entry.get("request") or "").strip()
    if request:
        try:
            sent = json.loads(request)
        except ValueError:
            return out + [("request", "the body is not JSON")]
        if not isinstance(sent, dict):
            return out + [("request", "the body is not a JSON object")]
        ctyun_walk(module, req_cls, sent, "", out, "request-") if req_cls else None
    return out


def check_ctyun(entry, body):
    svc, version, action = entry["service"], entry["version"], entry["action"]
    if (svc, version) in CTYUN_PACKAGES:
        return check_ctyun_apis(entry, body, CTYUN_PACKAGES[(svc, version)])
    package = f"ctyunsdk_{svc}{version.replace('-', '')}"
    try:
        module = importlib.import_module(f"{package}.models")
    except ImportError:
        return [("no-sdk", package)]
    cls = getattr(module, f"{action}Response", None)
    if cls is None:
        return [("no-model", f"{action}Response")]
    out = []
    ctyun_walk(module, cls, body, "", out)
    if entry.get("fixture"):
        return out
    op = ctyun_operations(package).get(cls.__name__)
    if op is None:
        out.append(("path", f"no operation answers {cls.__name__}"))
    elif op != (entry.get("method"), entry.get("path")):
        out.append(("path", f"{entry.get('method')} {entry.get('path')} is not the SDK's {op[0]} {op[1]}"))
    # Query values are strings on the wire; only the names are checked.
    req_cls = getattr(module, f"{action}Request", None)
    fields = ctyun_fields(module, req_cls) if req_cls is not None else {}
    for key, _ in parse_query(entry.get("query")):
        if key not in fields:
            out.append(("request-unknown", key))
    return out


# ---------------------------------------------------------------------------------------------

CHECKS = {
    "tencent": check_tencent,
    "alibaba": check_alibaba,
    "huawei": check_huawei,
    "ctyun": check_ctyun,
}


# Versions: `2015-05-01` (Alibaba, Tencent), `v3` (Huawei), `20220909` (CTyun, as its packages
# name it).
FIXTURE_DIR = re.compile(r"(?P<service>[a-z0-9]+)-(?P<version>\d{4}-\d{2}-\d{2}|\d{8}|v\d+(?:\.\d+)?)")


# Vendors whose SDK cannot be installed here: their fixture files are counted, not checked.
NO_SDK = {
    "ecloud": "China Mobile Cloud's SDKs are only on its own package index; "
    "docs/collectors.md names the source of each call and field",
}


def fixture_index(root):
    """Index entries (as in index.json) for every file of the fixture tree `root`, plus `layout`
    findings for files outside `<vendor>/<service>-<version>/<Action>[.<case>].json` and
    `<vendor>/<store>/<Operation>[.<case>].xml` (a COS bucket policy: `.json`)."""
    entries, bad = [], []
    unchecked = {}
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            parts = rel.split(os.sep)
            if parts[0] in NO_SDK:
                unchecked[parts[0]] = unchecked.get(parts[0], 0) + 1
                continue
            entry = {"file": os.path.abspath(path), "action": name.split(".")[0], "fixture": True}
            if len(parts) == 3 and parts[0] in CHECKS and STORES.get(parts[0]) == parts[1] and name.endswith((".xml", ".json")):
                entries.append(dict(entry, vendor=parts[0], service=parts[1], version=""))
                continue
            m = FIXTURE_DIR.fullmatch(parts[1]) if len(parts) == 3 else None
            if m is None or parts[0] not in CHECKS or not name.endswith(".json"):
                bad.append(rel)
                continue
            entries.append(dict(entry, vendor=parts[0], service=m.group("service"), version=m.group("version")))
    for vendor, n in sorted(unchecked.items()):
        print(f"check.py: {n} {vendor} fixture file(s) NOT checked: {NO_SDK[vendor]}")
    return entries, bad


def findings(directory, fixtures=None):
    index = json.load(open(os.path.join(directory, "index.json"), encoding="utf-8"))
    found = {}  # line -> first file showing it
    if fixtures is not None:
        entries, bad = fixture_index(fixtures)
        index = index + entries
        for rel in bad:
            found.setdefault(
                f"fixture - - {rel} layout:not <vendor>/<service>-<version>/<Action>[.<case>].json"
                " nor <vendor>/<store>/<Operation>[.<case>].xml",
                rel,
            )
    checked = []
    for entry in index:
        path = os.path.join(directory, entry["file"])
        if entry["service"] in STORES.values() and entry["version"] == "":
            body = open(path, encoding="utf-8").read()
            if not entry.get("fixture"):
                entry = dict(entry, action=object_storage_operation(entry))
            check = check_object_storage
        else:
            body = json.load(open(path, encoding="utf-8"))
            check = CHECKS.get(entry["vendor"])
        checked.append(entry)
        if check is None:
            continue
        for kind, where in check(entry, body):
            line = f"{entry['vendor']} {entry['service']} {entry['version'] or '-'} {entry['action']} {kind}:{where}"
            found.setdefault(line, entry["file"])
    return checked, found


def read_known(path):
    known = {}
    for n, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.split("#", 1)[0].strip()
        if line:
            known[" ".join(line.split())] = n
    return known


def main(argv):
    args = argv[1:]
    known_path = fixtures = None
    if "--fixtures" in args:
        i = args.index("--fixtures")
        fixtures = args[i + 1]
        del args[i : i + 2]
    if "--known" in args:
        i = args.index("--known")
        known_path = args[i + 1]
        del args[i : i + 2]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    index, found = findings(args[0], fixtures)
    actions = {(e["vendor"], e["service"], e["version"], e["action"]) for e in index}
    stores = [e for e in index if e["version"] == "" and e["service"] in STORES.values()]
    unchecked = [e for e in stores if (e["vendor"], e["service"], e["action"]) in UNCHECKED]
    files = sum(1 for e in index if e.get("fixture"))
    print(
        f"check.py: {len(index) - files} served answers and {files} fixture files of {len(actions)} actions"
        f" loaded into the vendor SDK models ({len(stores) - len(unchecked)} of them object storage:"
        " OSS alibabacloud-oss-v2, OBS huaweicloudsdkobs, COS cos-go-sdk-v5 struct tags)"
    )
    for (vendor, store, operation), model in sorted(BY_DOCUMENT.items()):
        print(f"check.py: {vendor} {store} {operation}: no response model, checked against {model} (the same document)")
    if unchecked:
        names = sorted({f"{v} {s} {o}" for v, s, o in UNCHECKED})
        print(f"check.py: {len(unchecked)} object-storage answers counted, NOT checked (the SDK has no model): {', '.join(names)}")
    if known_path is None:
        for line in sorted(found):
            print(f"MISMATCH {line}    (e.g. {found[line]})")
        return 1 if found else 0
    known = read_known(known_path)
    new = sorted(set(found) - set(known))
    gone = sorted(set(known) - set(found))
    for line in sorted(set(found) & set(known)):
        print(f"known    {line}")
    for line in new:
        print(f"MISMATCH {line}    (e.g. {found[line]}; not in {os.path.basename(known_path)})")
    for line in gone:
        print(f"FIXED    {line}    (listed at {os.path.basename(known_path)}:{known[line]} but no longer found: remove the line)")
    print(f"check.py: {len(found)} finding(s), {len(new)} new, {len(gone)} listed but gone")
    return 1 if new or gone else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
