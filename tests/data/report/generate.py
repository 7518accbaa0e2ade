"""Regenerate the report test fixtures (run once by hand: python tests/data/report/generate.py).

The fixture results tree follows the contracts of docs/architecture.md and the shared interface
decisions: pooled numbers are computed here (inverse-variance fixed effect, DerSimonian-Laird
random effects with a z-test) so that the JSON, summary.tsv and the figures agree with each other.
The figures are small matplotlib drawings standing in for the figures stage's output.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from scipy import stats

from evsynth.tables import write_json, write_tsv

HERE = Path(__file__).parent
RESULTS = HERE / "results_fixture"

STUDIES = [
    # study_id, label, year, country, design, period, n_total, log HR, se
    ("S01", "Kempf-Bielack 2005", "2005", "Germany", "retrospective cohort", "1980-1998", "576"),
    ("S02", "Harting 2006", "2006", "USA", "retrospective cohort", "1990-2004", "116"),
    ("S03", "Briccoli 2005", "2005", "Italy", "retrospective cohort", "1986-2000", "94"),
    ("S04", "Choi 2014", "2014", "Korea", "retrospective cohort", "1995-2010", "59"),
    ("S05", "Hu 2020", "2020", "China", "retrospective cohort", "2008-2018", "82"),
]
MAIN = [("S01", -1.86, 0.25), ("S02", -1.20, 0.30), ("S03", -2.10, 0.45), ("S04", -0.45, 0.33)]


# The rule and settings blocks as the pooling stage writes them.
RULE = {
    "description": "random effects when I2 > 50% or Q p < 0.1, else fixed effect",
    "i2_threshold": 50.0,
    "name": "heterogeneity",
    "q_p_threshold": 0.1,
    "reason": None,
}
SETTINGS = {
    "level": 0.95,
    "min_k_compute": 3,
    "min_k_report": 10,
    "prediction_interval": "default",
    "random_method": "DL",
    "test": "z",
}


def pool(rows: list[tuple[str, float, float]]) -> dict:
    """FE and DL random effects (DerSimonian & Laird 1986), z-tests, I2 in percent."""
    y = [r[1] for r in rows]
    v = [r[2] ** 2 for r in rows]
    w = [1 / vi for vi in v]
    k = len(rows)
    mu = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    q = sum(wi * (yi - mu) ** 2 for wi, yi in zip(w, y, strict=True))
    df = k - 1
    c = sum(w) - sum(wi**2 for wi in w) / sum(w)
    tau2 = max(0.0, (q - df) / c) if k > 1 else 0.0
    i2 = max(0.0, (q - df) / q * 100) if k > 1 and q > 0 else 0.0
    q_p = float(stats.chi2.sf(q, df)) if df > 0 else None
    labels = [next(s[1] for s in STUDIES if s[0] == r[0]) for r in rows]

    def model(weights: list[float], method: str, tau: float) -> dict:
        est = sum(wi * yi for wi, yi in zip(weights, y, strict=True)) / sum(weights)
        se = math.sqrt(1 / sum(weights))
        z = est / se
        lo, hi = est - 1.959963984540054 * se, est + 1.959963984540054 * se
        out = {
            "k": k,
            "estimate": est,
            "se": se,
            "ci_low": lo,
            "ci_high": hi,
            "stat": z,
            "p": float(2 * stats.norm.sf(abs(z))),
            "tau2": tau,
            "tau2_ci_low": None,
            "tau2_ci_high": None,
            "i2": i2,
            "i2_ci_low": None,
            "i2_ci_high": None,
            "h2": q / df if df > 0 else None,
            "q": q,
            "q_df": df,
            "q_p": q_p,
            "pi_low": None,
            "pi_high": None,
            "weights": [100 * wi / sum(weights) for wi in weights],
            "method": method,
            "test": "z",
            "level": 95,
            "studies": labels,
            "exp_estimate": math.exp(est),
            "exp_ci_low": math.exp(lo),
            "exp_ci_high": math.exp(hi),
        }
        if method != "FE" and k > 2:
            crit = stats.t.ppf(0.975, k - 2)
            half = crit * math.sqrt(tau + se**2)
            out |= {
                "pi_low": est - half,
                "pi_high": est + half,
                "exp_pi_low": math.exp(est - half),
                "exp_pi_high": math.exp(est + half),
            }
        return out

    fixed = model(w, "FE", 0.0)
    random = model([1 / (vi + tau2) for vi in v], "DL", tau2)
    chosen = "random" if (i2 > 50 or (q_p is not None and q_p < 0.10)) else "fixed"
    return {
        "k": k,
        "fixed": fixed,
        "random": random,
        "chosen": chosen,
        "rule": RULE,
        "settings": SETTINGS,
        "notes": [],
    }


def analysis_json(aid: str, label: str, factor: str, outcome: str, rows, published) -> dict:
    if not rows:
        return {
            "analysis": aid,
            "label": label,
            "factor": factor,
            "outcome": outcome,
            "published": published,
            "k": 0,
            "status": "empty",
            "chosen": None,
            "rule": RULE,
            "settings": SETTINGS,
            "notes": ["empty: no studies"],
            "fixed": None,
            "random": None,
        }
    data = pool(rows) | {
        "analysis": aid,
        "label": label,
        "factor": factor,
        "outcome": outcome,
        "published": published,
    }
    data["status"] = "single_study" if len(rows) == 1 else "pooled"
    if len(rows) == 1:
        data["chosen"] = None
        data["notes"] = ["not pooled: a single study; its own estimate is shown"]
    if len(rows) >= 3:
        loo = []
        for i in range(len(rows)):
            sub = pool([x for j, x in enumerate(rows) if j != i])
            loo.append(sub[data["chosen"]] | {"study": data["fixed"]["studies"][i]})
        data["leave_one_out"] = [
            {k: v for k, v in d.items() if k not in ("weights", "studies")} for d in loo
        ]
        order = sorted(
            range(len(rows)), key=lambda i: next(s[2] for s in STUDIES if s[0] == rows[i][0])
        )
        cum = []
        for n in range(1, len(rows) + 1):
            sub = pool([rows[i] for i in order[:n]])
            m = sub["fixed"] if n == 1 else sub[data["chosen"]]
            cum.append(
                {k: v for k, v in m.items() if k not in ("weights", "studies")}
                | {
                    "study": data["fixed"]["studies"][order[n - 1]],
                    "year": int(next(s[2] for s in STUDIES if s[0] == rows[order[n - 1]][0])),
                }
            )
        data["cumulative"] = cum
    return data


CONTINENT = {"S01": "Europe", "S02": "North America", "S03": "Europe", "S04": "Asia", "S05": "Asia"}


def subgroups(rows, chosen: str) -> dict:
    """Subgroups by continent, in the pooling stage's layout (groups, q_between, df, p)."""
    groups = {}
    for name in sorted({CONTINENT[r[0]] for r in rows}):
        fit = pool([r for r in rows if CONTINENT[r[0]] == name])
        m = fit["fixed"] if fit["k"] == 1 else fit[chosen]
        groups[name] = {
            key: m.get(key)
            for key in "k estimate se ci_low ci_high p tau2 i2 q q_p exp_estimate exp_ci_low "
            "exp_ci_high studies".split()
        } | {"status": "single_study" if fit["k"] == 1 else "pooled"}
    w = [1 / g["se"] ** 2 for g in groups.values()]
    est = [g["estimate"] for g in groups.values()]
    mean = sum(wi * e for wi, e in zip(w, est, strict=True)) / sum(w)
    q = sum(wi * (e - mean) ** 2 for wi, e in zip(w, est, strict=True))
    df = len(groups) - 1
    return {
        "method": "DL",
        "test": "z",
        "groups": groups,
        "q_between": q,
        "df": df,
        "p": float(stats.chi2.sf(q, df)),
    }


