#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets from the test data (DISAN_TESTDATA) and the
bundled archive, into fuzz/corpus/<target>/. Nothing from the test data is committed: run this
before fuzzing (fuzz/run.sh does). Seeds are small and capped in number."""
import csv, io, json, os, pathlib, random, sys, urllib.parse

here = pathlib.Path(__file__).resolve().parent
repo = here.parent
data = os.environ.get("DISAN_TESTDATA")
if not data or not pathlib.Path(data, "README.md").is_file():
    sys.exit("set DISAN_TESTDATA to the test data folder")
data = pathlib.Path(data)
corpus = here / "corpus"
rng = random.Random(16)
PER_TARGET = 200

def put(target, name, content):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    (folder / name).write_bytes(content)

relics = json.loads((data / "vn/ditich_relics_4275.json").read_text("utf-8"))
wiki = json.loads((data / "vn/ditich_wiki_sites_4453.json").read_text("utf-8"))
special = json.loads((data / "vn/special_relics_107.json").read_text("utf-8"))
rng.shuffle(relics)

def first(v):
    return next(iter(v), "") if isinstance(v, dict) else (v or "")

# site.json: the bundled archive and the invalid fixtures, as they are.
for i, path in enumerate(sorted(repo.glob("archive/**/site.json")) + sorted(repo.glob("tests/fixtures/**/site.json"))):
    put("site_json", f"s{i:03}.json", path.read_bytes())

# Import rows, CSV (first byte even) and JSON (odd), 20 relics a file.
columns = ["name", "type", "level", "address", "people"]
for i in range(0, min(len(relics), 20 * PER_TARGET // 2), 20):
    rows = [{"name": r.get("name", ""), "type": r.get("type", ""), "level": r.get("rank", ""),
             "address": r.get("location", ""), "people": r.get("people", "")} for r in relics[i:i + 20]]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    put("import_rows", f"c{i:04}", b"\x00" + out.getvalue().encode("utf-8"))
    put("import_rows", f"j{i:04}", b"\x01" + json.dumps(rows, ensure_ascii=False).encode("utf-8"))

# Addresses as crawled, some split into fields.
for i, r in enumerate(relics[:PER_TARGET]):
    put("address", f"a{i:03}", r.get("location", ""))
for i, w in enumerate(wiki[:PER_TARGET // 2]):
    put("address", f"w{i:03}", first(w.get("diaChi")))

# Search requests: names, places and filters as query strings.
for i, r in enumerate(relics[:PER_TARGET]):
    pairs = [("q", r.get("name", ""))]
    if i % 3 == 0:
        pairs.append(("province", r.get("location", "").split(",")[0].replace("Tỉnh ", "").strip()))
    if i % 5 == 0:
        pairs += [("near", "21.03,105.85"), ("sort", "distance")]
    if i % 7 == 0:
        pairs += [("page", str(i % 4 + 1)), ("limit", "20")]
    text = urllib.parse.urlencode(pairs)
    put("search_request", f"q{i:03}", text)
    put("search_engine", f"q{i:03}", text)

# Photos: EXIF comes first in a file, so its seeds are heads; whole small photos for decoding.
photos = sorted(p for p in (data / "photos").rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
for i, p in enumerate(photos):
    put("exif", f"p{i:02}", p.read_bytes()[:64 * 1024])
    if p.stat().st_size < 400_000:
        put("image_decode", f"p{i:02}", p.read_bytes())
small = [p for p in photos if p.stat().st_size < 60_000]

# Multipart bodies (first line: the boundary) with text parts and a small photo.
for i, p in enumerate(small):
    b = f"----disan{i}"
    body = (f"{b}\n--{b}\r\nContent-Disposition: form-data; name=\"author\"\r\n\r\nLan\r\n"
            f"--{b}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{p.name}\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + p.read_bytes() + f"\r\n--{b}--\r\n".encode()
    put("multipart", f"m{i:02}", body)

# Resumable uploads: a declaration, then the photo in two chunks.
for i, p in enumerate(small):
    photo = p.read_bytes()
    half = len(photo) // 2
    declaration = json.dumps({"name": p.name, "size": len(photo), "key": f"k{i}", "author": "Lan",
                              "license": "CC-BY-SA-4.0", "share_position": i % 2 == 0})
    put("resumable_upload", f"r{i:02}", declaration.encode() + b"\0offset=0\0" + photo[:half]
        + f"\0offset={half}\0".encode() + photo[half:])

# Markdown: the longest descriptions of the special relics and the wiki.
texts = [s.get("detail") or "" for s in special] + [first(w.get("mieuTa")) for w in wiki if w.get("mieuTa")]
for i, t in enumerate(sorted(texts, key=len, reverse=True)[:PER_TARGET // 2]):
    put("markdown", f"d{i:03}", t[:20_000])
for i, path in enumerate(sorted(repo.glob("archive/**/site.json"))):
    record = json.loads(path.read_text("utf-8"))
    if record.get("description"):
        put("markdown", f"a{i:03}", record["description"])

for target in sorted(p.name for p in corpus.iterdir()):
    print(f"{target}: {len(list((corpus / target).iterdir()))} seeds")
