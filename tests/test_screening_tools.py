"""Screening decisions from the real exports of Rayyan, Covidence, Abstrackr and EPPI-Reviewer
(tests/data/screening/tool-exports/, one record set exported by each tool), an ASReview LAB project
file, and the queue files these tools import back.

The review's records are built the way a review builds them: the Embase export of the same record
set is imported and deduplicated by evsynth (`evsynth import`, `evsynth dedup`), and each tool's
decisions are matched against that. Every expected number is counted from the export itself,
independently of evsynth's readers (regular expressions over the raw text, the csv module, the
XLSX sheet XML), as each test says.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
import rispy

from evsynth.cli import main
from evsynth.contracts.records import normalise_doi
from evsynth.errors import InputError
from evsynth.screening.agreement import cohen_kappa, fleiss_kappa
from evsynth.screening.ingest import DecisionFile, read_decisions
from evsynth.screening.output import queue_csv_text, queue_ris_text
from evsynth.screening.run import screen_files
from evsynth.screening.stage import StageSettings
from evsynth.tables import read_tsv

DATA = Path(__file__).parent / "data" / "screening"
TOOLS = DATA / "tool-exports"
EMBASE = TOOLS / "_baseline_embase.ris"
RAYYAN_CSV = TOOLS / "_baseline_rayyan.csv"
RAYYAN_RIS = TOOLS / "_baseline_rayyan.ris"
COVIDENCE_CSV = TOOLS / "_baseline_covidence.csv"
COVIDENCE_RIS = TOOLS / "_baseline_covidence_endnote.ris"
ABSTRACKR = TOOLS / "_baseline_abstrackr.csv"
EPPI_XLSX = TOOLS / "_baseline_eppireviewer.xlsx"
EPPI_RIS = TOOLS / "_baseline_eppireviewer.ris"
ASREVIEW = TOOLS / "constructed_asreview_project.asreview"
THREE = DATA / "rayyan_three_reviewers.ris"
REASONS = ("wrong_population", "wrong_intervention", "wrong_outcome", "wrong_design")


def _dedup(out: Path, *exports: tuple[str, Path]) -> Path:
    tables = []
    for source, path in exports:
        table = out / f"{source}.tsv"
        assert main(["import", "--source", source, "--out", str(table), str(path)]) == 0
        tables.append(str(table))
    assert main(["dedup", *tables, "--out", str(out / "dedup"), "--quiet"]) == 0
    return out / "dedup" / "unique.tsv"


@pytest.fixture(scope="module")
def unique(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """results/dedup/unique.tsv of the Embase export (10 records, no duplicates)."""
    return _dedup(tmp_path_factory.mktemp("embase"), ("embase", EMBASE))


@pytest.fixture(scope="module")
def unique_with_covidence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Embase plus the Covidence project's own records (two of them are not in the Embase set)."""
    return _dedup(
        tmp_path_factory.mktemp("embase_covidence"),
        ("embase", EMBASE),
        ("covidence", COVIDENCE_RIS),
    )


def _doi_index(unique: Path) -> dict[str, str]:
    return {r["doi"]: r["study_record_id"] for r in read_tsv(unique) if r["doi"]}


def _title_index(unique: Path) -> dict[str, str]:
    return {r["title"].lower()[:60]: r["study_record_id"] for r in read_tsv(unique)}


def _screen(unique: Path, *specs: DecisionFile, **settings):
    settings.setdefault("stage", "title_abstract")
    result, records = screen_files(unique, list(specs), settings=StageSettings(**settings))
    return result, {r.study_record_id: r for r in result.rows}, records


def _per_reviewer(rows: dict, reviewer: str) -> dict[str, str]:
    return {
        sid: row.per_reviewer[reviewer].split(":")[0]
        for sid, row in rows.items()
        if reviewer in row.per_reviewer
    }


# --- Rayyan ---------------------------------------------------------------------------------------


def _rayyan_expected_from_csv(unique: Path) -> dict[str, str]:
    """Emily's decisions counted from the raw CSV: csv module + a regular expression on notes, the
    record found by its DOI (Rayyan's DOI cell carries Embase's trailing `LK  - ...`)."""
    dois = _doi_index(unique)
    words = {"Included": "include", "Excluded": "exclude", "Maybe": "maybe"}
    out = {}
    with RAYYAN_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            found = re.search(r'"Emily"=>"(\w+)"', row["notes"])
            if found:
                out[dois[normalise_doi(row["doi"].split()[0])]] = words[found.group(1)]
    return out


