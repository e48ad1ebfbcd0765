#!/usr/bin/env python3
"""Derive the compact administrative-unit tables embedded in `src/admin_units/data/`.

Source: the MIT-licensed PyPI package `vietnamadminunits` 1.0.4 (copyright notice in
`src/admin_units/data/NOTICE`). Its two CSV exports give the units before and after the
1 July 2025 reform; its `converter_2025.json` maps every pre-2025 commune to the commune that
absorbed it (or, for the few that were split, to every commune that received a part).

Usage:
    pip download --no-deps vietnamadminunits==1.0.4   # then unzip the wheel
    python3 tools/derive_admin_units.py \
        --current admin_units.csv --legacy admin_units_legacy.csv \
        --converter vietnamadminunits/data/converter_2025.json \
        --out src/admin_units/data

The script checks the facts it relies on and stops with a message when one does not hold:
every pre-2025 province went whole into exactly one current province, every pre-2025 commune
is mapped exactly once, and every mapped commune exists in the current table.

Output (UTF-8, tab-separated, one header line starting with `#`):
    provinces.tsv          code, name, lat, lon, extra keys
    communes.tsv           province code, code, name, lat, lon, extra keys
    legacy_provinces.tsv   code, name, lat, lon, current province code, extra keys
    legacy_districts.tsv   province code, code, name, lat, lon, current commune code when the
                           whole district became one commune (island districts), extra keys
    legacy_communes.tsv    district code, code, name, lat, lon, current commune code,
                           other current communes that received a part (split), extra keys

"Extra keys" are alternative folded spellings and former names from the package's keyword
lists, minus those the resolver derives from the name itself; space-separated.
"""

import argparse
import csv
import json
import math
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

# Unit types and the folded forms under which the package writes them in its keyword lists.
TYPE_PREFIXES = {
    "Tỉnh": ["tinh", "t"],
    "Thành phố": ["thanhpho", "tp"],
    "Huyện": ["huyen", "h"],
    "Quận": ["quan", "q"],
    "Thị xã": ["thixa", "tx"],
    "Xã": ["xa", "sa", "x"],
    "Phường": ["phuong", "p"],
    "Thị trấn": ["thitran", "tt"],
    "Đặc khu": ["dackhu"],
}


def fold_key(text):
    """Same as the crate's `fold::key`: lowercase, marks removed, đ → d, letters and digits only."""
    out = []
    for c in unicodedata.normalize("NFD", text):
        if unicodedata.combining(c):
            continue
        if c in "đĐðÐ":
            c = "d"
        out.extend(ch for ch in c.lower() if ch.isalnum())
    return "".join(out)


def short_name(full, kind):
    """`Xã Yên Viên` → `Yên Viên`; the package disambiguates twins as `Yên Viên (Xã)`."""
    if not full.startswith(kind + " "):
        sys.exit(f"unit `{full}` does not start with its type `{kind}`")
    return full[len(kind) + 1 :]


def canonical(full):
    """The package writes a few types in title case (`Thành Phố Bắc Kạn`): use one spelling."""
    for kind in sorted(TYPE_PREFIXES, key=len, reverse=True):
        if full.lower().startswith(kind.lower() + " "):
            return kind + full[len(kind):]
    sys.exit(f"unit `{full}` has no known type prefix (Tỉnh, Thành phố, Huyện, Xã, …)")


def unit_type(full):
    for kind in sorted(TYPE_PREFIXES, key=len, reverse=True):
        if full.startswith(kind + " "):
            return kind
    sys.exit(f"unit `{full}` has no known type prefix (Tỉnh, Thành phố, Huyện, Xã, …)")


def iy_variant(a, b):
    """Whether two keys differ only by i ↔ y (`Bạch Long Vĩ` / `Bạch Long Vỹ`): both are used."""
    return len(a) == len(b) and a != b and all(x == y or {x, y} == {"i", "y"} for x, y in zip(a, b))


def extra_keys(full, keyword_lists, alias_lists):
    """Former names (the package's aliases) and i/y spellings, as short folded keys.

    The package's other keyword variants (s for x, k for c) are typing mistakes; the resolver
    handles those with its one-letter tolerance instead of storing them.
    """
    kind = unit_type(full)
    own = fold_key(short_name(full, kind).split(" (")[0])
    prefixes = sorted((p for ps in TYPE_PREFIXES.values() for p in ps), key=len, reverse=True)

    def load(lists):
        keys = set()
        for raw in lists:
            if raw:
                keys.update(json.loads(raw))
        return keys

    keywords, aliases = load(keyword_lists), load(alias_lists)
    everything = keywords | aliases
    kept = set()
    for k in everything:
        # Type-prefixed forms (`phuongtrucbach`, `ttyenvien`) duplicate a bare form in the list.
        if any(k.startswith(p) and k[len(p):] in everything for p in prefixes):
            continue
        if any(k.endswith(p) and k[: -len(p)] in everything for p in prefixes):
            continue
        if k == own or len(k) < 2:
            continue
        if k in aliases or iy_variant(k, own):
            kept.add(k)
    return " ".join(sorted(kept))


def coord(value):
    return f"{float(value):.4f}".rstrip("0").rstrip(".")


