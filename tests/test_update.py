"""`evsynth update`: appending a dated search run without touching earlier runs or comments."""

from pathlib import Path

import pytest
import yaml

from evsynth.cli import main
from evsynth.errors import InputError
from evsynth.update import plan_run

CONFIG = """\
# The review's protocol (comments must survive an update).
review:
  title: T
search:
  pubmed:
    email: null
  runs:
    - id: "2025-12-31"
      from: "1900-01-01"
      to: "2025-12-31"
      sources:
        pubmed:
          mode: offline
          archive: resources/searches/2025-12-31/pubmed
          datetype: pdat
          query: osteosarcoma[tiab]
        cochrane:
          mode: import
          database: CENTRAL
          files: [resources/searches/2025-12-31/cochrane.txt]
          # numbered lines look like comments but are the strategy
          query: |-
            #1 osteosarcoma:ti,ab
            #2 #1 AND lung:ti,ab

# --- Deduplication
dedup:
  decisions: resources/dedup/decisions.csv
"""


@pytest.fixture
def review(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    path = tmp_path / "config" / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_update_appends_next_window_and_keeps_the_rest(review: Path, capsys) -> None:
    assert main(["update", "--to", "2026-11-27", "--config", str(review)]) == 0
    text = review.read_text(encoding="utf-8")
    # Every original line is still there, in order; only a block was inserted.
    assert text.startswith(CONFIG.split("\n# --- Deduplication")[0])
    assert text.rstrip().endswith("decisions: resources/dedup/decisions.csv")
    config = yaml.safe_load(text)
    first, new = config["search"]["runs"]
    assert first["sources"]["cochrane"]["query"] == "#1 osteosarcoma:ti,ab\n#2 #1 AND lung:ti,ab"
    assert new["id"] == "2026-11-27"
    assert (new["from"], new["to"]) == ("2026-01-01", "2026-11-27")
    # The first run searched by publication date: the entry-date window reaches back 92 days.
    assert new["sources"]["pubmed"] == {
        "mode": "online",
        "datetype": "edat",
        "archive": "resources/searches/2026-11-27/pubmed",
        "query": "osteosarcoma[tiab]",
        "from": "2025-10-01",
    }
    # No Cochrane export for the new window yet: left out and named in the next steps.
    assert "cochrane" not in new["sources"]
    out = capsys.readouterr().out
    assert "Export cochrane (CENTRAL)" in out
    assert "queue_title_abstract.csv" in out


def test_update_picks_up_exports_already_in_place(review: Path) -> None:
    folder = review.parent.parent / "resources" / "searches" / "2026-06-30"
    folder.mkdir(parents=True)
    (folder / "cochrane.txt").write_text("Record #1 of 1\nTI: x\n", encoding="utf-8")
    config = yaml.safe_load(review.read_text(encoding="utf-8"))
    new = plan_run(config, "2026-06-30", root=review.parent.parent)
    assert new.run["sources"]["cochrane"]["files"] == ["resources/searches/2026-06-30/cochrane.txt"]
    assert new.missing_exports == ()


def test_update_refuses_to_rewrite_or_go_back(review: Path) -> None:
    config = yaml.safe_load(review.read_text(encoding="utf-8"))
    with pytest.raises(InputError, match="already exists"):
        plan_run(config, "2025-12-31", root=review.parent.parent)
    with pytest.raises(InputError, match="not after the last run's end"):
        plan_run(config, "2025-06-01", root=review.parent.parent)
    with pytest.raises(InputError, match="not a date"):
        plan_run(config, "27/11/2026", root=review.parent.parent)


def test_two_updates_in_a_row(review: Path) -> None:
    assert main(["update", "--to", "2026-03-31", "--config", str(review)]) == 0
    assert main(["update", "--to", "2026-06-30", "--config", str(review)]) == 0
    runs = yaml.safe_load(review.read_text(encoding="utf-8"))["search"]["runs"]
    # Only the first entry-date window overlaps the publication-date run before it.
    assert runs[1]["sources"]["pubmed"]["from"] == "2025-10-01"
    assert "from" not in runs[2]["sources"]["pubmed"]
    assert [(r["id"], r["from"]) for r in runs] == [
        ("2025-12-31", "1900-01-01"),
        ("2026-03-31", "2026-01-01"),
        ("2026-06-30", "2026-04-01"),
    ]


def test_dry_run_lists_every_database_and_the_steps_in_order(review: Path, capsys) -> None:
    before = review.read_text(encoding="utf-8")
    assert main(["update", "--to", "2026-11-27", "--config", str(review), "--dry-run"]) == 0
    assert review.read_text(encoding="utf-8") == before  # a dry run changes nothing
    out = capsys.readouterr().out
    databases = out.split("Databases of search run 2026-11-27", 1)[1].split("Next, in order:")[0]
    # the imported database is listed although it is left out of the run, with its file to add
    assert "  pubmed (pubmed): searched online" in databases
    assert (
        "  cochrane (CENTRAL): no export yet: left out of the run until it is added; save its "
        "export as resources/searches/2026-11-27/cochrane.txt" in databases
    )
    steps = out.split("Next, in order:", 1)[1]
    order = [
        "Export cochrane (CENTRAL) for 2026-01-01..2026-11-27 into "
        "resources/searches/2026-11-27/cochrane.txt",
        "evsynth update --to 2026-11-27",
        "Set search.pubmed.email",
        "snakemake --cores 4",
        "queue_title_abstract.csv",
        "Commit",
    ]
    positions = [steps.index(text) for text in order]
    assert positions == sorted(positions), positions
    numbers = [int(line.split(".")[0]) for line in steps.strip().splitlines()]
    assert numbers == list(range(1, len(order) + 1))


def test_next_steps_after_an_update_start_with_the_missing_export(review: Path, capsys) -> None:
    assert main(["update", "--to", "2026-11-27", "--config", str(review)]) == 0
    steps = capsys.readouterr().out.split("Next, in order:", 1)[1].strip().splitlines()
    assert steps[0].startswith("1. Export cochrane (CENTRAL)")
    assert "Set search.pubmed.email" in steps[1] and "snakemake --cores 4" in steps[2]
