"""`evsynth grade`: the GRADE certainty of one pooled analysis, as JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evsynth.commands import add_command
from evsynth.errors import InputError

__all__ = ["register"]

EXAMPLE = """\
example:
  evsynth grade --pooling results/pooling/complete_resection_prs.json \\
      --studies results/extraction/studies.tsv \\
      --risk-of-bias results/extraction/risk_of_bias.tsv \\
      --settings config/config.yaml --analysis complete_resection_prs \\
      --out results/grade/complete_resection_prs.json
  --settings is a YAML/JSON file (e.g. the config) or a JSON string whose `grade` key is the grade
  section; without --risk-of-bias the risk-of-bias domain is stated as not assessed.
"""


def _load_settings(value: str | None) -> dict:
    import yaml

    if not value:
        return {}
    path = Path(value)
    try:
        data = (
            yaml.safe_load(path.read_text(encoding="utf-8"))
            if path.is_file()
            else json.loads(value)
        )
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise InputError(f"--settings is not valid YAML/JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError("--settings must be a mapping")
    return data


def _cmd(args: argparse.Namespace) -> int:
    """GRADE certainty of one pooled analysis (domains proposed from the data)

    Propose the five GRADE domains of one analysis from its pooling result, the risk-of-bias table
    and the declared thresholds, apply the config's overrides and write the certainty with every
    reason as JSON.
    """
    from evsynth.contracts.pooling_result import read_pooling_result
    from evsynth.grade.assess import assess, merge_settings
    from evsynth.tables import read_tsv, write_json

    path = Path(args.pooling)
    if not path.is_file():
        raise InputError("pooling result not found", path=str(path))
    # Read through the contract: a key of the wrong type is an error naming file and key, and
    # the rules read its typed models and sections.
    pooling = read_pooling_result(path)
    raw = _load_settings(args.settings)
    settings = merge_settings(raw.get("grade") if "grade" in raw else raw)
    rob = read_tsv(args.risk_of_bias, required=("study_id", "tool")) if args.risk_of_bias else None
    studies = read_tsv(args.studies, required=("study_id",)) if args.studies else None
    out = assess(
        pooling,
        analysis=args.analysis or str(pooling.analysis or path.stem),
        settings=settings,
        risk_of_bias=rob,
        studies=studies,
        source=str(path),
    )
    write_json(args.out, out)
    downs = ", ".join(f"{n}: {d['rating']}" for n, d in out["domains"].items())
    print(
        f"{out['analysis']}: certainty {out['certainty']} (start {out['start']['level']}; {downs})"
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(subparsers, "grade", _cmd, epilog=EXAMPLE)
    p.add_argument("--pooling", required=True, help="results/pooling/{analysis}.json")
    p.add_argument("--studies", help="results/extraction/studies.tsv (participants)")
    p.add_argument("--risk-of-bias", help="results/extraction/risk_of_bias.tsv (optional)")
    p.add_argument("--settings", help="the grade settings (file or JSON string)")
    p.add_argument("--analysis", help="analysis id (default: the pooling result's)")
    p.add_argument("--out", required=True, help="output JSON")
