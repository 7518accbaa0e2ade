"""Embase.com CSV and Scopus CSV readers, kept under their historical names.

Both are layouts of the tabular reader now (:mod:`.tabular`, :mod:`.tabular_layouts`), which
also reads them as TSV or XLSX, finds the header below Embase's search-query preamble and sniffs
the ``;`` separator of Excel-saved copies.
"""

from __future__ import annotations

from evsynth.sources.tabular import READERS, TabularReader

__all__ = ["EmbaseCsvReader", "ScopusCsvReader"]

EmbaseCsvReader: type[TabularReader] = READERS["embase-csv"]
ScopusCsvReader: type[TabularReader] = READERS["scopus-csv"]
