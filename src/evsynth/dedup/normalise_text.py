"""Text folding shared by every normaliser: case, Greek letters, diacritics, markup, placeholders.

Split from ``normalise.py`` (issue 15); ``normalise`` re-exports the public names.
"""

from __future__ import annotations

import html
import re
import unicodedata

from evsynth.dedup import data

_TAG = re.compile(r"</?[A-Za-z][\w:.\-]*(?:\s[^<>]*)?/?>")


# Any run of non-word characters; Unicode-aware, so CJK, Cyrillic, ... titles keep their letters.
_NON_WORD = re.compile(r"[\W_]+")


_GREEK_RE = re.compile("|".join(map(re.escape, data.GREEK_LETTERS)))


_SPECIAL_RE = re.compile("|".join(map(re.escape, data.SPECIAL_LETTERS)))


def fold(text: str) -> str:
    """Lower-case words: Greek letters spelt out, diacritics and punctuation removed.

    Letters of scripts without a Latin decomposition (CJK, Cyrillic) are kept, so a Japanese title
    exported by Embase and by Web of Science still compares equal.
    """
    if not text.isascii():
        text = _GREEK_RE.sub(lambda m: " " + data.GREEK_LETTERS[m.group(0)] + " ", text)
        text = _SPECIAL_RE.sub(lambda m: data.SPECIAL_LETTERS[m.group(0)], text)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text.lower()).strip()


def _clean_markup(text: str) -> str:
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
        if "&" in text:
            text = html.unescape(text)
    return text


# Literal placeholders some exports write for an empty field (R's NA, pandas' nan, ...).
_MISSING = frozenset({"na", "n/a", "nan", "none", "null", "nil", "-", "--", "not available"})


def is_missing(value: str) -> bool:
    """True for an empty field or a literal placeholder ("NA", "nan", "NULL", "n/a")."""
    text = value.strip()
    return not text or (len(text) <= 13 and text.lower() in _MISSING)


# "Annales fran?aises d'anesth?sie": a letter the export could not encode became "?".
LOST_LETTER = "\u0294"  # LATIN LETTER GLOTTAL STOP: a word character, unchanged by fold()


_LOST_CHARACTER = re.compile(r"(?<=[^\W\d_])\?(?=[^\W\d_])")


def _lost_characters(text: str) -> str:
    """Mark a "?" standing for a lost letter inside a word with LOST_LETTER, a letter that
    folding keeps and the journal matcher takes for any one letter ("r?animation" still
    abbreviates to "Reanim")."""
    return _LOST_CHARACTER.sub(LOST_LETTER, text) if "?" in text else text
