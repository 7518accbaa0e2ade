"""Journal-name normalisation: the comparable forms of a full title and its abbreviation.

Split from ``normalise.py`` (issue 15); ``normalise`` re-exports the public names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from evsynth.dedup import data
from evsynth.dedup.normalise_text import _clean_markup, _lost_characters, fold

_JOURNAL_CUT = re.compile(r"\s*(?:\.\s*conference\b|:|=|\(|\[).*$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _journal_form(name: str) -> tuple[str, ...]:
    text = _JOURNAL_CUT.sub("", _lost_characters(_clean_markup(name)))
    words = []
    for word in fold(text).split():
        if word in data.JOURNAL_STOPWORDS:
            continue
        words.append(data.JOURNAL_WORD_ABBREVIATIONS.get(word, word))
    return tuple(w for w in words if w)


# Alternative titles of one journal in one field: "Ai zheng = Aizheng = Chinese journal of
# cancer" (MEDLINE's " = "), "Gan to Kagaku Ryoho [Japanese Journal of Cancer & Chemotherapy]"
# (a translation in brackets), "Revista Panamericana de Salud Publica/Pan American Journal of
# Public Health" (a bilingual title joined by "/").
_JOURNAL_ALTERNATIVES = re.compile(r"\s+=\s+|\[|\]|(?<=[a-z])\s*/\s*(?=[A-Z])")


_JOURNAL_MEDIUM_NOTES = frozenset(
    {"electronic resource", "electronic", "internet", "online", "print", "serial", "microform"}
)


def _journal_alternatives(name: str) -> list[str]:
    if "=" not in name and "[" not in name and "/" not in name:
        return []
    parts = [p.strip(" .") for p in _JOURNAL_ALTERNATIVES.split(name)]
    if len(parts) < 2:
        return []
    # "PLoS ONE [Electronic Resource]": a medium note shared by unrelated journals, no title.
    # A one-word part is no alternative title: "Diabetes/Metabolism Research and Reviews" is
    # not the journal "Diabetes".
    return [
        p
        for p in parts
        if p != name
        and fold(p) not in _JOURNAL_MEDIUM_NOTES
        and sum(w not in data.JOURNAL_STOPWORDS for w in fold(p).split()) >= 2
    ]


def journal_forms(journal: str, journal_abbrev: str = "") -> tuple[tuple[str, ...], ...]:
    """The journal's comparable forms: folded words, stopwords dropped, ISO 4 table applied.

    Both the full title and the abbreviation are kept; the scorer matches them word by word with
    prefixes ("J Clin Oncol" ~ "Journal of Clinical Oncology"), because ISO 4 abbreviates by
    truncating words.
    """
    forms = []
    names = [n for n in (journal, journal_abbrev) if n]
    for name in list(names):
        names.extend(_journal_alternatives(name))
    for name in names:
        if name:
            # With and without the part after a colon: "Jpen: Journal of Parenteral ..." is
            # "JPEN. Journal of parenteral ..." elsewhere; "Cancer: Official Journal" is "Cancer".
            for form in (_journal_form(name), _journal_full_form(name)):
                if form and form not in forms:
                    forms.append(form)
    return tuple(forms)


_JOURNAL_CUT_KEEP_COLON = re.compile(r"\s*(?:\.\s*conference\b|=|\(|\[).*$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _journal_full_form(name: str) -> tuple[str, ...]:
    if ":" not in name:
        return ()
    text = _JOURNAL_CUT_KEEP_COLON.sub("", _lost_characters(_clean_markup(name)))
    words = [
        data.JOURNAL_WORD_ABBREVIATIONS.get(w, w)
        for w in fold(text).split()
        if w not in data.JOURNAL_STOPWORDS
    ]
    return tuple(w for w in words if w)
