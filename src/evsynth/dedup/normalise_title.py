"""Title normalisation: the comparable core, notice kind, part number and numbers of a title.

Split from ``normalise.py`` (issue 15); ``normalise`` re-exports the public names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from evsynth.dedup import data
from evsynth.dedup.normalise_text import _clean_markup, fold

_NOTE = re.compile(data.TITLE_NOTE_PATTERN, re.IGNORECASE)


_SECTION_SUFFIX = re.compile(r"(?:" + data.TITLE_SECTION_SUFFIX + r")\s*\.?\s*$", re.IGNORECASE)


_PAREN_NOTE = re.compile(data.TITLE_PAREN_NOTE_PATTERN, re.IGNORECASE)


_ERRATUM_SUFFIX = re.compile(data.ERRATUM_CITATION_SUFFIX, re.IGNORECASE)


_STRIP_PREFIX = re.compile(data.STRIPPED_TITLE_PREFIXES, re.IGNORECASE)


_NOTICE_TITLE = tuple((k, re.compile(p, re.IGNORECASE)) for k, p in data.NOTICE_TITLE_PATTERNS)


_NOTICE_PUBTYPE = tuple((k, re.compile(p, re.IGNORECASE)) for k, p in data.NOTICE_PUBTYPE_PATTERNS)


_ORIGINAL_TAG = re.compile(r"<\s*original\s*>", re.IGNORECASE)


_TRAILING_NOTE = re.compile(r"\s*\.?\s*\[[^\[\]]*\]?\s*\.?\s*$")


_PART = re.compile(r"\bpart\s+([ivx]+|\d+|one|two|three|four|five|six|first|second|third|[abc])\b")


_NUMBER = re.compile(r"\d+")


_DIGIT = re.compile(r"\d")


_FIRST_WORD = re.compile(r"\W*(\w+)")


# First words that can start a notice prefix (a cheap gate before the notice patterns).
_NOTICE_WORDS = frozenset(
    "published erratum errata corrigendum corrigenda correction corrections notice retraction "
    "editorial expression invited comment commentary remark remarks re letter the author "
    "authors in reply response".split()
)


@dataclass(frozen=True, slots=True)
class TitleParts:
    """A title reduced to what identifies the article.

    ``core`` is the folded title without notice prefixes ("Erratum:", "Re:"), bracketed notes and
    trailing punctuation; ``kind`` is the notice kind the title announces ("" for an article);
    ``part`` the companion-paper number ("Part II" -> 2, 0 when none); ``numbers`` the other
    numbers in the title, which differ between e.g. 5- and 10-year follow-up reports.
    """

    core: str
    kind: str
    part: int
    numbers: tuple[str, ...]


def normalise_title(title: str) -> str:
    """The folded title without markup, bracketed notes, notice prefixes and trailing period."""
    return title_parts(title).core


@lru_cache(maxsize=4096)
def _part_number(word: str) -> int:
    if word.isdigit():
        return int(word)
    return data.PART_WORDS.get(word, 0)


def title_parts(title: str) -> TitleParts:
    """Split a raw title into its comparable core, notice kind, part number and numbers."""
    if "<" in title and _ORIGINAL_TAG.search(title):
        # "English title <ORIGINAL> TITEL IN DER ORIGINALSPRACHE" (BIOSIS, CAB exports): the
        # original-language title appended after a tag, which other databases leave out.
        cut = _ORIGINAL_TAG.split(title, maxsplit=1)[0].strip()
        title = cut if fold(cut) else title
    text = _clean_markup(title).strip()
    if "[" in text:
        text = _NOTE.sub(" ", text).strip()
        # Trailing bracketed notes after the title ("... impairment. [Chinese]", "[Review] [33
        # refs]", "[Erratum appears in ...", cut off by the export): databases append them; the
        # title itself never ends in one. A wholly bracketed title (a translation) is kept.
        while True:
            cut = _TRAILING_NOTE.sub("", text).strip()
            if cut == text or not fold(cut):
                break
            text = cut
        # PubMed wraps an English translation of a non-English title in brackets.
        if text.startswith("[") and (text.endswith("]") or text.endswith("].")):
            text = text.rstrip(".").strip()[1:-1]
    text = _STRIP_PREFIX.sub("", text)
    kind = ""
    cut = _SECTION_SUFFIX.sub("", text)
    if cut != text and fold(cut):
        text = cut
    if text.endswith(")") or text.endswith(")."):
        text = _PAREN_NOTE.sub("", text) or text
        cut = _ERRATUM_SUFFIX.sub("", text)
        if cut != text and fold(cut):
            text, kind = cut, "erratum"
    low = text.lower()
    first_word = _FIRST_WORD.match(low)
    patterns = _NOTICE_TITLE if first_word and first_word.group(1) in _NOTICE_WORDS else ()
    for name, pattern in patterns if not kind else ():
        match = pattern.match(low)
        if match:
            kind = name
            # A bare notice ("Correction", "In reply") is a generic title named by its kind.
            text = text[match.end() :] if fold(text[match.end() :]) else name
            break
    core = fold(text)
    part = 0
    if "part " in core:
        match = _PART.search(core)
        if match:
            part = _part_number(match.group(1))
            core_wo_part = core[: match.start()] + core[match.end() :]
        else:
            core_wo_part = core
    else:
        core_wo_part = core
    numbers = (
        tuple(sorted(set(_NUMBER.findall(core_wo_part)))) if _DIGIT.search(core_wo_part) else ()
    )
    return TitleParts(core, kind, part, numbers)


@lru_cache(maxsize=4096)
def notice_kind_from_pubtype(pub_type: str) -> str:
    """The notice kind a publication type names ("erratum", "comment", ...), or ""."""
    if not pub_type:
        return ""
    for name, pattern in _NOTICE_PUBTYPE:
        if pattern.search(pub_type):
            return name
    return ""
