"""Build `constructed_asreview_project.asreview`: an ASReview LAB project file (constructed).

No real ASReview LAB project of this record set exists, so this one is built to the layout ASReview
LAB documents for its project files (a zip with `project.json`, the imported dataset under `data/`
and `reviews/<id>/results.db`, an SQLite database whose `results` table has one row per record with
`record_id` and `label` 1 / 0 / NULL). Nothing in it is invented:

- the dataset is evsynth's own title/abstract queue (`queue_title_abstract.csv`) of the Embase
  export `_baseline_embase.ris`, i.e. what a reviewer imports into ASReview LAB;
- the labels are the real decisions of the Rayyan export `_baseline_rayyan.csv` (reviewer
  "Emily"), re-encoded: Included -> 1, Excluded -> 0, Maybe and undecided -> NULL (ASReview has no
  "maybe"; a record not labelled yet is NULL). record_id is the 0-based row of the dataset, as
  ASReview LAB numbers a dataset without a record_id column.

Run from the repository root: `python tests/data/screening/tool-exports/make_asreview_project.py`.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "constructed_asreview_project.asreview"
REVIEW_ID = "4b1f0c9e2d8a4c55a0e3f7d6b2c1a901"
LABELS = {"include": 1, "exclude": 0}


def main() -> None:
    from evsynth.screening.ingest import DecisionFile, read_decisions
    from evsynth.screening.matching import StudyIndex
    from evsynth.tables import read_tsv

    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        run = [sys.executable, "-m", "evsynth.cli"]
        subprocess.run(
            [*run, "import", "--source", "embase", "--out", str(t / "embase.tsv"),
             str(HERE / "_baseline_embase.ris")],
            check=True,
        )  # fmt: skip
        subprocess.run(
            [*run, "dedup", str(t / "embase.tsv"), "--out", str(t), "--quiet"], check=True
        )
        subprocess.run(
            [*run, "screen", "--records", str(t / "unique.tsv"), "--stage", "title_abstract",
             "--out", str(t)],
            check=True,
        )  # fmt: skip
        queue = (t / "queue_title_abstract.csv").read_bytes()
        index = StudyIndex.build(read_tsv(t / "unique.tsv"))
        items, _ = read_decisions(DecisionFile(str(HERE / "_baseline_rayyan.csv")))
        rayyan = {}
        for item in items:
            match = index.match(item)
            assert not isinstance(match, str), match
            rayyan[match.study_record_id] = item.decision
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(queue.decode("utf-8-sig"))))
        db_path = t / "results.db"
        con = sqlite3.connect(db_path)
        con.execute(
            "CREATE TABLE results (record_id INTEGER, label INTEGER, classifier TEXT, "
            "querier TEXT, balancer TEXT, feature_extractor TEXT, training_set INTEGER, "
            "time FLOAT, note TEXT, tags JSON, user_id INTEGER)"
        )
        for record_id, row in enumerate(rows):
            label = LABELS.get(rayyan.get(row["study_record_id"], ""))
            con.execute(
                "INSERT INTO results (record_id, label, time, note) VALUES (?, ?, ?, ?)",
                (record_id, label, None if label is None else 1723710000.0 + record_id, None),
            )
        con.commit()
        con.close()
        project = {
            "version": "2.0",
            "id": "evsynth-constructed",
            "name": "evsynth constructed example (labels re-encoded from the Rayyan export)",
            "mode": "oracle",
            "dataset_path": "queue_title_abstract.csv",
            "reviews": [{"id": REVIEW_ID, "status": "review"}],
        }
        with zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.json", json.dumps(project, indent=2))
            archive.writestr("data/queue_title_abstract.csv", queue)
            archive.write(db_path, f"reviews/{REVIEW_ID}/results.db")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
