"""Shapes the imported relic archive for the open-data checks (run by run.sh).

`prepare.py ARCHIVE TESTDATA`: real photos (with credits under each of the three licences) on
a few sites, and other change dates on one site in fifteen, so that harvests by date select
something. `prepare.py --change ARCHIVE`, after a first ingest: one site's folder is removed
and another site is renamed, so that the next ingest has deletions to record; what was done is
written to changes.json beside the archive for validate.py.
"""

import json
import os
import shutil
import sys
from pathlib import Path

LICENCES = ["CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0"]


def sites(archive):
    for path in sorted(Path(archive).rglob("site.json")):
        yield path, json.loads(path.read_text(encoding="utf-8"))


def write(path, record):
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def prepare(archive, testdata):
    photos = sorted((Path(testdata) / "photos" / "gps").glob("*.jpg"))
    photos += sorted((Path(testdata) / "photos" / "phones").glob("*.jpg"))
    all_sites = list(sites(archive))
    chosen = all_sites[:: max(1, len(all_sites) // 6)][:6]
    for n, (path, record) in enumerate(chosen):
        folder = path.parent / "photos"
        folder.mkdir(exist_ok=True)
        record["photos"] = []
        for i, photo in enumerate(photos[n * 2 : n * 2 + 3]):
            shutil.copy(photo, folder / photo.name)
            record["photos"].append(
                {
                    "file": "photos/" + photo.name,
                    "caption": f"Ảnh {i + 1} của {record['name']}",
                    "caption_en": f"Photo {i + 1} of {record['name']}",
                    "author": f"Tình nguyện viên {n + 1}",
                    "license": LICENCES[(n + i) % 3],
                }
            )
        write(path, record)
    for i, (path, record) in enumerate(all_sites):
        if i % 15 == 7:
            month = 1 + (i // 15) % 6
            record["created"] = record["updated"] = f"2025-{month:02d}-15T10:00:00Z"
            write(path, record)
    print(f"photos on {len(chosen)} sites; other dates on {len(all_sites) // 15} sites")


def change(archive):
    with_photos = {r["id"] for _, r in sites(archive) if r.get("photos")}
    candidates = [(p, r) for p, r in sites(archive) if r["id"] not in with_photos]
    removed_path, removed = candidates[3]
    shutil.rmtree(removed_path.parent)
    renamed_path, renamed = candidates[10]
    old = renamed["id"]
    renamed["former_ids"] = renamed.get("former_ids", []) + [old]
    renamed["id"] = old + "-moi"
    write(renamed_path, renamed)
    changes = {"removed": removed["id"], "renamed": {"old": old, "new": renamed["id"]}}
    (Path(archive).parent / "changes.json").write_text(json.dumps(changes))
    print(f"removed {removed['id']}; renamed {old} to {renamed['id']}")


if __name__ == "__main__":
    if sys.argv[1] == "--change":
        change(sys.argv[2])
    else:
        prepare(sys.argv[1], sys.argv[2])
