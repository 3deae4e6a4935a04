#!/usr/bin/env python3
"""Derives tests/contract/cos_models.json from the Go struct tags of cos-go-sdk-v5.

Tencent COS has no SDK with declarative response models in Python (cos-python-sdk-v5 turns XML
into dicts without a schema). Its Go SDK, github.com/tencentyun/cos-go-sdk-v5, decodes every
answer with encoding/xml (encoding/json for a bucket policy) into structs whose field tags name
the elements: that is the vendor's own definition of each answer, and this script copies it out.

Usage: cos_go_models.py GIT_DIR > tests/contract/cos_models.json

GIT_DIR is a clone of cos-go-sdk-v5 (a bare one will do); the `.go` files of its HEAD commit
(tests excluded) are read with `git show`, and the commit id is written into the table. For each
operation the collectors call (OPERATIONS below: the SDK method and its result type) the table
holds that type and every type it reaches, each as its fields:

* `xml`: `{type: {"root": element name or null, "fields": {element path: Go type}}}` following
  encoding/xml's rules: the tag's name (a path such as `Buckets>Bucket`), the field name without
  one, embedded structs flattened, `-`, `,attr`, `,chardata`, `,innerxml`, `,comment` no element,
  `,any` any element (path `*`); a repeated element's type starts `[]`;
* `json`: `{type: {"fields": {name: Go type}}}` following encoding/json (the tag's name, the
  field name without one; encoding/json matches names case-insensitively).

check.py reads the table; nothing here runs the Go SDK.
"""

import json
import re
import subprocess
import sys

# Operation (as the collectors and docs/collectors.md name it) -> (SDK method, result type,
# how the SDK decodes the body).
OPERATIONS = {
    "ListBuckets": ("ServiceService.Get", "ServiceGetResult", "xml"),
    "GetBucketAcl": ("BucketService.GetACL", "BucketGetACLResult", "xml"),
    "GetBucketEncryption": ("BucketService.GetEncryption", "BucketGetEncryptionResult", "xml"),
    "GetBucketVersioning": ("BucketService.GetVersioning", "BucketGetVersionResult", "xml"),
    "GetBucketLogging": ("BucketService.GetLogging", "BucketGetLoggingResult", "xml"),
    "GetBucketPolicy": ("BucketService.GetPolicy", "BucketGetPolicyResult", "json"),
}

PRIMITIVE = re.compile(r"(u?int(8|16|32|64)?|float(32|64)|bool|string|byte|rune)")


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, capture_output=True, text=True).stdout


def sources(git_dir):
    names = git(git_dir, "ls-tree", "--name-only", "HEAD").split()
    return {n: git(git_dir, "show", f"HEAD:{n}") for n in names if n.endswith(".go") and not n.endswith("_test.go")}


def declarations(text):
    """{type name: struct body text or ('alias', other type)} of one Go file."""
    out = {}
    for m in re.finditer(r"^type (\w+) (=\s*)?(\*?[\w.]+|struct) ?\{?", text, re.M):
        name, target = m.group(1), m.group(3)
        if target != "struct":
            out[name] = ("alias", target.lstrip("*"))
            continue
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        out[name] = text[m.end() : i - 1]
    return out


def fields(body):
    """[(field name or None if embedded, Go type, {tag key: value})] of a struct body."""
    out = []
    for raw in body.splitlines():
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        tags = dict(re.findall(r'(\w+):"([^"]*)"', line[line.find("`") :])) if "`" in line else {}
        decl = line.split("`", 1)[0].split()
        if len(decl) == 1:
            out.append((None, decl[0], tags))
        elif len(decl) >= 2:
            for name in decl[0].rstrip(",").split(","):
                out.append((name.strip(), " ".join(decl[1:]), tags))
    return out


def resolve(decls, name):
    seen = set()
    while isinstance(decls.get(name), tuple) and name not in seen:
        seen.add(name)
        name = decls[name][1]
    return name


def base(go_type):
    """(element type, list) of a Go type: `*T` -> T, `[]T` -> T, list."""
    t = go_type.replace("*", "")
    listed = t.startswith("[]") and t != "[]byte"
    return (t[2:] if listed else t), listed


def model(decls, name, table, encoding):
    """The table entry of struct `name` decoded with `encoding` ("xml" or "json"), and of every
    struct it reaches; returns the name it resolves to (an alias or defined type: its struct)."""
    name = resolve(decls, name)
    if name in table or not isinstance(decls.get(name), str):
        return name
    entry = {"root": None, "fields": {}} if encoding == "xml" else {"fields": {}}
    table[name] = entry
    for field, go_type, tags in fields(decls[name]):
        tag = tags.get(encoding)
        kind, listed = base(go_type)
        if tag == "-":
            continue
        if not PRIMITIVE.fullmatch(kind) and not kind.startswith("map[") and "." not in kind and kind != "interface{}":
            kind = model(decls, kind, table, encoding)
        if field is None:  # embedded without a tag: its fields are this struct's
            if kind in table and tag is None:
                entry["fields"].update(table[kind]["fields"])
            continue
        if encoding == "json":
            entry["fields"][(tag or "").split(",")[0] or field] = ("[]" if listed else "") + kind
            continue
        name_part, _, opts = (tag or "").partition(",")
        opts = set(opts.split(","))
        if field == "XMLName":
            entry["root"] = name_part.split(" ")[-1] or None
        elif "any" in opts:
            entry["fields"]["*"] = "any"
        elif not opts & {"attr", "chardata", "innerxml", "comment"}:
            entry["fields"][name_part.split(" ")[-1] or field] = ("[]" if listed else "") + kind
    return name


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    git_dir = argv[1]
    commit = git(git_dir, "rev-parse", "HEAD").strip()
    decls = {}
    for text in sources(git_dir).values():
        decls.update(declarations(text))
    tables = {"xml": {}, "json": {}}
    operations = {}
    for operation, (method, result, encoding) in sorted(OPERATIONS.items()):
        found = model(decls, result, tables[encoding], encoding)
        if found not in tables[encoding]:
            sys.exit(f"{result} ({method}) is not a struct of cos-go-sdk-v5 {commit}")
        operations[operation] = {"method": method, "result": result, "encoding": encoding, "model": found}
    json.dump(
        {
            "source": "github.com/tencentyun/cos-go-sdk-v5",
            "commit": commit,
            "derived_by": "tests/contract/cos_go_models.py",
            "operations": operations,
            "xml": dict(sorted(tables["xml"].items())),
            "json": dict(sorted(tables["json"].items())),
        },
        sys.stdout,
        indent=1,
        sort_keys=True,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
