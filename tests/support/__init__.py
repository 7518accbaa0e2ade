"""What the tests and benchmarks need and the installed package must not ship.

``mock_eutils`` (a local E-utilities server: ``python -m tests.support.mock_eutils`` from the
repository root), ``svgread`` (reads evsynth's SVG figures back), ``workflow`` (runs Snakemake as a
user does and reads its job table), ``argv`` (the command lines several modules run), ``dedup``
(dedup's pair rules and fixture runs as the rule tests use them), ``report`` (the report's fixture
project and the page built from it).
"""
