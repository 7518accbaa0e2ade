"""Lookup tables for deduplication (data only, no logic).

Kept apart from the code so a reviewer can read and extend them: Greek letters, letters that Unicode
decomposition does not fold, the bracketed notes PubMed adds to translated titles, generic titles,
notice prefixes, and a small table of ISO 4 title-word abbreviations (ISO 4:1997 and the ISSN
"List of Title Word Abbreviations" practice) for words whose abbreviation is neither a truncation
nor a contraction of the word (and British spellings mapped to the US form). Every other journal
word is matched by ISO 4's general rules in the scorer: truncation ("Clin") or contraction keeping
the first letter ("Natl", "Dtsch"), with articles and prepositions dropped in several languages.
"""

from __future__ import annotations

__all__ = [
    "CONFERENCE_JOURNAL_PATTERN",
    "CONFERENCE_PATTERN",
    "ENGLISH",
    "ERRATUM_CITATION_SUFFIX",
    "GENERIC_TITLES",
    "GREEK_LETTERS",
    "JOURNAL_STOPWORDS",
    "JOURNAL_WORD_ABBREVIATIONS",
    "MULTIPLE_LETTERS_PATTERN",
    "NOTICE_PUBTYPE_PATTERNS",
    "NOTICE_TITLE_PATTERNS",
    "PART_WORDS",
    "SPECIAL_LETTERS",
    "STRIPPED_TITLE_PREFIXES",
    "TITLE_NOTE_PATTERN",
    "TITLE_PAREN_NOTE_PATTERN",
    "TITLE_SECTION_SUFFIX",
]

# Greek letters -> their English names, so "TNF-α" and "TNF-alpha" normalise alike.
GREEK_LETTERS: dict[str, str] = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "µ": "mu", "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi",
    "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega",
    "Α": "alpha", "Β": "beta", "Γ": "gamma", "Δ": "delta", "Ε": "epsilon", "Ζ": "zeta",
    "Η": "eta", "Θ": "theta", "Ι": "iota", "Κ": "kappa", "Λ": "lambda", "Μ": "mu", "Ν": "nu",
    "Ξ": "xi", "Ο": "omicron", "Π": "pi", "Ρ": "rho", "Σ": "sigma", "Τ": "tau", "Υ": "upsilon",
    "Φ": "phi", "Χ": "chi", "Ψ": "psi", "Ω": "omega",
}  # fmt: skip

# Letters that NFKD does not decompose into a base letter plus a combining mark.
SPECIAL_LETTERS: dict[str, str] = {
    "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "ł": "l",
    "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "ı": "i", "–": "-", "—": "-", "‐": "-",
    "‑": "-", "’": "'", "‘": "'",
}  # fmt: skip

# Bracketed notes that are not part of the title: PubMed's "[Article in German]" and friends.
TITLE_NOTE_PATTERN = (
    r"\[\s*(?:(?:article|text|abstract|summary)s?\s+in\s+[^\]]{1,60}"
    r"|in\s+process\s+citation|not\s+available|no\s+title\s+available|author'?s?\s+transl[^\]]*"
    r"|editorial|letter|comment|review)\s*\]"
)

# A trailing citation of the corrected article, the Web of Science form of an erratum title
# ("Title (vol 360, pg 542, 2009)") and the Embase one ("Title (Journal (2009) 360 (542-544))").
ERRATUM_CITATION_SUFFIX = (
    r"\s*\((?:vol\.?\s*\d+[^()]*\b(?:1[89]|20)\d\d"
    r"|[^()]*\((?:1[89]|20)\d\d\)\s*\d+[^()]*\([^()]*\d[^()]*\))\s*\)\s*\.?\s*$"
)

# Trailing notes in parentheses that describe the record, not the article: Embase's
# "(multiple letters)" on a letter printed with its replies.
TITLE_PAREN_NOTE_PATTERN = r"\s*\((?:multiple\s+letters|letter|abstract|editorial)\)\s*\.?\s*$"

# Embase's one record for a letter printed together with its replies: the title ends
# "(multiple letters)" (often with a reference mark "[1]"), the authors are those of every
# letter, the pages span them all. Such a record stands for the letter and each reply.
MULTIPLE_LETTERS_PATTERN = r"\(\s*multiple\s+letters\s*\)"

# A journal section heading that some databases append to the title as a subtitle
# ("...: Brief communication", Embase for Wiley journals); the other databases leave it out.
TITLE_SECTION_SUFFIX = (
    r"\s*[:.\-]\s*(?:a\s+)?(?:brief|short|rapid)\s+(?:communication|report)s?"
    r"|\s*[:.\-]\s*(?:original|research)\s+(?:article|research|paper|letter)s?"
)

# Title prefixes that mark a record as a notice about another item, with the notice kind.
# Matched (case-insensitive) against the start of the title after tags are removed.
NOTICE_TITLE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("erratum", r"^(?:published\s+)?(?:errat(?:um|a)|corrigend(?:um|a))\b"
                r"(?:\s+(?:to|for|of|in|on))?\s*[:.\-]?"),
    ("erratum", r"^corrections?(?:\s*(?::|-\s|\.\s|\.?$)|\s+(?:to|for|of|in|on)\b[^:]{0,80}:)"),
    ("retraction", r"^(?:notice\s+of\s+)?retraction(?:\s+notice)?"
                   r"(?:\s*(?::|-\s|\.\s|\.?$)|\s+(?:of|to|for|note)\b[^:]{0,80}:)"),
    ("concern", r"^(?:editorial\s+)?expression\s+of\s+concern"
                r"(?:\s*(?::|-\s|\.\s|\.?$)|\s+(?:of|to|for|regarding)\b[^:]{0,80}:)"),
    ("comment", r"^(?:invited\s+)?(?:comment(?:ary)?|remarks?)\s+(?:on|to|regarding)\b"
                r"(?:[^:]{0,80}:)?"),
    ("comment", r"^(?:invited\s+)?comment(?:ary)?\s*(?::|\.?$)"),
    ("comment", r"^re\s*:"),
    ("comment", r"^letter\s+to\s+the\s+editor\s*(?::|-\s|\.?$)"),
    ("reply", r"^(?:the\s+)?(?:authors?'?s?'?\s+)?(?:in\s+)?(?:reply|response)"
              r"(?:\s*:|\s*\.?$|\s+to\b[^:]{0,80}:)"),
)  # fmt: skip

