#!/usr/bin/env bash
# Copy a finished preset's summaries into the reference results shipped with the suite:
# results/reference/<preset>/ (tables, CSVs, REPORT.md, the resolved config.yaml) and
# figures/reference/<preset>/ (PNG). Run folders, checkpoints and PDFs stay out of git.
#
#   bash scripts/publish_reference.sh quick results figures
#   bash scripts/publish_reference.sh standard results/standard figures/standard
#
# `vsc compare <results> results/reference/<preset>` then checks a fresh run against them.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 3 ]; then
  echo "usage: $0 PRESET RESULTS_DIR FIGURES_DIR (e.g. quick results figures)" >&2
  exit 2
fi
preset=$1 results=$2 figures=$3
if [ ! -f "$results/table1.csv" ] || [ ! -f "$results/REPORT.md" ]; then
  echo "$results holds no finished workflow (table1.csv or REPORT.md missing): run the $preset preset first" >&2
  exit 2
fi
out_results=results/reference/$preset out_figures=figures/reference/$preset
rm -rf "$out_results" "$out_figures"
mkdir -p "$out_results" "$out_figures"
cp "$results"/*.csv "$results"/*.md "$results"/*.tex "$results"/config.yaml "$out_results"/
cp "$figures"/*.png "$out_figures"/
echo "reference results of the $preset preset: $out_results, $out_figures"