def test_rayyan_csv_real_export(unique):
    text = RAYYAN_CSV.read_text(encoding="utf-8")
    # grep -o '""Emily""=>""Included""' etc.: 2 Included, 2 Excluded, 2 Maybe; 10 records
    assert [text.count(f'""Emily""=>""{w}""') for w in ("Included", "Excluded", "Maybe")] == [
        2,
        2,
        2,
    ]
    expected = _rayyan_expected_from_csv(unique)
    assert sorted(expected.values()) == [
        "exclude",
        "exclude",
        "include",
        "include",
        "maybe",
        "maybe",
    ]

    result, rows, _ = _screen(unique, DecisionFile(str(RAYYAN_CSV)), reviewers=("Emily",))
    assert _per_reviewer(rows, "Emily") == expected
    (summary,) = result.inputs
    assert (summary.format, summary.rows, summary.decisions, summary.undecided_rows) == (
        "rayyan",
        10,
        6,
        4,
    )
    counts = result.counts()
    # one reviewer: no pair, no conflict; "maybe" at title/abstract is final (goes to full text)
    assert result.agreement.pairs == [] and counts["conflicts_unresolved"] == 0
    assert (counts["include"], counts["exclude"], counts["maybe"], counts["queued"]) == (2, 2, 2, 4)


def test_rayyan_ris_real_export_gives_the_same_decisions_at_its_notes_lines(unique):
    lines = RAYYAN_RIS.read_text(encoding="utf-8").splitlines()
    # grep -n 'RAYYAN-INCLUSION': the six N1 lines with a decision
    n1 = [i for i, line in enumerate(lines, start=1) if "RAYYAN-INCLUSION" in line]
    assert n1 == [42, 67, 97, 124, 151, 190]
    items, summary = read_decisions(DecisionFile(str(RAYYAN_RIS)))
    assert summary.format == "rayyan_ris" and (summary.rows, summary.decisions) == (10, 6)
    assert [i.line for i in items] == n1
    assert all(k.startswith("rayyan-") for i in items for k in i.tool_keys)  # AN - rayyan-...
    _, rows, _ = _screen(unique, DecisionFile(str(RAYYAN_RIS)), reviewers=("Emily",))
    assert _per_reviewer(rows, "Emily") == _rayyan_expected_from_csv(unique)


def test_rayyan_three_reviewers_kappa_conflicts_reasons_labels():
    """Constructed Rayyan RIS (docs: tests/data/screening/README.md) on the hand-written records."""
    result, rows, _ = _screen(
        DATA / "unique.tsv",
        DecisionFile(str(THREE)),
        reviewers=("alice", "bob", "carol"),
        required_reviewers=3,
        exclusion_reasons=REASONS,
        reason_aliases={"wrong study design": "wrong_design"},
    )
    # 8 records, 7 decided by all three and 1 by two: 23 decisions on 8 decided rows
    (summary,) = result.inputs
    assert (summary.rows, summary.decided_rows, summary.decisions) == (8, 8, 23)
    # by hand (see docs/screening.md, "Rayyan"): alice-bob 0.6, alice-carol 8/29, bob-carol 20/27
    pairs = {p.reviewers: p for p in result.agreement.pairs}
    assert pairs[("alice", "bob")].kappa == pytest.approx(0.6)
    assert pairs[("alice", "bob")].n == 8
    assert pairs[("alice", "carol")].kappa == pytest.approx(8 / 29, abs=1e-6)
    assert pairs[("bob", "carol")].kappa == pytest.approx(20 / 27, abs=1e-6)
    assert result.agreement.kappa == pytest.approx((0.6 + 8 / 29 + 20 / 27) / 3, abs=1e-6)
    # Fleiss over the 7 records all three decided: P-bar = 5/7, P-bar_e = 185/441 -> 130/256
    fleiss = result.agreement.fleiss
    assert fleiss.n == 7 and fleiss.kappa == pytest.approx(130 / 256, abs=1e-6)
    assert fleiss.mean_agreement == pytest.approx(5 / 7, abs=1e-6)
    # conflicts go to the queue with every reviewer's decision
    conflicts = sorted(s for s, r in rows.items() if r.status == "conflict")
    assert conflicts == ["embase:L5004", "pubmed:1002", "wos:000123"]
    assert rows["pubmed:1002"].conflict_details == (
        "reviewers disagree: alice=include, bob=exclude (wrong_outcome), carol=exclude "
        "(wrong_outcome)"
    )
    assert (
        rows["embase:L5004"].per_reviewer["bob"] == "exclude: wrong_population"
    )  # "Wrong Population"
    assert rows["pubmed:1003"].status == "awaiting_reviewers"  # carol has not decided it
    # Rayyan's "wrong study design" mapped to the protocol's wrong_design; labels kept
    assert (rows["pubmed:1007"].decision, rows["pubmed:1007"].reason) == ("exclude", "wrong_design")
    assert "labels: review, narrative" in rows["pubmed:1007"].note
    assert "bob: no survival analysis" in rows["pubmed:1002"].note
    queue = queue_csv_text(result, {r: {} for r in rows})
    assert "alice=include, bob=exclude (wrong_outcome)" in queue