def forest_svg(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 2.4))
    m = data["fixed"]
    for i in range(len(m["studies"])):
        ax.plot([math.exp(-1.5 - 0.1 * i), math.exp(-0.5 - 0.1 * i)], [i, i], color="black")
        ax.plot([math.exp(-1 - 0.1 * i)], [i], "s", color="black")
    ax.set_yticks(range(len(m["studies"])), m["studies"])
    ax.set_xscale("log")
    ax.set_xlabel("Hazard ratio (fixture drawing)")
    fig.tight_layout()
    plt.rcParams["svg.hashsalt"] = "evsynth-fixture"
    fig.savefig(
        path,
        format=path.suffix[1:],
        dpi=72,
        metadata={"Date": None} if path.suffix == ".svg" else {},
    )
    plt.close(fig)


def main() -> None:
    published_main = {
        "hr": 0.21,
        "ci_low": 0.12,
        "ci_high": 0.38,
        "k": 5,
        "source": "Seed review (2026), Figure 3",
    }
    specs = [
        (
            "complete_resection_prs",
            "Complete resection and post-relapse survival",
            "complete_resection",
            "PRS",
            MAIN,
            published_main,
        ),
        (
            "complete_resection_prs_no_kempf",
            "Complete resection and PRS, without Kempf-Bielack",
            "complete_resection",
            "PRS",
            MAIN[1:],
            None,
        ),
        (
            "bilateral_pmos",
            "Bilateral metastases and post-metastasectomy survival",
            "bilateral",
            "PMOS",
            [("S05", 0.44, 0.21)],
            {"hr": 1.56, "ci_low": 1.27, "ci_high": 1.93, "k": 4, "source": "Seed review (2026)"},
        ),
        ("vats_prs", "Thoracoscopic approach and post-relapse survival", "vats", "PRS", [], None),
    ]
    summary = []
    for aid, label, factor, outcome, rows, published in specs:
        data = analysis_json(aid, label, factor, outcome, rows, published)
        if aid == "complete_resection_prs":
            data["subgroups"] = subgroups(rows, data["chosen"])
        write_json(RESULTS / "pooling" / f"{aid}.json", data)
        m = data[data["chosen"] or "fixed"] or {}
        summary.append(
            {
                "analysis": aid,
                "factor": factor,
                "outcome": outcome,
                "k": data["k"],
                "chosen": data["chosen"],
                "method": m.get("method") if data["status"] == "pooled" else "none",
                "hr": m.get("exp_estimate"),
                "ci_low": m.get("exp_ci_low"),
                "ci_high": m.get("exp_ci_high"),
                "p": m.get("p"),
                "i2": m.get("i2"),
                "tau2": m.get("tau2"),
                "q": m.get("q"),
                "q_p": m.get("q_p"),
                "pi_low": m.get("exp_pi_low"),
                "pi_high": m.get("exp_pi_high"),
                "published_hr": (published or {}).get("hr"),
                "published_ci_low": (published or {}).get("ci_low"),
                "published_ci_high": (published or {}).get("ci_high"),
                "note": {
                    "single_study": "single study, not pooled",
                    "empty": "no poolable estimate",
                }.get(data["status"], ""),
            }
        )
        if rows:
            forest_svg(RESULTS / "figures" / f"{aid}.forest.svg", data)
    cols = (
        "analysis factor outcome k chosen method hr ci_low ci_high p i2 tau2 q q_p pi_low "
        "pi_high published_hr published_ci_low published_ci_high note"
    ).split()
    write_tsv(RESULTS / "pooling" / "summary.tsv", summary, cols, sort_by=["analysis"])

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.axis("off")
    for y, text in [
        (0.85, "Records identified (n = 412)"),
        (0.55, "Records screened (n = 301)"),
        (0.25, "Studies included (n = 5)"),
    ]:
        ax.text(0.5, y, text, ha="center", bbox={"boxstyle": "square", "fc": "white"})
    fig.savefig(RESULTS / "figures" / "prisma.png", dpi=80, metadata={"Software": None})
    plt.close(fig)


if __name__ == "__main__":
    main()
