"""Author-list normalisation: split a list in any export style, key each name by family + initial.

Split from ``normalise.py`` (issue 15); ``normalise`` re-exports the public names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from evsynth.dedup.normalise_text import fold, is_missing


@lru_cache(maxsize=1 << 16)
def _family_key(family: str) -> str:
    return fold(family).replace(" ", "")


@lru_cache(maxsize=4096)
def _initial(char: str) -> str:
    return fold(char)[:1]


# "Gilbert R. E.Zhang Y.Thai K.": entries run together, each ending in a dotted initial.
_RUN_TOGETHER = re.compile(r"(?<=[A-Z]\.)(?=[A-Z][a-z])")


_BIBTEX_AND = re.compile(r"\s+and\s+")


def _is_initials(word: str) -> bool:
    """ "A.", "A.B.", "AB", "J-P" (up to four capitals, with or without dots and hyphens)."""
    bare = word.replace(".", "").replace("-", "")
    return 0 < len(bare) <= 4 and bare.isalpha() and bare.isupper()


# A generational suffix after the family name or the initials ("Lynch Jr, T. J.", "Lynch TJ Jr",
# "Lynch, T. J., Jr."): one database keeps it, another drops it, so it is no part of the key.
_NAME_SUFFIX = re.compile(r"[\s,]+(?:jr|jnr|sr|snr|iii|iv|2nd|3rd)\.?(?=\s*,|\s*$)", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def _author_key(entry: str) -> str:
    entry = entry.strip().strip(",")
    if " " in entry or "," in entry:
        entry = _NAME_SUFFIX.sub("", entry).strip().strip(",")
    if not entry or entry.lower().rstrip(".") in ("et al", "and others", "others"):
        return ""
    if "," in entry:
        # "Family, Given" / "Family, G." (RIS, BibTeX, EndNote).
        family, _, given = entry.partition(",")
    else:
        words = entry.split()
        if len(words) > 1 and _is_initials(words[-1]):
            # "Smith AB", "Gilbert R. E." (Vancouver, MEDLINE): trailing initials are the given.
            k = len(words)
            while k > 1 and _is_initials(words[k - 1]):
                k -= 1
            family, given = " ".join(words[:k]), " ".join(words[k:])
        elif len(words) > 1:
            # "R. E. Gilbert", "Richard Gilbert": given names first, the family name last.
            family, given = words[-1], " ".join(words[:-1])
        else:
            family, given = entry, ""
    key = _family_key(family)
    if not key:
        return ""
    given = given.strip()
    initial = _initial(given[0]) if given else ""
    return f"{key} {initial}".strip()


def _given_like(piece: str) -> bool:
    """ "J.", "K. L.", "J.-P.": initials only, the given-name half of a "Family, I." entry."""
    words = piece.split()
    return bool(words) and all(_is_initials(w) for w in words)


def _comma_list(text: str) -> list[str]:
    """Split a list whose only separator is the comma.

    "Smith J., Jones K.L." (Scopus) and "John Smith, Kate Jones" are one author per piece;
    "Smith, J., Jones, K. L." alternates family names and initials, so pieces pair up. Anything
    else ("Smith, John Paul", "Alexion Pharmaceuticals, Inc") stays one entry, as before.
    """
    pieces = [_NAME_SUFFIX.sub("", p).strip() for p in text.split(",")]
    pieces = [p for p in pieces if p and p.lower().rstrip(".") not in ("et al", "others")]
    if len(pieces) < 2:
        return [text]
    if all(len(p.split()) >= 2 for p in pieces) and (
        # Two pieces may be one "Family Name, Given Names" author: only initials tell.
        len(pieces) > 2 or all(_is_initials(p.split()[-1]) for p in pieces)
    ):
        return pieces
    if len(pieces) % 2 == 0 and all(_given_like(p) for p in pieces[1::2]):
        return [f"{f}, {g}" for f, g in zip(pieces[0::2], pieces[1::2], strict=True)]
    return [text]


def split_authors(authors: str) -> list[str]:
    """One entry per author, whatever the list's separator.

    Exports join authors with "; " (evsynth, RIS-derived), " and " (BibTeX), ", " (Vancouver
    "Smith AB, Jones CD") or nothing at all ("Gilbert R. E.Zhang Y.Thai K.", seen in EndNote
    exports of Embase records).
    """
    text = authors.strip()
    if not text or is_missing(text):
        return []
    if ";" in text:
        parts = text.split(";")
    elif " and " in text:
        parts = _BIBTEX_AND.split(text)
    elif "," in text:
        parts = _comma_list(text)
    else:
        parts = [text]
    out = []
    for part in parts:
        out.extend(_RUN_TOGETHER.split(part) if "." in part else [part])
    return [p.strip() for p in out if p.strip()]


def normalise_authors(authors: str) -> tuple[str, ...]:
    """Folded family names with first initial ("garcialopez j"), in the export's order.

    Families are compared without spaces and hyphens because databases disagree on compound
    surnames ("García-López", "Garcia Lopez"); "et al." and empty entries are dropped. "Family,
    Given", "Family GI", "G. I. Family" and "Given Family" give the same key.
    """
    out = []
    for entry in split_authors(authors):
        key = _author_key(entry)
        if key:
            out.append(key)
    return tuple(out)


def author_words(authors: str, limit: int = 15) -> str:
    """Every folded name word (two letters or more) of the first authors, sorted and unique.

    A second view of the author list for the scorer: it does not depend on which word a database
    took for the family name ("Le Quintrec, M." vs "Le, Quintrec M.", "Xi, L F" vs "Long, F X").
    """
    words: set[str] = set()
    for entry in split_authors(authors)[:limit]:
        for word in fold(entry).split():
            if len(word) > 1:
                words.add(word)
    return " ".join(sorted(words))


def first_author_family(authors: tuple[str, ...]) -> str:
    """The first author's folded family name, or ""."""
    return authors[0].split(" ")[0] if authors else ""
