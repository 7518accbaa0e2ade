"""contracts.study_tables: what `extract` writes reads back typed, and bad cells are named."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from evsynth.contracts.study_tables import (
    ANALYSIS_COLUMNS,
    read_analysis,
    read_effects,
    read_studies,
    read_study_groups,
    split_record_ids,
    write_analysis,
)
from evsynth.errors import InputError
from evsynth.extraction.build import extract
from evsynth.extraction.schema import read_sheet
from evsynth.extraction.settings import parse_settings
from evsynth.extraction.write import write_result
from evsynth.tables import read_tsv

DATA = Path(__file__).parent / "data" / "extraction"
CONFIG: dict[str, Any] = yaml.safe_load((DATA / "config.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    result = extract(
        read_sheet(DATA / "studies.csv", "studies"),
        read_sheet(DATA / "effects.csv", "effects"),
        parse_settings(copy.deepcopy(CONFIG)),
    )
    out = tmp_path_factory.mktemp("extraction")
    write_result(result, out)
    return out, result


def test_analysis_tables_read_back_with_the_values_written(written) -> None:
    out, result = written
    for a in result.settings.analyses:
        if a.synthesis != "meta_analysis":
            continue
        table = read_analysis(out / "analyses" / f"{a.id}.tsv")
        assert table.columns == tuple(ANALYSIS_COLUMNS)
        expected = sorted(result.analysis_rows(a), key=lambda r: (str(r["year"]), r["study"]))
        assert [(r.study, r.yi, r.se, r.study_id) for r in table.rows] == [
            (r["study"], r["yi"], r["se"], r["study_id"]) for r in expected
        ]
        assert [r.year for r in table.rows] == [str(r["year"]) for r in expected]


def test_studies_and_effects_read_back_typed(written) -> None:
    out, result = written
    studies = {s.study_id: s for s in read_studies(out / "studies.tsv")}
    assert set(studies) == {s["study_id"] for s in result.studies}
    for s in result.studies:
        row = studies[s["study_id"]]
        assert (row.label, row.effects, row.poolable_effects) == (
            s["label"],
            s["effects"],
            s["poolable_effects"],
        )
    effects = {e.effect_id: e for e in read_effects(out / "effects.tsv")}
    assert set(effects) == {e.effect_id for e in result.effects}
    for e in result.effects:
        row = effects[e.effect_id]
        assert (row.poolable, row.selected, list(row.analyses)) == (
            e.poolable,
            e.selected,
            e.analyses,
        )
        assert row.log_hr == (e.log_hr if e.poolable else None)
        assert row.values["factor"] == e.factor.key


def test_an_unchanged_analysis_table_is_not_rewritten(written, tmp_path: Path) -> None:
    out, _ = written
    source = next((out / "analyses").glob("*.tsv"))
    rows = read_tsv(source)
    target = tmp_path / "a.tsv"
    assert write_analysis(target, rows) is True
    assert write_analysis(target, rows) is False
    assert target.read_bytes() == source.read_bytes()


@pytest.mark.parametrize(
    ("cells", "match"),
    [
        ("A\tabc\t0.1", r"a\.tsv:2, record A, field 'yi': yi is 'abc', not a number"),
        ("A\t0.5\t", r"a\.tsv:2, record A, field 'se': se is missing"),
        ("A\t0.5\tinf", r"field 'se': se is 'inf'; it must be finite"),
    ],
)
def test_a_bad_estimate_is_named_by_file_line_and_column(
    tmp_path: Path, cells: str, match: str
) -> None:
    path = tmp_path / "a.tsv"
    path.write_text(f"study\tyi\tse\n{cells}\n", encoding="utf-8")
    with pytest.raises(InputError, match=match):
        read_analysis(path)


def test_a_hand_made_table_lacks_the_optional_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text("study\tyi\tse\nA\t0.5\t0.1\n\t\t\nB\t-0.2\t0.3\n", encoding="utf-8")
    table = read_analysis(path)
    assert table.columns == ("study", "yi", "se")
    assert [(r.line, r.study_id, r.search_run) for r in table.rows] == [
        (2, "A", None),
        (4, "B", None),
    ]


def test_a_bad_flag_in_effects_is_named(tmp_path: Path, written) -> None:
    out, _ = written
    text = (out / "effects.tsv").read_text(encoding="utf-8").split("\n")
    header = text[0].split("\t")
    cells = text[1].split("\t")
    cells[header.index("selected")] = "maybe"
    path = tmp_path / "effects.tsv"
    path.write_text("\n".join([text[0], "\t".join(cells)]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"effects\.tsv:2, field 'selected': 'maybe' is not true"):
        read_effects(path)


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "studies.tsv"
    path.write_text("study_id\tlabel\nS1\tS 2001\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        read_studies(path)


def test_study_groups_read_the_written_table_and_a_hand_made_one(written, tmp_path: Path) -> None:
    """PRISMA groups reports into studies through read_study_groups: the same ids as read_studies
    on extraction's table, and a two-column table with ';' unspaced (a hand edit) reads alike."""
    out, _ = written
    groups = read_study_groups(out / "studies.tsv")
    studies = read_studies(out / "studies.tsv")
    assert groups and any(g.record_ids for g in groups)
    assert [(g.study_id, g.record_ids) for g in groups] == [
        (s.study_id, s.study_record_ids) for s in studies
    ]
    hand = tmp_path / "studies.tsv"
    hand.write_text("study_id\tstudy_record_ids\nS1\tpubmed:1;embase:L2 ; \n\t\nS2\t\n")
    assert [(g.line, g.study_id, g.record_ids) for g in read_study_groups(hand)] == [
        (2, "S1", ("pubmed:1", "embase:L2")),
        (4, "S2", ()),
    ]
    assert split_record_ids(" a ;b;; ") == ("a", "b")
    (tmp_path / "bad.tsv").write_text("study_id\nS1\n")
    with pytest.raises(InputError, match="study_record_ids"):
        read_study_groups(tmp_path / "bad.tsv")