def test_rayyan_unknown_reason_is_an_error_naming_file_and_line():
    with pytest.raises(InputError) as err:
        _screen(
            DATA / "unique.tsv",
            DecisionFile(str(THREE)),
            exclusion_reasons=REASONS,  # no alias for "wrong study design"
        )
    line = next(
        i
        for i, text in enumerate(THREE.read_text(encoding="utf-8").splitlines(), start=1)
        if "wrong study design" in text
    )
    assert f"rayyan_three_reviewers.ris:{line}, field 'reason'" in str(err.value)
    assert "'wrong study design' is not in config" in str(err.value)
    assert "reason_aliases" in str(err.value)


# --- Covidence ------------------------------------------------------------------------------------


def test_covidence_csv_list_must_be_declared_when_content_cannot_say(unique_with_covidence):
    with pytest.raises(
        InputError,
        match=r"cannot be told from its content.*list: \w+\}\] "
        r"\(irrelevant, select, excluded, included\), or on the command line --list",
    ):
        _screen(unique_with_covidence, DecisionFile(str(COVIDENCE_CSV)))


def test_covidence_csv_real_export_is_one_consensus_reviewer(unique_with_covidence):
    # csv module: 10 rows, Covidence # 1, 2, 6, 7, 9, 10, 16, 17, 19, 20, no exclusion reason
    with COVIDENCE_CSV.open(encoding="utf-8-sig", newline="") as handle:
        raw = list(csv.DictReader(handle))
    assert len(raw) == 10 and not any("Exclusion reason" in r["Notes"] for r in raw)
    dois = _doi_index(unique_with_covidence)
    expected = {dois[normalise_doi(r["DOI"])] for r in raw}
    assert len(expected) == 10

    spec = DecisionFile(str(COVIDENCE_CSV), list="included")
    result, rows, _ = _screen(
        unique_with_covidence, spec, reviewers=("alice", "bob"), required_reviewers=2
    )
    decided = {s for s, r in rows.items() if r.status == "consensus"}
    assert decided == expected
    assert all(rows[s].decision == "include" for s in decided)
    assert all(rows[s].reviewers == ["covidence"] for s in decided)
    assert result.agreement.pairs[0].n == 0  # consensus never enters kappa
    # the two other Embase records are still awaiting alice and bob
    assert sorted(s for s, r in rows.items() if r.status == "awaiting_reviewers") == sorted(
        [dois["10.1002/ar.25299"], dois["10.1111/cla.12583"]]  # Fawcett 2024, Pol 2024
    )
    # at full text the included list includes too
    items, _ = read_decisions(spec, stage="full_text")
    assert {i.decision for i in items} == {"include"} and len(items) == 10


def test_covidence_rows_missing_from_the_records_are_all_listed(unique):
    lines = COVIDENCE_CSV.read_text(encoding="utf-8-sig").splitlines()
    # grep -n: the two records Covidence has and the Embase export has not
    missing = [
        i
        for i, line in enumerate(lines, start=1)
        if line.startswith(('"Reappraisal of sauropod', '"Digestibility of dinosaur'))
    ]
    assert missing == [10, 11]
    with pytest.raises(InputError) as err:
        _screen(unique, DecisionFile(str(COVIDENCE_CSV), list="included"))
    message = str(err.value)
    assert "2 decision row(s) match no study record" in message
    for line in missing:
        assert f"_baseline_covidence.csv:{line}:" in message


