"""Validates attncert certificates against docs/schemas (run with /usr/bin/python3, Debian's
python3-jsonschema).

usage: validate.py SCHEMA_DIR ROLE=FILE...

Each FILE must validate against the schema named by its "theorem" field. ROLE says what the file
should be: "index", "gram", "gram-refuted" (claim.holds is false), "t1-random", "t1-hadamard",
"t1-explicit" (instance.keys), "lemmas", "lemmas-example", "gpu-decode", "gpu-t1",
"gpu-prefill", "t5-native", "t5-embed", "t5-two", "t5-lowdim", or "suite/NN-THEOREM.json". Then typical
mistakes, made by editing the certificates of some roles, must fail validation.

Prints one line per check, "ok ..." or "FAIL ..."; exits 1 if any check failed.
"""
import copy
import json
import sys

import jsonschema
from jsonschema import Draft202012Validator, validators


def no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError("duplicate key '%s'" % key)
        obj[key] = value
    return obj


def no_constants(name):
    raise ValueError("'%s' is not JSON" % name)


def load_text(text):
    """The format's JSON: duplicate keys and NaN/Infinity are errors."""
    return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constants)


# JSON Schema counts 1.0 as an integer; the format does not (docs/certificates.md#schemas).
_types = Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _checker, x: isinstance(x, int) and not isinstance(x, bool))
Strict = validators.extend(Draft202012Validator, type_checker=_types)


class Schemas:
    def __init__(self, folder):
        self.folder = folder
        self.cache = {}

    def validator(self, theorem):
        if theorem not in self.cache:
            path = "%s/%s.schema.json" % (self.folder, theorem)
            with open(path, encoding="utf-8") as f:
                schema = json.load(f)
            Draft202012Validator.check_schema(schema)
            self.cache[theorem] = Strict(schema)
        return self.cache[theorem]

    def errors(self, text):
        """First reason `text` is not a valid certificate, or None."""
        try:
            cert = load_text(text)
        except ValueError as e:
            return "not the format's JSON: %s" % e
        if not isinstance(cert, dict) or not isinstance(cert.get("theorem"), str):
            return "no theorem field"
        try:
            v = self.validator(cert["theorem"])
        except OSError:
            return "no schema for theorem '%s'" % cert["theorem"]
        err = jsonschema.exceptions.best_match(v.iter_errors(cert))
        if err is None:
            return None
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        return "%s: %s" % (where, err.message[:160])


def expected(role, cert):
    """What the role promises beyond validity; None when it holds."""
    if role.startswith("suite/"):
        theorem = role.split("-", 1)[1].removesuffix(".json")
        return None if cert.get("theorem") == theorem else "theorem is not %s" % theorem
    parts = role.split("-")
    theorem = parts[0]
    if cert.get("theorem") != theorem:
        return "theorem is %r, not %r" % (cert.get("theorem"), theorem)
    if theorem == "t1" and cert["instance"].get("keys") != parts[1]:
        return "instance.keys is not %s" % parts[1]
    if role == "gram-refuted" and cert["claim"].get("holds") is not False:
        return "claim.holds is not false"
    return None


