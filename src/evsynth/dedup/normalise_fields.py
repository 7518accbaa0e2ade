"""DOI, page, year and volume normalisation (the citation fields besides title, authors, journal).

Split from ``normalise.py`` (issue 15); ``normalise`` re-exports the public names.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from evsynth.dedup.normalise_text import fold, is_missing

_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


_PAGE = re.compile(r"([a-z]*)0*(\d+)([a-z]*)")


_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.)?(?:doi\.org/|doi:\s*)", re.IGNORECASE)


_DOI_TOKEN = re.compile(r"10\.\d{4,9}/[^\s;]+")


def normalise_dedup_doi(doi: str) -> str:
    """The DOI as compared: lower-case, URL-decoded, without resolver prefix ("" for NA).

    DOIs are case-insensitive (DOI Handbook 2.4); exports give them as URLs, URL-encoded
    ("%28" for "("), or with a "doi:" label.
    """
    if is_missing(doi):
        return ""
    text = doi.strip()
    if "%" in text:
        text = unquote(text)
    text = _DOI_URL.sub("", text).strip().lower()
    if not text.startswith("10.") or " " in text or ";" in text:
        # "10.1000/xyz [doi]" (MEDLINE's AID tag), "DOI 10.1000/xyz", two DOIs in one field
        # ("10.1000/a; 10.1000/b"): a DOI has no spaces, so the first DOI-shaped token is it.
        match = _DOI_TOKEN.search(text)
        text = match.group(0) if match else ""
    return text.rstrip(".,;") if text.startswith("10.") else ""


_PAGE_LIST_SPLIT = re.compile(r"\s*[,+;]\s*(?=[a-z]{0,2}\d)")


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)"


_EXCEL_DATE = re.compile(
    rf"^\s*(?:(?P<d>\d{{1,2}})-(?P<m>{_MONTH})|(?P<m2>{_MONTH})-(?P<y>\d{{1,4}}))\s*$"
)


def normalise_pages(pages: str) -> tuple[str, str]:
    """First and last page as numbers, the last expanded: "1347-58" -> ("1347", "1358").

    MEDLINE abbreviates the last page by dropping the digits it shares with the first (NLM
    Citing Medicine, ch. 2, "Location (pagination)"); other databases print it in full. Letter
    prefixes and suffixes are dropped: a supplement's "S548-S549" is "548-9" in another
    database, "c37-c42" is "37-42", and an electronic article number "e123" is "123".
    """
    if is_missing(pages):
        return "", ""
    text = pages.lower().replace("–", "-").replace("—", "-")
    if _PAGE_LIST_SPLIT.search(text):
        # An article printed in several runs ("233-8, 230-5, 246-51", "233-238+230-235"):
        # exports list the runs in different orders, so the span from the lowest first page to
        # the highest last page is what they share.
        spans = [normalise_pages(part) for part in _PAGE_LIST_SPLIT.split(text)]
        spans = [(f, last or f) for f, last in spans if f]
        if len(spans) > 1:
            return min((f for f, _ in spans), key=int), max((x for _, x in spans), key=int)
    date = _EXCEL_DATE.match(text)
    if date:
        # A spreadsheet read "1-10" as 1 October ("01-Oct") and "10-15" as October 2015
        # ("Oct-15"): the month is the number it replaced.
        day, month, year = date.group("d"), date.group("m") or date.group("m2"), date.group("y")
        number = str(_MONTHS.index(month[:3]) + 1)
        text = f"{day}-{number}" if day else f"{number}-{year}"
    text = re.sub(r"^\s*(?:pp?\.?|pages?)\s*", "", text)
    first, _, last = text.partition("-")
    m1 = _PAGE.search(first)
    if not m1:
        return "", ""
    first_digits = m1.group(2)
    m2 = _PAGE.search(last) if last else None
    if not m2:
        return first_digits, ""
    digits = m2.group(2)
    if len(digits) < len(first_digits):
        digits = first_digits[: len(first_digits) - len(digits)] + digits
    return first_digits, digits


_ELOCATOR = re.compile(r"^\s*[a-z]{1,2}\d+\s*$", re.IGNORECASE)


def is_article_number(pages: str) -> bool:
    """True for an electronic article number ("e12724", "c1804", "a1754") given as the pages.

    Online journals (PLoS, BMJ) number articles; databases give that number or the print pages,
    so the two cannot be compared.
    """
    return bool(pages) and _ELOCATOR.match(pages) is not None and pages.strip()[:1] not in "sS"


def normalise_year(year: str) -> int:
    """The four-digit publication year, or 0."""
    match = _YEAR.search(year or "")
    return int(match.group(1)) if match else 0


def normalise_volume(volume: str) -> str:
    """The volume's first number without leading zeros, or the folded text.

    "Vol. 012" -> "12"; "60 (1 Supplement 1)" -> "60" (the supplement is the issue, which
    databases write into the volume field or leave out).
    """
    if is_missing(volume):
        return ""
    match = re.search(r"\d+", volume)
    return match.group(0).lstrip("0") or "0" if match else fold(volume)