def distance(a, b):
    dy = a[0] - b[0]
    dx = (a[1] - b[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dx, dy)


def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("#" + "\t".join(header) + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--current", required=True, type=Path)
    ap.add_argument("--legacy", required=True, type=Path)
    ap.add_argument("--converter", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()

    current = list(csv.DictReader(open(args.current, encoding="utf-8")))
    legacy = list(csv.DictReader(open(args.legacy, encoding="utf-8")))
    for r in current + legacy:
        for field in ("province", "district", "ward"):
            if r.get(field):
                r[field] = canonical(r[field])
    conv = json.load(open(args.converter, encoding="utf-8"))

    # Current provinces and communes.
    provinces, communes = {}, {}
    commune_by_key = {}  # (province key, ward key) → code
    for r in current:
        pkey = r["provinceKey"]
        if r["provinceCode"] not in provinces:
            provinces[r["provinceCode"]] = (
                r["provinceCode"], r["province"], coord(r["provinceLat"]),
                coord(r["provinceLon"]), extra_keys(r["province"], [r["provinceKeywords"]], [r["provinceAlias"]]),
            )
        code = r["wardCode"]
        communes[code] = (
            r["provinceCode"], code, r["ward"], coord(r["wardLat"]), coord(r["wardLon"]),
            extra_keys(r["ward"], [r["wardKeywords"]], [r["wardAlias"]]),
        )
        if (pkey, r["wardKey"]) in commune_by_key:
            sys.exit(f"current commune key {pkey}/{r['wardKey']} is not unique")
        commune_by_key[(pkey, r["wardKey"])] = code
    province_code_by_key = {r["provinceKey"]: r["provinceCode"] for r in current}

    # Province level: each old province must sit in exactly one new one.
    new_of_old = {}
    for new_key, olds in conv["DICT_PROVINCE"].items():
        for old in olds:
            if old in new_of_old:
                sys.exit(f"old province {old} is mapped to two new provinces")
            new_of_old[old] = province_code_by_key[new_key]

    # Commune level.
    target = {}  # "prov_dist_ward" → (new province code, [new commune codes], default code)
    for new_pkey, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, olds in wards.items():
            code = commune_by_key[(new_pkey, new_wkey)]
            for old in olds:
                if old in target:
                    sys.exit(f"old commune {old} is mapped twice")
                target[old] = [code]
    for new_pkey, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            if old in target:
                sys.exit(f"old commune {old} is both whole and split")
            target[old] = [commune_by_key[(new_pkey, p["newWardKey"])] for p in parts]

    legacy_provinces, districts, legacy_communes = {}, {}, []
    district_targets = defaultdict(set)
    splits = 0
    for r in legacy:
        pcode, dcode = r["provinceCode"], r["districtCode"]
        new_pcode = new_of_old[r["provinceKey"]]
        if pcode not in legacy_provinces:
            legacy_provinces[pcode] = [
                pcode, r["province"], coord(r["provinceLat"]), coord(r["provinceLon"]),
                new_pcode, extra_keys(r["province"], [r["provinceKeywords"]], [r["provinceAlias"]]),
            ]
        if dcode not in districts:
            districts[dcode] = [
                pcode, dcode, r["district"], coord(r["districtLat"]), coord(r["districtLon"]),
                "", extra_keys(r["district"], [r["districtKeywords"]], [r["districtAlias"]]),
            ]
        old_key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"
        codes = target.get(old_key)
        if codes is None:
            sys.exit(f"legacy commune {old_key} has no 2025 mapping")
        for c in codes:
            if communes[c][0] != new_pcode:
                sys.exit(f"{old_key} maps to commune {c} outside its new province")
        if not r["ward"]:
            # Island districts without communes became one special zone each.
            districts[dcode][5] = codes[0]
            continue
        chosen = codes[0]
        others = []
        if len(codes) > 1:
            # Split commune: the part that kept its name (it usually holds the old seat), else the
            # part whose centroid is nearest to the old one. Without polygons a containment test
            # is guesswork (a large new commune's circle swallows its neighbours); nearest agrees
            # with the package's own default part for 458 of the 471 split communes.
            splits += 1
            here = (float(r["wardLat"]), float(r["wardLon"]))
            centres = {c: (float(communes[c][3]), float(communes[c][4])) for c in codes}
            own = fold_key(short_name(r["ward"], unit_type(r["ward"])).split(" (")[0])
            named = [c for c in codes if fold_key(short_name(communes[c][2], unit_type(communes[c][2]))) == own]
            if len(named) == 1:
                chosen = named[0]
            else:
                chosen = min(codes, key=lambda c: distance(here, centres[c]))
            others = [c for c in codes if c != chosen]
        district_targets[dcode].add(chosen)
        legacy_communes.append([
            dcode, r["wardCode"], r["ward"], coord(r["wardLat"]), coord(r["wardLon"]), chosen,
            ",".join(others), extra_keys(r["ward"], [r["wardKeywords"]], [r["wardAlias"]]),
        ])
    for dcode, codes in district_targets.items():
        if len(codes) == 1 and not districts[dcode][5]:
            districts[dcode][5] = next(iter(codes))

    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / "provinces.tsv", ["code", "name", "lat", "lon", "keys"], provinces.values())
    write(args.out / "communes.tsv", ["province", "code", "name", "lat", "lon", "keys"], communes.values())
    write(args.out / "legacy_provinces.tsv", ["code", "name", "lat", "lon", "current", "keys"],
          legacy_provinces.values())
    write(args.out / "legacy_districts.tsv",
          ["province", "code", "name", "lat", "lon", "current_commune", "keys"], districts.values())
    write(args.out / "legacy_communes.tsv",
          ["district", "code", "name", "lat", "lon", "current", "split_also", "keys"], legacy_communes)
    print(f"{len(provinces)} provinces, {len(communes)} communes; {len(legacy_provinces)} legacy "
          f"provinces, {len(districts)} districts, {len(legacy_communes)} communes ({splits} split)")


if __name__ == "__main__":
    main()
