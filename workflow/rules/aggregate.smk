TABLE1_FILES = [f"{RESULTS}/table1.{ext}" for ext in ("csv", "md", "tex")] + [
    f"{RESULTS}/linear_curves.csv",
    f"{RESULTS}/REPORT.md",
]


rule aggregate:
    """Table 1 and the tidy per-epoch curves of every run."""
    input:
        finals=[f"{run}/final.json" for run in ALL_RUNS],
        metrics=[f"{run}/metrics.csv" for run in ALL_RUNS],
    output:
        csv=report(f"{RESULTS}/table1.csv", caption="../report/table1.rst",
                   category="Table 1"),
        md=f"{RESULTS}/table1.md",
        tex=f"{RESULTS}/table1.tex",
        curves=report(f"{RESULTS}/linear_curves.csv", caption="../report/curves_csv.rst",
                      category="Curves"),
    params:
        vsc=VSC,
        out_dir=lambda wildcards, output: os.path.dirname(output.csv),
        runs=ALL_RUNS,
    log:
        f"{LOGS}/aggregate.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} aggregate --runs {params.runs} --out-dir {params.out_dir} > {log} 2>&1"


rule reproduction_report:
    """results/REPORT.md: our numbers next to the paper's, orderings and claims."""
    input:
        table=f"{RESULTS}/table1.csv",
        dnn=f"{RESULTS}/dnn_metrics.csv",
        snr=f"{RESULTS}/snr.csv",
        sampling=f"{RESULTS}/sampling.csv",
        sweep=f"{RESULTS}/dnn_sweep.csv",
        recovery=f"{RESULTS}/recovery.csv",
        config=ancient(RESOLVED_CONFIG),
        finals=[f"{run}/final.json" for run in ALL_RUNS],
    output:
        report(f"{RESULTS}/REPORT.md", caption="../report/reproduction.rst",
               category="Reproduction report"),
    params:
        vsc=VSC,
        runs=ALL_RUNS,
    log:
        f"{LOGS}/reproduction_report.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} report --table {input.table} --dnn-table {input.dnn}"
        " --snr-table {input.snr} --sampling-table {input.sampling}"
        " --sweep-table {input.sweep} --recovery-table {input.recovery}"
        " --runs {params.runs} --config {input.config} --out {output} > {log} 2>&1"


SNR_GRID = [(f, j) for f in CFG.snr.families if f in CFG.linear.families
            for j in CFG.linear.samples]
SNR_FILES = [f"{RESULTS}/snr/{f}_J{j}.json" for f, j in SNR_GRID]
SNR_OUTPUTS = [f"{RESULTS}/snr.csv"] + [f"{FIGURES}/snr.{ext}" for ext in ("png", "pdf")]


rule snr:
    """Gradient SNR of a trained run (its first seed), at the run's own J."""
    input:
        final=f"{RUNS}/{{family}}_J{{samples}}_seed{CFG.linear.seeds[0]}/final.json",
    output:
        f"{RESULTS}/snr/{{family}}_J{{samples}}.json",
    params:
        vsc=VSC,
        run=lambda wildcards, input: os.path.dirname(input.final),
        passes=CFG.snr.passes,
        batches=CFG.snr.batches,
    log:
        f"{LOGS}/snr/{{family}}_J{{samples}}.log",
    threads: CFG.workflow.threads
    resources:
        **training_resources(CFG.workflow.runtime_linear),
    conda:
        ENV
    shell:
        "{params.vsc} snr --run {params.run} --passes {params.passes}"
        " --batches {params.batches} --out {output} > {log} 2>&1"


rule snr_summary:
    """results/snr.csv and the bar figure with the reference values."""
    input:
        SNR_FILES,
    output:
        csv=report(f"{RESULTS}/snr.csv", caption="../report/snr.rst", category="Analyses"),
        png=report(f"{FIGURES}/snr.png", caption="../report/snr.rst", category="Analyses"),
        pdf=f"{FIGURES}/snr.pdf",
    params:
        vsc=VSC,
        stem=lambda wildcards, output: os.path.splitext(output.png)[0],
    log:
        f"{LOGS}/snr_summary.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "{params.vsc} snr-summary --inputs {input} --csv {output.csv} --figure {params.stem}"
        " > {log} 2>&1"
