"""The one title fold used wherever a record is looked up by its title.

Extraction links study rows to screened records by title, and screening matches decision rows
back to study records by title, year and first author. Both must fold a title the same way, and
neither may lose letters: an ASCII-only fold turns "Résection" into "rsection" (so it no longer
equals "Resection") and folds every Chinese or Japanese title to the empty string (so it matches
nothing, or everything). This fold decomposes letters (Unicode NFKD), drops the combining marks,
lower-cases, and replaces each run of non-word characters with one space: Latin letters lose
their accents, and letters of other scripts (CJK, Cyrillic, Greek) are kept as they are.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold_title"]

# Unicode-aware: \w keeps the letters and digits of every script.
_NON_WORD = re.compile(r"[\W_]+")


def fold_title(text: str | None) -> str:
    """Lower-case words without accents or punctuation; letters of every script kept.

    "Résection pulmonaire" -> "resection pulmonaire"; "肺転移切除術" stays "肺転移切除術".
    """
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text.lower()).strip()
