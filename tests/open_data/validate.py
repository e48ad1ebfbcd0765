"""Reads Disan's open data with the tools other people use and checks it against the archive.

Usage: validate.py BASE_URL WORK_DIR (run by run.sh, which serves WORK_DIR/archive at BASE_URL).
Every check prints `ok` or `FAIL` with why; the last line is "N passed, N failed".
"""

import csv
import datetime
import hashlib
import io
import json
import os
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import geojson
import gpxpy
import iiif_prezi3
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from fastkml import kml
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch

BASE, WORK = sys.argv[1], Path(sys.argv[2])
ARCHIVE = WORK / "archive"
DISAN = [str(WORK / "disan"), "--archive", str(ARCHIVE), "--index", str(WORK / "index")]
passed, failed = 0, 0


def check(name):
    def run(fn):
        global passed, failed
        started = time.monotonic()
        try:
            fn()
            passed += 1
            print(f"ok   {name} ({time.monotonic() - started:.1f} s)")
        except Exception as e:  # every failure is reported, the other checks go on
            failed += 1
            print(f"FAIL {name}\n     {type(e).__name__}: {e}")
        return fn

    return run


def fetch(path, data=None):
    with urllib.request.urlopen(BASE + path, data=data, timeout=120) as answer:
        return answer.read(), answer.headers


def slug(text):
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in folded)
    return "-".join(part for part in out.split("-") if part)


RECORDS = {}
for path in ARCHIVE.rglob("site.json"):
    if any(part.startswith(".") for part in path.parts) or "inbox" in path.relative_to(ARCHIVE).parts[:1]:
        continue
    record = json.loads(path.read_text(encoding="utf-8"))
    RECORDS[record["id"]] = record
CHANGES = json.loads((WORK / "changes.json").read_text())
POSITIONED = {i for i, r in RECORDS.items() if "lat" in r.get("location", {})}
WITH_PHOTOS = {i for i, r in RECORDS.items() if r.get("photos")}
print(f"{len(RECORDS)} published sites, {len(POSITIONED)} with a position, {len(WITH_PHOTOS)} with photos")


def stamp(record):
    text = record.get("updated") or record.get("created")
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_geojson(text, ids):
    collection = geojson.loads(text)
    assert collection.is_valid, collection.errors()
    assert collection["type"] == "FeatureCollection"
    got = [f["id"] for f in collection["features"]]
    for feature in collection["features"]:
        assert feature.is_valid, (feature["id"], feature.errors())
        assert feature["properties"]["url"].endswith("/sites/" + feature["id"])
        if feature["geometry"] is not None:
            lon, lat = feature["geometry"]["coordinates"]
            assert 6 <= lat <= 23.5 and 102 <= lon <= 118, feature["id"]
    assert sorted(got) == sorted(ids), f"{len(got)} features for {len(ids)} sites"


def check_gpx(text, ids):
    gpx = gpxpy.parse(text)
    names = {RECORDS[i]["name"] for i in ids}
    assert len(gpx.waypoints) == len(ids), f"{len(gpx.waypoints)} waypoints for {len(ids)}"
    for w in gpx.waypoints:
        assert w.name in names, w.name
        assert w.link and "/sites/" in w.link, w.link
        assert "(" in w.comment, w.comment  # type · level · accuracy, in both languages


def check_kml(data, ids):
    document = list(kml.KML.from_string(data, strict=True).features)[0]
    placemarks = list(document.features)
    assert len(placemarks) == len(ids), f"{len(placemarks)} placemarks for {len(ids)}"
    for p in placemarks:
        assert p.geometry is not None, p.name
        data = {d.name: d.value for d in p.extended_data.elements}
        assert data["url"].endswith("/sites/" + p.id), p.id
        assert data["level"] == RECORDS[p.id].get("level", "unknown"), p.id


def check_csv(text, ids):
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert sorted(r["id"] for r in rows) == sorted(ids)
    for r in rows:
        assert r["name"] == RECORDS[r["id"]]["name"], r["id"]


def check_jsonl(text, ids):
    lines = [json.loads(line) for line in text.splitlines()]
    assert sorted(r["id"] for r in lines) == sorted(ids)
    for r in lines:
        assert r == RECORDS[r["id"]], r["id"]


def check_format(fmt, data, ids):
    text = data.decode("utf-8")
    {"csv": lambda: check_csv(text, ids), "jsonl": lambda: check_jsonl(text, ids),
     "geojson": lambda: check_geojson(text, ids),
     "gpx": lambda: check_gpx(text, [i for i in ids if i in POSITIONED]),
     "kml": lambda: check_kml(data, [i for i in ids if i in POSITIONED])}[fmt]()


