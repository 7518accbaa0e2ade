"""Moved to :mod:`evsynth.contracts.records` (issue 15: every contract file's module in one
package); this name stays so code written against ``evsynth.records`` keeps working."""

from evsynth.contracts.records import *  # noqa: F403
from evsynth.contracts.records import __all__  # noqa: F401
