"""Embase's "(multiple letters)" record: one record for a letter printed with its replies.

Embase indexes a letter and the replies printed with it as one record: the letter's title marked
"(multiple letters)", the authors of every letter, the pages of all of them. The other databases
index the letter and each reply apart. The combined record then matches both, while the letter and
its reply differ in authors and pages; without this rule the combined record went to a person as
"ambiguous" and the letter and reply stayed apart. The fixtures are written from that convention
(invented titles, names and pages), not copied from a benchmark set.
"""

from __future__ import annotations

from dataclasses import replace

from evsynth.contracts.records import Record
from evsynth.dedup import deduplicate
from evsynth.dedup.engine import InputTable
from evsynth.dedup.normalise import normalise_record

TITLE = "Pulmonary nodules after limb salvage in young adults"
COMMON = dict(journal="Pediatric Blood and Cancer", year="2019", volume="66", issue="4")

COMBINED = Record(
    record_id="embase:L2001",
    title=f"{TITLE} (multiple letters) [1]",
    authors="Novak, P. and Ruiz, M. and Okafor, C. and Lindqvist, E.",
    pages="301-303",
    **COMMON,
)
LETTER = Record(
    record_id="pubmed:31000001",
    title=TITLE,
    authors="Novak, P. and Ruiz, M.",
    pages="301-302",
    **COMMON,
)
REPLY = Record(
    record_id="pubmed:31000002",
    title=f"{TITLE} - Reply",
    authors="Okafor, C. and Lindqvist, E.",
    pages="303",
    **COMMON,
)
REPLY_COPY = replace(REPLY, record_id="wos:000460000000002", pages="303-303")


def _run(*records: Record, decisions=None):
    return deduplicate([InputTable("mem.tsv", "input-1", 0, list(records))], progress=False,
                       decisions=decisions)  # fmt: skip


def _clusters(result) -> list[list[str]]:
    return sorted(sorted(s.member_ids) for s in result.studies)


def _pair(result, a: str, b: str):
    by_id = {(p.a, p.b): p for p in result.pairs}
    ids = [r.record_id for r in result.records]
    i, j = sorted((ids.index(a), ids.index(b)))
    return by_id.get((i, j))


def test_the_marker_is_read_from_the_title_not_the_folded_one() -> None:
    assert normalise_record(0, COMBINED).multiple_letters
    assert not normalise_record(0, LETTER).multiple_letters
    assert normalise_record(0, COMBINED).title == normalise_record(0, LETTER).title


def test_the_combined_record_joins_the_letter_and_its_replies() -> None:
    result = _run(COMBINED, LETTER, REPLY, REPLY_COPY)
    assert _clusters(result) == [
        ["embase:L2001", "pubmed:31000001", "pubmed:31000002", "wos:000460000000002"]
    ]
    pair = _pair(result, "pubmed:31000001", "pubmed:31000002")
    assert pair.decision == "same"
    assert pair.rule.startswith("title_but_")
    assert pair.rule.endswith("+multiple_letters:embase:L2001")
    assert result.summary["possible_pairs"] == 0


def test_without_the_combined_record_a_letter_and_its_reply_stay_apart() -> None:
    result = _run(LETTER, REPLY)
    assert _clusters(result) == [["pubmed:31000001"], ["pubmed:31000002"]]


def test_a_reply_outside_the_combined_pages_is_not_joined() -> None:
    # A reply printed elsewhere (page 410) is not one of the letters the record stands for.
    later = replace(REPLY, pages="410")
    result = _run(COMBINED, LETTER, later)
    assert ["pubmed:31000001", "pubmed:31000002"] not in [
        c for c in _clusters(result) if len(c) == 2
    ]
    assert not any("multiple_letters" in p.rule for p in result.pairs)
    assert result.summary["unique_records"] >= 2


def test_an_identifier_conflict_is_not_overridden() -> None:
    # Two different DOIs: the rules call the pair different for that, not for authors and pages.
    letter = replace(LETTER, doi="10.1002/pbc.27001")
    reply = replace(REPLY, doi="10.1002/pbc.27002")
    result = _run(COMBINED, letter, reply)
    pair = _pair(result, "pubmed:31000001", "pubmed:31000002")
    assert pair is None or (pair.decision != "same" and "multiple_letters" not in pair.rule)
    assert not any(len(c) == 3 for c in _clusters(result))


def test_a_persons_decision_on_the_letter_and_reply_wins(tmp_path) -> None:
    sheet = tmp_path / "decisions.csv"
    sheet.write_text(
        "record_id_a,record_id_b,decision,note\n"
        "pubmed:31000001,pubmed:31000002,different,letter and reply kept apart\n",
        encoding="utf-8",
    )
    result = _run(COMBINED, LETTER, REPLY, decisions=sheet)
    assert not any(len(c) == 3 for c in _clusters(result))
    assert not any("multiple_letters" in p.rule for p in result.pairs)