@pytest.mark.parametrize(
    "name", ["_baseline_covidence_endnote.ris", "_baseline_covidence_refworks.ris"]
)
def test_covidence_ris_needs_its_list_declared_then_matches_the_csv(name, unique_with_covidence):
    path = TOOLS / name
    with pytest.raises(InputError, match=r"Covidence RIS export.*list: included"):
        read_decisions(DecisionFile(str(path)))
    # rispy reads the same 10 records
    assert len(rispy.loads(path.read_text(encoding="utf-8"))) == 10
    _, ris_rows, _ = _screen(unique_with_covidence, DecisionFile(str(path), list="irrelevant"))
    _, csv_rows, _ = _screen(
        unique_with_covidence, DecisionFile(str(COVIDENCE_CSV), list="irrelevant")
    )
    got = {s: r.decision for s, r in ris_rows.items() if r.status == "consensus"}
    assert got == {s: r.decision for s, r in csv_rows.items() if r.status == "consensus"}
    assert set(got.values()) == {"exclude"} and len(got) == 10


# --- Abstrackr ------------------------------------------------------------------------------------


def test_abstrackr_real_export(unique):
    # csv module: the reviewer column "Anonymous" holds 1, 1, -1, -1, 0, 0; consensus is "o" on
    # every labelled row; 4 citations follow the "not yet labeled" separator row
    with ABSTRACKR.open(encoding="utf-8", newline="") as handle:
        raw = list(csv.reader(handle))
    header = raw[0]
    col, cons = header.index("Anonymous"), header.index("consensus")
    labelled = [r for r in raw[1:] if len(r) == len(header)]
    assert sorted(r[col] for r in labelled) == ["-1", "-1", "0", "0", "1", "1"]
    assert {r[cons] for r in labelled} == {"o"}
    separator = next(i for i, r in enumerate(raw) if r[0].startswith("citations that are not"))
    assert len(raw) - separator - 1 == 4
    titles = _title_index(unique)
    words = {"1": "include", "-1": "exclude", "0": "maybe"}
    expected = {titles[r[header.index("title")].lower()[:60]]: words[r[col]] for r in labelled}

    result, rows, _ = _screen(unique, DecisionFile(str(ABSTRACKR)), reviewers=("Anonymous",))
    assert _per_reviewer(rows, "Anonymous") == expected
    (summary,) = result.inputs
    assert (summary.format, summary.rows, summary.decisions, summary.undecided_rows) == (
        "abstrackr",
        10,
        6,
        4,
    )
    assert result.counts()["conflicts_unresolved"] == 0


def test_abstrackr_consensus_resolves_its_reviewers_conflict(unique, tmp_path):
    """The real file with a second reviewer column added (constructed: a copy of Anonymous's labels
    with one changed) and a consensus label on that record, as Abstrackr writes after a lead
    resolves a conflict."""
    with ABSTRACKR.open(encoding="utf-8", newline="") as handle:
        raw = list(csv.reader(handle))
    header = raw[0]
    col, cons = header.index("Anonymous"), header.index("consensus")
    out = [[*header[: col + 2], "Second", "labeled_at", *header[col + 2 :]]]
    for i, row in enumerate(raw[1:]):
        if len(row) != len(header):
            out.append(row)
            continue
        second = row[col] if i != 0 else "-1"  # the first record: Anonymous 1, Second -1
        if i == 0:
            row = [*row[:cons], "1", *row[cons + 1 :]]
        out.append([*row[: col + 2], second, row[col + 1], *row[col + 2 :]])
    path = tmp_path / "abstrackr_two.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(out)
    result, rows, _ = _screen(
        unique, DecisionFile(str(path)), reviewers=("Anonymous", "Second"), required_reviewers=2
    )
    first = rows[_title_index(unique)[raw[1][header.index("title")].lower()[:60]]]
    assert (first.decision, first.status, first.conflict) == ("include", "adjudicated", "resolved")
    assert "resolved by abstrackr consensus" in first.note
    pair = result.agreement.pairs[0]
    assert (pair.n, pair.agreed) == (6, 5)  # the consensus label is not a reviewer


