# Input functions and helpers of the figures rules (workflow/rules/figures.smk).

import shlex


def figures_settings():
    """Optional `figures:` config section (not required): contour funnel, PNG resolution."""
    return config.get("figures") or {}


def figures_favours(analysis):
    """The factor's "Favours ..." labels (HR < 1 favours the exposure), for the forest plot axis."""
    entry = next((a for a in config.get("analyses", []) if a["id"] == analysis), {})
    factor = ((config.get("extraction") or {}).get("factors") or {}).get(entry.get("factor"), {})
    exposure = factor.get("favours_exposure") or f"Favours {factor.get('exposure', 'exposure')}"
    reference = factor.get("favours_reference") or f"Favours {factor.get('reference', 'reference')}"
    return exposure, reference


def figures_database_labels():
    """`--database-label source=Name` for every search source whose config names its database."""
    labels = {}
    for run in config["search"]["runs"]:
        for source, settings in run["sources"].items():
            if settings.get("database"):
                labels[source] = settings["database"]
    return " ".join(
        "--database-label " + shlex.quote(f"{source}={name}") for source, name in sorted(labels.items())
    )


def figures_rob_enabled():
    return bool((config.get("extraction") or {}).get("risk_of_bias"))


def figures_outputs():
    """What the figures stage contributes to `rule all`."""
    outputs = []
    for analysis in meta_analyses():
        for kind in ("forest", "funnel", "leave_one_out", "cumulative"):
            outputs += [f"results/figures/{analysis}.{kind}.svg", f"results/figures/{analysis}.{kind}.png"]
    outputs += ["results/figures/prisma.svg", "results/figures/prisma.png"]
    if figures_rob_enabled():
        for style in ("traffic_light", "summary"):
            outputs += [f"results/figures/rob_{style}.svg", f"results/figures/rob_{style}.png"]
    return outputs