def main():
    schemas = Schemas(sys.argv[1])
    files = {}
    for arg in sys.argv[2:]:
        role, path = arg.split("=", 1)
        files[role] = path
    passed = failed = 0

    def report(ok, line):
        nonlocal passed, failed
        print(("ok    " if ok else "FAIL  ") + line)
        passed += ok
        failed += not ok

    texts, valid = {}, set()
    for role, path in files.items():
        with open(path, encoding="utf-8") as f:
            texts[role] = f.read()
        why = schemas.errors(texts[role])
        if why is None:
            why = expected(role, load_text(texts[role]))
        name = path.rsplit("/", 1)[-1]
        if why is None:
            valid.add(role)
        report(why is None, "%-20s %-20s %s" % (role, name, "valid" if why is None else why))

    def mutated(role, edit):
        cert = load_text(texts[role])
        edit(cert)
        return json.dumps(cert, indent=1)

    def put(path, value):
        def edit(cert):
            obj = cert
            for key in path[:-1]:
                obj = obj[key]
            obj[path[-1]] = value
        return edit

    def drop(path):
        def edit(cert):
            obj = cert
            for key in path[:-1]:
                obj = obj[key]
            del obj[path[-1]]
        return edit

    negatives = [
        ("index", "an extra field claim.bits_upper", put(["claim", "bits_upper"], "1")),
        ("t1-random", "t1 without instance.keys", drop(["instance", "keys"])),
        ("gram", '"N": "128/2"', put(["parameters", "N"], "128/2")),
        ("t1-random", "generator_version: 1.0", put(["instance", "generator_version"], 1.0)),
        ("t1-random", "a rows list beside seeded keys", put(["instance", "rows"], ["+-", "-+"])),
        ("gram", "holds without rho_max", put(["claim", "holds"], True)),
        ("index", 'a decimal "p": "0.25"', put(["parameters", "p"], "0.25")),
        ("index", 'a denominator 1, "bits": "5/1"', put(["claim", "bits"], "5/1")),
        ("t1-hadamard", 'a leading zero, "eta": "01/4"', put(["parameters", "eta"], "01/4")),
        ("t1-explicit", "0/1 rows in an explicit instance", put(["instance", "rows"], ["0101", "0110"])),
        ("index", "format_version 2", put(["format_version"], 2)),
        ("lemmas-example", 'z3: "unknown"', put(["claim", "lemmas", 0, "z3"], "unknown")),
        ("lemmas-example", "an unknown lemma name", put(["instance", "lemmas", 0, "name"], "lemma9")),
        ("gpu-t1", "t1 without claim.index_decoding", drop(["claim", "index_decoding"])),
        ("gpu-decode", "index_decoding on random inputs", put(["claim", "index_decoding"], "agree")),
        ("gpu-decode", "an amplitude on random inputs", put(["instance", "amplitude"], "64")),
        ("gpu-t1", "t1 without instance.amplitude", drop(["instance", "amplitude"])),
        ("gpu-decode", 'an infinite output "7f800000"', put(["claim", "outputs", 0], "7f800000")),
        ("gpu-decode", 'a NaN output "ffc00000"', put(["claim", "outputs", 0], "ffc00000")),
        ("gpu-decode", 'upper-case hex "3F800000"', put(["claim", "outputs", 0], "3F800000")),
        ("gpu-decode", 'a decimal bound "1e-7"', put(["claim", "bounds", 0], "1e-7")),
        ("gpu-decode", 'a negative bound "-1/8"', put(["claim", "bounds", 0], "-1/8")),
        ("gpu-prefill", 'kernel "flash-decode"', put(["parameters", "kernel"], "flash-decode")),
        ("gpu-prefill", "no parameters.exp_ulps", drop(["parameters", "exp_ulps"])),
        ("t5-embed", "t5 embed without the embedding section", drop(["embedding"])),
        ("t5-embed", 't5 embedding with K2 "0"', put(["embedding", "K2"], "0")),
        ("t5-native", "t5 native with T1's histogram name", put(["statistics"], {"inner_product_histogram": {"0": 1}, "max_inner": 0})),
        ("t5-lowdim", "t5 low-dim with a generator row of +/-", put(["instance", "rows", 0, "generator", 0], "+-")),
        ("t5-two", "t5 two-cache with explicit rows", put(["instance"], {"keys": "explicit", "rows": ["+-", "-+"]})),
    ]
    for role, what, edit in negatives:
        if role not in valid:  # a negative means something only next to a valid original
            report(False, "negative: %s (no valid %s certificate to edit)" % (what, role))
            continue
        why = schemas.errors(mutated(role, edit))
        report(why is not None, "negative: %-38s %s" % (what, "rejected: " + why if why else "ACCEPTED"))
    if "index" in valid:
        dup = texts["index"].replace("{", '{"theorem": "gram", ', 1)
        why = schemas.errors(dup)
        report(why is not None, "negative: %-38s %s" % ("a duplicate key", "rejected: " + why if why else "ACCEPTED"))
    print("validate.py: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