# --- EPPI-Reviewer --------------------------------------------------------------------------------


def _xlsx_column_a(path: Path) -> list[str]:
    """Column A of the first sheet read from the XML (not openpyxl): shared strings by index."""
    with zipfile.ZipFile(path) as book:
        strings = re.findall(r"<t[^>]*>([^<]*)</t>", book.read("xl/sharedStrings.xml").decode())
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    cells = re.findall(r'<c r="A(\d+)"[^>]* t="s"><v>(\d+)</v></c>', sheet)
    return [strings[int(v)] for row, v in cells if row != "1"]


def test_eppi_xlsx_real_export(unique):
    flags = _xlsx_column_a(EPPI_XLSX)
    assert sorted(flags) == ["E"] * 2 + ["I"] * 8
    result, rows, _ = _screen(unique, DecisionFile(str(EPPI_XLSX)), reviewers=("alice",))
    decided = {s: r.decision for s, r in rows.items() if r.status == "consensus"}
    assert sorted(decided.values()) == ["exclude"] * 2 + ["include"] * 8
    titles = {s: r["title"] for s, r in _records(unique).items()}
    assert sorted(titles[s][:30] for s, d in decided.items() if d == "exclude") == [
        "Description of a new specimen ",
        "Erratum: Correction: A juvenil",
    ]
    assert all(rows[s].reviewers == ["eppi-reviewer"] for s in decided)
    assert result.inputs[0].format == "eppi"


def _records(unique: Path) -> dict[str, dict[str, str]]:
    return {r["study_record_id"]: r for r in read_tsv(unique)}


def test_eppi_ris_real_export_needs_a_declared_list(unique):
    text = EPPI_RIS.read_text(encoding="utf-8")
    assert text.count("KW  - eppi-reviewer") == 10  # grep -c
    with pytest.raises(
        InputError, match=r"EPPI-Reviewer RIS export carries no include/exclude flag"
    ):
        read_decisions(DecisionFile(str(EPPI_RIS)))
    items, summary = read_decisions(DecisionFile(str(EPPI_RIS), list="excluded"))
    assert summary.format == "eppi_ris" and len(items) == 10
    # its U1 is the item ID of the Excel export
    assert sorted(k for i in items for k in i.tool_keys) == sorted(
        re.findall(r"^U1  - (\d+)", text, flags=re.MULTILINE)
    )


# --- ASReview LAB project file --------------------------------------------------------------------


def test_asreview_project_labels_come_from_results_db_joined_to_its_data(unique):
    with zipfile.ZipFile(ASREVIEW) as project:
        db = next(n for n in project.namelist() if n.endswith("results.db"))
        con = sqlite3.connect(":memory:")
        con.deserialize(project.read(db))
        labels = dict(con.execute("SELECT record_id, label FROM results").fetchall())
        data = list(
            csv.DictReader(
                io.StringIO(project.read("data/queue_title_abstract.csv").decode("utf-8-sig"))
            )
        )
    # sqlite3: 2 relevant, 2 irrelevant, 6 NULL; record_id = row of the data file
    assert sorted(v for v in labels.values() if v is not None) == [0, 0, 1, 1]
    expected = {
        data[rid]["study_record_id"]: "include" if v == 1 else "exclude"
        for rid, v in labels.items()
        if v is not None
    }
    result, rows, _ = _screen(unique, DecisionFile(str(ASREVIEW), reviewer="Emily"))
    assert _per_reviewer(rows, "Emily") == expected
    (summary,) = result.inputs
    assert (summary.format, summary.rows, summary.decisions, summary.undecided_rows) == (
        "asreview_project",
        10,
        4,
        6,
    )
    # the labels are the Rayyan export's decisions re-encoded (make_asreview_project.py)
    rayyan = _rayyan_expected_from_csv(unique)
    assert all(rayyan[s] == d for s, d in expected.items())


