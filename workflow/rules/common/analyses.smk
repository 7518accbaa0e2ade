# The configured analyses, shared by extraction, pooling, figures and report.


def meta_analyses():
    """Ids of the configured analyses with `synthesis: meta_analysis` (pooled by the pooling stage)."""
    return [
        a["id"] for a in config.get("analyses", []) if a.get("synthesis", "meta_analysis") == "meta_analysis"
    ]
