# Summaries and figures: one rule per record of vsc/summaries.py, each calling
# `vsc summary NAME` on the record's inputs. All are light jobs that run where Snakemake runs.


for _summary in SUMMARIES:

    rule:
        name:
            _summary.rule
        input:
            **summary_waits_for(_summary),
        output:
            summary_outputs(_summary),
        log:
            f"{LOGS}/{_summary.rule}.log",
        localrule: True
        conda:
            ENV
        params:
            vsc=VSC,
            name=_summary.name,
            caption=_summary.caption,
            inputs=summary_flags(_summary),
            dirs=summary_dirs,
        shell:
            "{params.vsc} summary {params.name} {params.inputs} {params.dirs} > {log:q} 2>&1"


SUMMARY_FILES = [path for summary in SUMMARIES for path in summary_files(summary)]