def test_asreview_lab_1_project_with_a_ris_dataset_and_results_sql(unique, tmp_path):
    """LAB 1.x layout (constructed): `results.sql`, a `notes` column, the Embase RIS as dataset;
    record_id is the 0-based position of the record in the RIS. Labels: Emily's Rayyan decisions
    (Included 1, Excluded 0) of the records at those positions."""
    rayyan = _rayyan_expected_from_csv(unique)
    dois = _doi_index(unique)
    positions = [
        dois[normalise_doi(d)]
        for d in re.findall(r"^DO  - (\S+)", EMBASE.read_text(), re.MULTILINE)
    ]
    assert len(positions) == 10
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE results (record_id INTEGER, label INTEGER, notes TEXT)")
    for rid, sid in enumerate(positions):
        label = {"include": 1, "exclude": 0}.get(rayyan.get(sid, ""))
        con.execute("INSERT INTO results VALUES (?, ?, ?)", (rid, label, f"row {rid}"))
    con.commit()
    path = tmp_path / "lab1.asreview"
    with zipfile.ZipFile(path, "w") as project:
        project.writestr("project.json", '{"version": "1.5", "dataset_path": "embase.ris"}')
        project.writestr("data/embase.ris", EMBASE.read_bytes())
        project.writestr("reviews/abc/results.sql", con.serialize())
    _, rows, _ = _screen(unique, DecisionFile(str(path), reviewer="Emily"))
    expected = {s: d for s, d in rayyan.items() if d != "maybe"}
    assert _per_reviewer(rows, "Emily") == expected
    assert rows[next(iter(expected))].note.startswith("Emily: row ")


def test_asreview_lab_2_project_reads_records_from_its_data_store(unique, tmp_path):
    """LAB 2.x keeps the records in `data_store.db` (constructed here with the records' own
    fields; evsynth finds the table by its record_id and title columns). Labels: Emily's Rayyan
    decisions, record_id starting at 1 to show that the store's own ids are used, not positions."""
    rayyan = _rayyan_expected_from_csv(unique)
    records = read_tsv(unique)
    store = sqlite3.connect(":memory:")
    store.execute("CREATE TABLE record (record_id INTEGER, title TEXT, authors TEXT, doi TEXT)")
    results = sqlite3.connect(":memory:")
    results.execute("CREATE TABLE results (record_id INTEGER, label INTEGER, user_id INTEGER)")
    for i, r in enumerate(records, start=1):
        store.execute(
            "INSERT INTO record VALUES (?, ?, ?, ?)", (i, r["title"], r["authors"], r["doi"])
        )
        label = {"include": 1, "exclude": 0}.get(rayyan.get(r["study_record_id"], ""))
        results.execute("INSERT INTO results VALUES (?, ?, 1)", (i, label))
    path = tmp_path / "lab2.asreview"
    with zipfile.ZipFile(path, "w") as project:
        project.writestr("project.json", '{"version": "2.0", "reviews": [{"id": "r1"}]}')
        project.writestr("data_store.db", store.serialize())
        project.writestr("reviews/r1/results.db", results.serialize())
    _, rows, _ = _screen(unique, DecisionFile(str(path), reviewer="Emily"))
    assert _per_reviewer(rows, "Emily") == {s: d for s, d in rayyan.items() if d != "maybe"}


def _rewrite_results(tmp_path: Path, sql: str) -> Path:
    path = tmp_path / "project.asreview"
    with zipfile.ZipFile(ASREVIEW) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name.endswith("results.db"):
                con = sqlite3.connect(":memory:")
                con.deserialize(data)
                con.execute(sql)
                con.commit()
                data = con.serialize()
            dst.writestr(name, data)
    return path


def test_asreview_project_bad_label_names_the_results_row(tmp_path):
    path = _rewrite_results(tmp_path, "UPDATE results SET label = 7 WHERE rowid = 3")
    with pytest.raises(InputError, match=r"results\.db:3, field 'label': label is '7'"):
        read_decisions(DecisionFile(str(path)))


def test_asreview_project_record_not_in_its_data_is_an_error(tmp_path):
    path = _rewrite_results(
        tmp_path, "UPDATE results SET record_id = 99, label = 1 WHERE rowid = 4"
    )
    with pytest.raises(
        InputError, match=r"results\.db:4, field 'record_id': record_id '99' is not"
    ):
        read_decisions(DecisionFile(str(path)))


# --- several tools in one table -------------------------------------------------------------------


