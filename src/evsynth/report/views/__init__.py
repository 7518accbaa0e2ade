"""View models of the report: plain dicts of display strings built from the inputs, by section.

Each module turns part of ``ReportInputs`` into what one template prints (numbers already
formatted, labels chosen); the markup is in ``report/templates``.
"""