for fmt in ["geojson", "gpx", "kml", "csv", "jsonl"]:
    @check(f"disan export --format {fmt}: the whole archive, read by its validator")
    def _(fmt=fmt):
        out = WORK / f"export.{fmt}"
        subprocess.run(DISAN + ["export", "--format", fmt, "-o", str(out)], check=True, capture_output=True)
        check_format(fmt, out.read_bytes(), list(RECORDS))


@check("/data: each download is what its checksum says and its validator reads")
def _():
    for _ in range(300):  # made in the background after the server started
        try:
            listing = json.loads(fetch("/data/downloads.json")[0])
            break
        except urllib.error.HTTPError:
            time.sleep(0.5)
    else:
        raise AssertionError("the downloads were not made within 150 s")
    assert len(listing["files"]) == 5
    assert listing["licence"] == "CC-BY-4.0"
    for f in listing["files"]:
        data, headers = fetch(f"/data/disan-sites.{f['format']}")
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["format"]
        assert len(data) == f["bytes"]
        check_format(f["format"], data, list(RECORDS))
    page = fetch("/data")[0].decode()
    assert '"@type":"Dataset"' in page and '"@type":"DataCatalog"' in page


@check("/search/download: every result of a search, as GeoJSON, GPX and KML")
def _():
    pagodas = [r["location"]["legacy"]["province"] for r in RECORDS.values()
               if r.get("type") == "chua" and r.get("location", {}).get("legacy", {}).get("province")]
    province = max(set(pagodas), key=pagodas.count)
    query = urllib.parse.urlencode({"province": province, "type": "chua"})
    total = json.loads(fetch(f"/api/v1/search?{query}&limit=1")[0])["total"]
    ids = [i for i, r in RECORDS.items() if r.get("type") == "chua"
           and province in (r.get("location", {}).get("province"), r.get("location", {}).get("legacy", {}).get("province"))]
    assert total == len(ids) > 0, (total, len(ids))
    for fmt in ["geojson", "gpx", "kml"]:
        data, headers = fetch(f"/search/download/{fmt}?{query}")
        assert headers["Content-Disposition"].startswith("attachment"), headers
        check_format(fmt, data, ids)


sickle = Sickle(BASE + "/oai", max_retries=2)
live = set(RECORDS)
deleted = {CHANGES["removed"], CHANGES["renamed"]["old"]}


def identifier(site):
    return f"oai:127.0.0.1:{site}"


def harvest(**args):
    records = {}
    try:
        for record in sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False, **args):
            key = record.header.identifier.rsplit(":", 1)[1]
            assert key not in records, f"{key} twice"
            records[key] = record
    except NoRecordsMatch:
        pass
    return records


@check("OAI-PMH: a full harvest with sickle equals the archive, deletions included")
def _():
    identify = sickle.Identify()
    assert identify.deletedRecord == "persistent", identify.deletedRecord
    started = time.monotonic()
    records = harvest()
    seconds = time.monotonic() - started
    got_live = {k for k, r in records.items() if not r.header.deleted}
    got_deleted = {k for k, r in records.items() if r.header.deleted}
    assert got_live == live, f"missing {sorted(live - got_live)[:5]}, extra {sorted(got_live - live)[:5]}"
    assert got_deleted == deleted, got_deleted
    for key in got_live:
        record, metadata = RECORDS[key], records[key].metadata
        assert record["name"] in metadata["title"], key
        assert any(i.endswith("/sites/" + key) for i in metadata["identifier"]), key
        assert records[key].header.datestamp == stamp(record).strftime("%Y-%m-%dT%H:%M:%SZ"), key
    print(f"     {len(records)} records in {seconds:.1f} s ({len(records) / seconds:.0f} records/s)")
    headers = {h.identifier.rsplit(":", 1)[1]: h.deleted for h in sickle.ListIdentifiers(metadataPrefix="oai_dc")}
    assert {k for k, gone in headers.items() if not gone} == live
    assert {k for k, gone in headers.items() if gone} == deleted