def test_rayyan_abstrackr_and_eppi_combine_into_one_table(unique, tmp_path):
    result, rows, records = _screen(
        unique,
        DecisionFile(str(RAYYAN_CSV)),
        DecisionFile(str(ABSTRACKR)),
        DecisionFile(str(EPPI_XLSX)),
        reviewers=("Emily", "Anonymous"),
        required_reviewers=2,
    )
    # Emily (Rayyan) and Anonymous (Abstrackr) both decided 4 records, agreeing on one (maybe);
    # marginals Emily I1 M2 E1, Anonymous M2 E2: p_o 1/4, p_e 6/16, kappa -0.2
    (pair,) = result.agreement.pairs
    assert (pair.reviewers, pair.n, pair.agreed) == (("Anonymous", "Emily"), 4, 1)
    assert pair.kappa == pytest.approx(-0.2)
    assert result.reviewers == ["Anonymous", "Emily", "eppi-reviewer"]
    # every record is in the one table, with a column per reviewer and tool
    assert len(rows) == 10
    dois = _doi_index(unique)
    troiano = dois["10.1038/s41598-024-65283-y"]  # the Troiano 2024 author correction
    conflict = rows[troiano]
    assert conflict.status == "conflict"
    assert conflict.per_reviewer == {
        "Anonymous": "exclude",
        "Emily": "include",
        "eppi-reviewer": "include",
    }
    queue = queue_csv_text(result, records)
    line = next(q for q in queue.splitlines() if q.startswith(troiano))
    assert "Anonymous=exclude, Emily=include" in line
    assert "_baseline_eppireviewer.xlsx:7) says include" in line  # the EPPI row of this record
    # by hand from the three files: the EPPI flag (I) contradicts a reviewer on Fawcett 2024
    # (Emily exclude, Anonymous maybe), Pol 2024, the Troiano correction, and on Troiano 2024
    # both reviewers say maybe
    conflicts = sorted(s for s, r in rows.items() if r.status == "conflict")
    assert conflicts == sorted(
        dois[d]
        for d in (
            "10.1002/ar.25299",
            "10.1038/s41598-024-56479-3",
            "10.1111/cla.12583",
            "10.1038/s41598-024-65283-y",
        )
    )


# --- queue files the tools import back ------------------------------------------------------------


def test_queue_ris_reads_with_rispy_and_back_from_a_rayyan_export(unique):
    result, _, records = _screen(unique)
    text = queue_ris_text(result, records)
    entries = rispy.loads(text)
    assert len(entries) == 10
    assert {e["id"] for e in entries} == set(records)
    # what Rayyan exports after import: its own key in AN, our notes kept, its decisions appended
    keys = iter(range(1, 99))
    labelled = re.sub(r"AN  - \S+", lambda m: f"AN  - rayyan-{next(keys)}", text)
    labelled = re.sub(r"^ID  - .*\r\n", "", labelled, flags=re.MULTILINE)
    labelled = re.sub(
        r"(N1  - .*)\r\n",
        lambda m: m.group(1) + ' | RAYYAN-INCLUSION: {"Emily"=>"Excluded"}\r\n',
        labelled,
    )
    items, summary = read_decisions(
        DecisionFile(str(_write(unique.parent / "rayyan.ris", labelled)))
    )
    assert summary.format == "rayyan_ris" and len(items) == 10
    _, rows, _ = _screen(unique, DecisionFile(str(unique.parent / "rayyan.ris")))
    assert {s: r.decision for s, r in rows.items()} == {s: "exclude" for s in records}


def test_queue_csv_reads_back_from_an_asreview_export(unique):
    result, _, records = _screen(unique)
    text = queue_csv_text(result, records)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    # ASReview LAB's export: the imported columns plus asreview_label (1 for the first five)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, [*rows[0], "asreview_label"])
    writer.writeheader()
    for i, row in enumerate(rows):
        writer.writerow({**row, "asreview_label": "1" if i < 5 else ""})
    path = _write(unique.parent / "asreview_export.csv", buffer.getvalue())
    _, got, _ = _screen(unique, DecisionFile(str(path), reviewer="Emily"))
    assert sorted(s for s, r in got.items() if r.decision == "include") == sorted(
        r["study_record_id"] for r in rows[:5]
    )


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


# --- command line ---------------------------------------------------------------------------------


