# Input functions and helpers of the extraction rules (workflow/rules/extraction.smk).

def extraction_inputs(wildcards):
    section = config["extraction"]
    inputs = {
        "settings": "results/config/extraction.yaml",
        "studies": section["studies"],
        "effects": section["effects"],
    }
    if section.get("link_to_screening", True):
        inputs["screening"] = "results/screening/full_text.tsv"
        inputs["records"] = "results/dedup/unique.tsv"
        # each study's search_run: the earliest run whose records table holds one of its records
        inputs["search_records"] = all_records_tsvs()
    if section.get("risk_of_bias"):
        inputs["risk_of_bias"] = section["risk_of_bias"]
    return inputs


def extraction_outputs():
    """What extraction contributes to `rule all`."""
    outputs = [
        "results/extraction/effects.tsv",
        "results/extraction/studies.tsv",
        "results/extraction/narrative.tsv",
        "results/extraction/summary.json",
    ]
    if config["extraction"].get("risk_of_bias"):
        outputs.append("results/extraction/risk_of_bias.tsv")
    return outputs

