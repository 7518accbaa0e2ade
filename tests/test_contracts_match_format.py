"""contracts.match (one title fold: accents folded, CJK kept) and contracts.format (one style)."""

from __future__ import annotations

import hashlib
import math

import pytest

from evsynth.contracts.format import (
    format_ci,
    format_estimate_ci,
    format_hr,
    format_p,
    format_p_clause,
)
from evsynth.contracts.match import fold_title
from evsynth.contracts.records import Record, hash_record_id
from evsynth.extraction.studies import fold_title as _fold_title
from evsynth.screening.matching import fold


def test_accented_letters_fold_to_their_base_letter():
    assert fold_title("Résection pulmonaire") == "resection pulmonaire"
    assert fold_title("RÉSECTION  Pulmonaire!") == fold_title("resection pulmonaire")
    assert (
        fold_title("Lungenmetastasen-Resektion: Überleben")
        == "lungenmetastasen resektion uberleben"
    )


def test_cjk_and_cyrillic_titles_keep_their_letters():
    assert fold_title("肺転移切除術の予後") == "肺転移切除術の予後"
    assert fold_title("骨肉瘤肺转移，手术") == "骨肉瘤肺转移 手术"
    assert fold_title("Остеосаркома лёгких") == "остеосаркома легких"
    assert fold_title("") == "" and fold_title(None) == ""


def test_extraction_and_screening_use_the_same_fold():
    for title in ("Résection pulmonaire", "肺転移切除術", "Pulmonary metastasectomy (PM)."):
        assert _fold_title(title) == fold(title) == fold_title(title)
    # the bug this fixes: extraction's ASCII fold made "Résection" into "rsection"
    assert _fold_title("Résection") == _fold_title("Resection") == "resection"


def test_hash_record_id_is_unchanged_by_the_shared_fold():
    record = Record(record_id="", source="x", title="Résection 肺", authors="Émile, A", year="2001")
    # the id folds first author, year and title as before: "emile|2001|resection 肺"
    expected = hashlib.sha1("emile|2001|resection 肺".encode()).hexdigest()[:12]
    assert hash_record_id("x", record) == f"x:h{expected}"


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0342, "0.034"), (0.0034, "0.003"), (0.00099, "< 0.001"), (0.5, "0.500"), (None, "NA")],
)
def test_p_values_print_three_decimals_or_below_a_thousandth(p, text):
    assert format_p(p) == text


def test_p_clause_never_reads_p_equals_less_than():
    assert format_p_clause(0.0001) == "p < 0.001"
    assert format_p_clause(0.02) == "p = 0.020"
    assert format_p(math.nan) == "NA"


def test_intervals_print_in_brackets_after_the_estimate():
    assert format_estimate_ci(0.4512, 0.3, 0.678) == "0.45 [0.30, 0.68]"
    assert format_estimate_ci(-0.5, -0.9, -0.1) == "-0.50 [-0.90, -0.10]"
    assert format_ci(None, None) == "NA"
    assert format_ci(0.3, None, 3) == "[0.300, NA]"
    assert format_hr(math.inf) == "NA" and format_hr(1.2346, 3) == "1.235"