# Title prefixes that are dropped without making the record a notice (the item itself, relabelled).
STRIPPED_TITLE_PREFIXES = r"^(?:retracted(?:\s+article)?|withdrawn)\s*:\s*"

# Values of the language field that mean English (other languages may carry a translated title).
ENGLISH = frozenset({"", "eng", "en", "english"})

# Publication types (any database's wording) that mark a notice; matched case-insensitively.
NOTICE_PUBTYPE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("erratum", r"errat|corrigend|correction"),
    ("retraction", r"retraction\s+of\s+publication|retraction\s+notice|(?:^|;\s*)retraction$"),
    ("concern", r"expression\s+of\s+concern"),
    ("comment", r"\bcomment|\bletter\b"),
    ("editorial", r"\beditorial\b"),
)

# A conference abstract (Embase "Conference Abstract", CENTRAL "Conference proceeding", WoS
# "Meeting Abstract") is not a duplicate of the later full article.
CONFERENCE_PATTERN = (
    r"conference|congress|meeting\s+abstract|proceeding|abstract\s+only|poster|symposium"
)
# The same, in a journal field (Embase: "J Clin Oncol. Conference: 2019 Annual Meeting ...");
# narrower, since "Proceedings of the National Academy of Sciences" is a journal.
CONFERENCE_JOURNAL_PATTERN = (
    r"\bconference\s*:|\.\s*conference\b|annual\s+(?:scientific\s+)?meeting|meeting\s+abstracts?"
    r"|\bcongress\s+of\b|\babstracts?\s+(?:of|from)\s+the\b"
)

# Normalised titles that say nothing about the content: never matched on title alone.
GENERIC_TITLES: frozenset[str] = frozenset(
    [
        "editorial", "guest editorial", "editors note", "editor s note", "editorial comment",
        "correction", "corrections", "erratum", "errata", "corrigendum", "retraction",
        "retraction notice", "notice of retraction", "expression of concern", "reply", "in reply",
        "author reply", "authors reply", "reply to the editor", "response", "response to",
        "letter", "comment", "commentary", "invited commentary", "comments", "letters",
        "letter to the editor", "correspondence", "in this issue", "this issue", "introduction",
        "preface", "foreword", "news", "abstracts", "abstract", "book review", "book reviews",
        "announcement", "announcements", "highlights", "acknowledgment", "acknowledgement",
        "acknowledgments", "acknowledgements", "reviewers", "index", "contents",
        "table of contents", "conclusion", "conclusions", "discussion", "obituary", "in memoriam",
        "case report", "case reports", "clinical images", "image", "images in clinical medicine",
        "untitled", "no title available", "summary", "meeting abstracts", "",
    ]
)  # fmt: skip

# "Part I", "Part 2", "Part two": companion papers are different articles.
PART_WORDS: dict[str, int] = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a": 1, "b": 2, "c": 3,
    "first": 1, "second": 2, "third": 3,
}  # fmt: skip

# Words dropped from journal titles before comparison (ISO 4 omits articles, conjunctions and
# prepositions; NLM abbreviations also drop "Volume"/"Section": "J Bone Joint Surg Am").
JOURNAL_STOPWORDS: frozenset[str] = frozenset(
    [
        *"of the and for in on at to a an with from der die das und fur für de del".split(),
        *"della di des du la le les et y e & volume section series".split(),
        # Elided French articles ("d'anesthesie", "l'enfant"), left as a letter by folding.
        "d",
        "l",
        # Prepositions and articles of other journal languages (ISO 4 omits them too).
        *"voor van het en og och i pour sur dans fuer zur zum im o do da em para".split(),
    ]
)

# ISO 4 abbreviations that are not a prefix of the word ("Natl" for "National"; prefix
# abbreviations such as "Clin" for "Clinical" are matched without an entry, though a few common
# ones are listed for clarity), plus British spellings mapped to the ISO 4 (US) form.
JOURNAL_WORD_ABBREVIATIONS: dict[str, str] = {
    "national": "natl", "nationale": "natl", "deutsche": "dtsch", "deutsches": "dtsch",
    "deutscher": "dtsch", "gesellschaft": "ges", "zeitschrift": "z", "japanese": "jpn",
    "japan": "jpn", "japonica": "jpn", "paediatric": "pediatr", "paediatrics": "pediatr",
    "paediatrica": "pediatr", "orthopaedic": "orthop", "orthopaedics": "orthop",
    "haematology": "hematol", "haematologica": "hematol", "gynaecology": "gynecol",
    "oesophagus": "esophagus", "anaesthesia": "anesth", "anaesthesiology": "anesthesiol",
    "tumour": "tumor", "tumours": "tumors", "oncologie": "oncol", "chirurgie": "chir",
    "chirurgica": "chir", "quarterly": "q", "zhurnal": "zh", "bulletin": "bull",
    "academy": "acad", "association": "assoc", "society": "soc", "department": "dep",
    "international": "int", "proceedings": "proc", "transactions": "trans",
}  # fmt: skip