def test_cli_list_and_reason_alias(unique_with_covidence, tmp_path):
    out = tmp_path / "screening"
    code = main(
        [
            "screen",
            "--records",
            str(unique_with_covidence),
            "--stage",
            "title_abstract",
            "--decisions",
            str(COVIDENCE_CSV),
            "--list",
            f"{COVIDENCE_CSV}=select",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = {r["study_record_id"]: r for r in read_tsv(out / "title_abstract.tsv")}
    assert sum(r["decision"] == "include" for r in table.values()) == 10
    assert {r["reviewer:covidence"] for r in table.values()} == {"include", ""}


# --- agreement statistics -------------------------------------------------------------------------


def test_fleiss_kappa_hand_computed():
    # 4 records, 3 reviewers: P_i = 1, 1/3, 1, 1/3 -> P-bar 2/3; p_I = p_E = 1/2 -> P-bar_e 1/2
    got = fleiss_kappa([list("III"), list("IIE"), list("EEE"), list("IEE")])
    assert got.kappa == pytest.approx(1 / 3, abs=1e-6)


def test_fleiss_kappa_worked_example_of_the_literature():
    # the 10 subjects x 14 raters x 5 categories example used to illustrate Fleiss (1971)'s
    # statistic: P-bar 0.378, P-bar_e 0.213, kappa 0.210
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    ratings = [[str(j) for j, k in enumerate(row) for _ in range(k)] for row in table]
    got = fleiss_kappa(ratings)
    assert (round(got.mean_agreement, 3), round(got.expected_agreement, 3)) == (0.378, 0.213)
    assert round(got.kappa, 3) == 0.210


def test_fleiss_with_two_reviewers_is_scotts_pi_not_cohens_kappa():
    # Fleiss' kappa generalises Scott's pi (pooled marginals): for a = I I E E, b = I E E E,
    # pi = (0.75 - (3/8)^2 - (5/8)^2) / (1 - ...) = (0.75 - 34/64) / (30/64) = 7/15
    a, b = list("IIEE"), list("IEEE")
    assert fleiss_kappa([[x, y] for x, y in zip(a, b, strict=True)]).kappa == pytest.approx(7 / 15)
    assert cohen_kappa(a, b).kappa == pytest.approx(0.5)


# --- matching by the tool's own record key -------------------------------------------------------


def test_tool_key_matches_before_pmid_doi_and_title(tmp_path):
    """Records as an importer that keeps Rayyan's key as the source id writes them (constructed
    from the Rayyan CSV: record ids `rayyan:rayyan-...`), without DOI, PMID, year or authors, so
    that only the key can match; the key counts only when the titles agree."""
    with RAYYAN_CSV.open(encoding="utf-8", newline="") as handle:
        raw = list(csv.DictReader(handle))
    columns = ["study_record_id", "record_id", "source", "source_id", "title", "member_ids"]

    def unique_with(titles: list[str]) -> Path:
        lines = ["\t".join(columns)]
        for r, title in zip(raw, titles, strict=True):
            rid = f"rayyan:{r['key']}"
            lines.append("\t".join([rid, rid, "rayyan", r["key"], title, rid]))
        return _write(tmp_path / "unique.tsv", "\n".join(lines) + "\n")

    unique = unique_with([r["title"] for r in raw])
    _, rows, _ = _screen(unique, DecisionFile(str(RAYYAN_CSV)), reviewers=("Emily",))
    words = {"Included": "include", "Excluded": "exclude", "Maybe": "maybe"}
    expected = {
        f"rayyan:{r['key']}": words[re.search(r'"Emily"=>"(\w+)"', r["notes"]).group(1)]
        for r in raw
        if "RAYYAN-INCLUSION" in r["notes"]
    }
    assert _per_reviewer(rows, "Emily") == expected
    # the same keys on other records' titles (rotated by one): no key match, and nothing else
    # to match on, so every decided row is listed
    rotated = unique_with([r["title"] for r in raw[1:] + raw[:1]])
    with pytest.raises(InputError, match="6 decision row"):
        _screen(rotated, DecisionFile(str(RAYYAN_CSV)), reviewers=("Emily",))


def test_asreview_project_without_top_level_project_json_is_an_error(tmp_path: Path) -> None:
    """A re-zipped project folder (project.json one level down) is refused, naming the file."""
    from evsynth.screening.readers import read_decision_file

    bad = tmp_path / "review.asreview"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("review/project.json", "{}")
        archive.writestr("review/data/records.csv", "title\nA title\n")
    with pytest.raises(InputError, match=r"project\.json must be at the top") as error:
        read_decision_file(bad)
    assert str(bad) in str(error.value)
