"""`evsynth init`: a new review folder that uses the installed workflow as a Snakemake module.

The workflow (``Snakefile`` and ``workflow/``) ships inside this package (``scaffold/Snakefile``
and ``scaffold/workflow`` are links to the repository's copies in a source checkout and real
files in a wheel), so a review folder finds the rules of the evsynth it runs with, and
``on_error`` / ``on_success`` are the terminal messages of every run (a module's own handlers are
not used by Snakemake, so the review's Snakefile registers these).
"""

from evsynth.scaffold.terminal import on_error, on_success, workflow_file

__all__ = ["on_error", "on_success", "workflow_file"]