@check("OAI-PMH: selective harvests by set and by date are right")
def _():
    by_province, by_legacy = {}, {}
    for i, r in RECORDS.items():
        location = r.get("location", {})
        if location.get("province"):
            by_province.setdefault(slug(location["province"]), set()).add(i)
        if location.get("legacy", {}).get("province"):
            by_legacy.setdefault(slug(location["legacy"]["province"]), set()).add(i)
    sets = {s.setSpec for s in sickle.ListSets()}
    for name, groups in [("province", by_province), ("legacy-province", by_legacy)]:
        for value in sorted(groups, key=lambda v: -len(groups[v]))[:2] + sorted(groups)[:1]:
            spec = f"{name}:{value}"
            assert spec in sets, spec
            got = {k for k, r in harvest(set=spec).items() if not r.header.deleted}
            assert got == groups[value], f"{spec}: {len(got)} for {len(groups[value])}"
    pagodas = {i for i, r in RECORDS.items() if r.get("type") == "chua"}
    assert {k for k, r in harvest(set="type:chua").items() if not r.header.deleted} == pagodas
    ranked = {i for i, r in RECORDS.items() if r.get("level") == "national"}
    assert {k for k, r in harvest(set="level:national").items() if not r.header.deleted} == ranked
    for start, end in [("2025-02-01", "2025-03-31"), ("2025-06-15", "2025-06-15")]:
        low = datetime.datetime.fromisoformat(start + "T00:00:00+00:00")
        high = datetime.datetime.fromisoformat(end + "T23:59:59+00:00")
        want = {i for i, r in RECORDS.items() if low <= stamp(r) <= high}
        got = {k for k, r in harvest(**{"from": start, "until": end}).items() if not r.header.deleted}
        assert got == want and want, f"{start}..{end}: {len(got)} for {len(want)}"
    one = sorted(RECORDS)[0]
    second = stamp(RECORDS[one]).strftime("%Y-%m-%dT%H:%M:%SZ")
    got = harvest(**{"from": second, "until": second})
    assert one in got, f"{one} at {second}"


@check("OAI-PMH: error conditions")
def _():
    for query, code in [("verb=Bogus", "badVerb"), ("verb=ListRecords", "badArgument"),
                        ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
                        ("verb=ListRecords&resumptionToken=not-a-token", "badResumptionToken"),
                        ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:127.0.0.1:nothing-here", "idDoesNotExist"),
                        ("verb=ListRecords&metadataPrefix=oai_dc&set=province:atlantis", "noRecordsMatch"),
                        ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01&until=2025-01-01", "badArgument")]:
        body = fetch("/oai?" + query)[0].decode()
        assert f'<error code="{code}">' in body, (query, body[:400])
    posted = fetch("/oai", data=b"verb=Identify")[0].decode()
    assert "<Identify>" in posted


@check("IIIF: every collection and manifest validates with iiif-prezi3")
def _():
    archive = json.loads(fetch("/iiif/collection.json")[0])
    iiif_prezi3.Collection(**archive)
    manifests = []
    for province in archive["items"]:
        collection = json.loads(fetch(urllib.parse.urlparse(province["id"]).path)[0])
        iiif_prezi3.Collection(**collection)
        manifests += [m["id"] for m in collection["items"]]
    assert {m.split("/iiif/")[1].split("/")[0] for m in manifests} == WITH_PHOTOS
    for url in manifests:
        manifest = json.loads(fetch(urllib.parse.urlparse(url).path)[0])
        iiif_prezi3.Manifest(**manifest)
        site = RECORDS[url.split("/iiif/")[1].split("/")[0]]
        assert len(manifest["items"]) == len(site["photos"])
        for canvas, photo in zip(manifest["items"], site["photos"]):
            body = canvas["items"][0]["items"][0]["body"]
            info_url = urllib.parse.urlparse(body["service"][0]["id"]).path + "/info.json"
            info = json.loads(fetch(info_url)[0])
            assert (info["width"], info["height"]) == (canvas["width"], canvas["height"])
            size = info["sizes"][-1]
            fetch(urllib.parse.urlparse(info["id"]).path + f"/full/{size['width']},{size['height']}/0/default.jpg")
            assert photo["author"] in canvas["requiredStatement"]["value"]["none"][0]


@check("Citations: RIS read by rispy, CSL-JSON rendered by citeproc-py")
def _():
    styles = Path(__import__("citeproc").__file__).parent / "data" / "styles"
    style = CitationStylesStyle(str(next(styles.glob("*.csl"))), validate=True)
    for site in sorted(RECORDS)[:20] + sorted(WITH_PHOTOS):
        entries = rispy.loads(fetch(f"/sites/{site}/cite.ris")[0].decode())
        assert len(entries) == 1 and entries[0]["title"] == RECORDS[site]["name"], site
        assert entries[0]["urls"][0].endswith("/sites/" + site)
        source = CiteProcJSON(json.loads(fetch(f"/sites/{site}/cite.json")[0]))
        bibliography = CitationStylesBibliography(style, source, formatter.plain)
        bibliography.register(Citation([CitationItem("disan-" + site)]))
        text = str(bibliography.bibliography()[0])
        assert RECORDS[site]["name"] in text, text


print(f"open data: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
