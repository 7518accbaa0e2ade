"""The reconstructed search exports are reproducible from the facts shipped in the repository."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "resources" / "searches" / "2025-12-31"


def test_builder_is_deterministic_and_matches_the_committed_exports(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "build_review_resources.py"
    for out in (tmp_path / "a", tmp_path / "b"):
        subprocess.run([sys.executable, str(script), "--out", str(out)], check=True)
    decisions = tmp_path / "screening"
    subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path / "c"), "--decisions", str(decisions)],
        check=True,
    )
    for stage in ("title_abstract", "full_text"):
        rel = Path(stage) / "reviewer_1.csv"
        committed = ROOT / "resources" / "screening" / rel
        assert (decisions / rel).read_bytes() == committed.read_bytes(), f"{rel} is stale"
    built = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert built, "the builder wrote nothing"
    for rel in built:
        first = (tmp_path / "a" / rel).read_bytes()
        assert first == (tmp_path / "b" / rel).read_bytes(), f"{rel} differs between two builds"
        assert first == (RUN / rel).read_bytes(), f"committed {rel} is stale: rerun the builder"


def test_nothing_is_invented_in_the_exports() -> None:
    # Accession numbers are not in the facts, so no export may carry one.
    assert "UT " not in (RUN / "wos.txt").read_text(encoding="utf-8-sig")
    assert "\nID:" not in (RUN / "cochrane.txt").read_text(encoding="utf-8")
    assert "\nUR  -" not in (RUN / "embase.ris").read_text(encoding="utf-8-sig")
    # Every PMID in the PubMed archive is a PMID stated in the facts.
    facts = (ROOT / "resources" / "data" / "records.csv").read_text(encoding="utf-8")
    facts += (ROOT / "resources" / "data" / "studies.csv").read_text(encoding="utf-8")
    batch = (RUN / "pubmed" / "raw" / "batch-00001.xml").read_text(encoding="utf-8")
    pmids = re.findall(r'<PMID Version="1">(\d+)</PMID>', batch)
    assert pmids
    for pmid in pmids:
        assert pmid in facts
