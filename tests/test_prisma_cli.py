"""`evsynth prisma counts|diagram`, and the deprecated `prisma-counts` / `plot prisma` spellings."""

from __future__ import annotations

from pathlib import Path

from evsynth.cli import main
from tests.support.argv import prisma_counts_args

DATA = Path(__file__).parent / "data"
SCREENING = DATA / "screening"
FIGURES = DATA / "figures"


def _counts_args(out: Path, tmp_path: Path) -> list[str]:
    ta = tmp_path / "ta.tsv"
    ta.write_text(
        "study_record_id\tdecision\treason\tstatus\n"
        + "".join(f"{s}\texclude\t\tdecided\n" for s in "abcd")
        + "e\tinclude\t\tdecided\n"
    )
    ft = tmp_path / "ft.tsv"
    ft.write_text("study_record_id\tdecision\treason\ne\tinclude\t\n")
    summary = tmp_path / "summary.json"
    summary.write_text(
        '{"records_per_source": {"pubmed": 6}, "records_total": 6, "duplicates_removed": 1,'
        ' "unique_records": 5}'
    )
    return [*prisma_counts_args(summary, ta, ft), "--out", str(out)]


def test_old_counts_verb_writes_the_same_file_and_says_it_is_deprecated(tmp_path, capsys):
    new, old = tmp_path / "new.json", tmp_path / "old.json"
    assert main(["prisma", "counts", *_counts_args(new, tmp_path)]) == 0
    assert "deprecated" not in capsys.readouterr().err
    assert main(["prisma-counts", *_counts_args(old, tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "prisma-counts: deprecated, use `evsynth prisma counts`" in err
    assert new.read_bytes() == old.read_bytes()
    assert b'"new_reports": 1' in new.read_bytes()


def test_old_plot_verb_draws_the_same_diagram_and_says_it_is_deprecated(tmp_path, capsys):
    counts = str(FIGURES / "counts_new.json")
    new, old = tmp_path / "new.svg", tmp_path / "old.svg"
    assert main(["prisma", "diagram", "--counts", counts, "--svg", str(new)]) == 0
    assert "deprecated" not in capsys.readouterr().err
    assert main(["plot", "prisma", "--counts", counts, "--svg", str(old)]) == 0
    assert "plot prisma: deprecated, use `evsynth prisma diagram`" in capsys.readouterr().err
    assert new.read_bytes() == old.read_bytes()


def test_prisma_needs_a_part(capsys):
    # Like every parent command, `evsynth prisma` alone prints its help (naming the parts): exit 2.
    assert main(["prisma"]) == 2
    assert "counts" in capsys.readouterr().err
