"""The application: the `vsc` command line (``python -m vsc_bench``), which the workflow's
rules call. It sits above both the library (`vsc`) and the baselines (`baselines`), so neither
of those imports the other upward."""
