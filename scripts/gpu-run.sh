#!/usr/bin/env bash
# The prepared GPU run, for a machine with no Node and no npm registry (README "Portable pack").
#
#   scripts/gpu-run.sh OUTDIR
#
# Run it from the root of the se-bench checkout the pack was built from (its golden/ is read), with:
#   dist/se-bench-portable-linux-x64.tar.xz   built here by `npm run pack:portable` (SE_BENCH_ARCHIVE=FILE for another)
#   .gl/*.deb                                 Debian packages unpacked (dpkg -x, in the work folder) and put first on
#                                             LD_LIBRARY_PATH: the Vulkan loader libvulkan1, and libglvnd0 that NVIDIA's
#                                             Vulkan driver loads; needed only where the machine lacks them
#                                             (SE_BENCH_DEBS=DIR for another folder; README "Portable pack" fetches them)
# It unpacks the pack in a fresh folder under SE_BENCH_WORK (default: $TMPDIR or /tmp), prints `devices`, runs
# `conformance --device=gpu` and `bench --device=gpu --batch=8,32,128 --ratios=16` (r = 16 only, to fit the deadline;
# run.sh bench takes every option for more), with PyTorch CUDA rows when the python3 in
# SE_BENCH_PYTHON (default: python3 on PATH, if it imports torch) has CUDA. The bench is stopped (and its results kept,
# marked interrupted) so that the whole script ends within SE_BENCH_GPU_DEADLINE_S seconds (default 450).
# OUTDIR gets devices.txt, conformance.txt, gpu-run.log and bench/ (results.json, results.csv, report.html).
# Exit: 0 all passed; 1 conformance or bench failed; 2 bad set-up (message says what to do).
set -uo pipefail
started=$SECONDS
die() { echo "gpu-run: $*" >&2; exit 2; }

[ $# -eq 1 ] || die "usage: scripts/gpu-run.sh OUTDIR (run from the se-bench checkout; README \"Portable pack\")"
out=$1
archive=${SE_BENCH_ARCHIVE:-dist/se-bench-portable-linux-x64.tar.xz}
debs=${SE_BENCH_DEBS:-.gl}
deadline=${SE_BENCH_GPU_DEADLINE_S:-450}
case $deadline in ''|*[!0-9]*) die "SE_BENCH_GPU_DEADLINE_S=$deadline is not a whole number of seconds" ;; esac

[ -f "$archive" ] || die "no archive at $archive: build it with \`npm run pack:portable\` in a checkout with npm, then copy it here (or set SE_BENCH_ARCHIVE)"
[ -f golden/manifest.json ] || die "no golden/manifest.json in $(pwd): run this from the root of the se-bench checkout the pack was built from"
mkdir -p "$out" 2>/dev/null && [ -w "$out" ] || die "cannot write to $out: give a writable OUTDIR"
for f in devices.txt conformance.txt gpu-run.log bench; do
  [ -e "$out/$f" ] && die "$out/$f exists: an earlier run's results are never overwritten; give an empty OUTDIR"
done
out=$(cd "$out" && pwd)
exec > >(tee "$out/gpu-run.log") 2>&1

work_parent=${SE_BENCH_WORK:-${TMPDIR:-/tmp}}
work=$(mktemp -d "$work_parent/se-bench-portable.XXXXXX" 2>/dev/null) \
  || die "cannot create a folder in $work_parent (read-only or missing?): set SE_BENCH_WORK to a writable folder"
trap 'rm -rf "$work"' EXIT
need=$(xz --robot --list "$archive" | awk '$1 == "totals" { print $5 }')
[ -n "$need" ] || die "$archive is not an xz archive (xz --list failed): rebuild it with \`npm run pack:portable\`"
avail=$(df -P -B1 "$work" | awk 'NR == 2 { print $4 }')
if [ "$avail" -lt $((need + 64 * 1024 * 1024)) ]; then
  die "unpacking needs $((need / 1048576 + 64)) MiB free in $work_parent, it has $((avail / 1048576)) MiB: set SE_BENCH_WORK to a folder with more space"
fi
tar -xJf "$archive" -C "$work" || die "unpacking $archive into $work failed (see above)"
pack=$work/se-bench-portable
echo "gpu-run: unpacked $(basename "$archive") in $((SECONDS - started)) s; pack built from $(sed -n 's/.*"commit": "\(.*\)".*/\1/p' "$pack/pack-info.json")"

shopt -s nullglob
packages=("$debs"/*.deb)
if [ ${#packages[@]} -gt 0 ]; then
  for deb in "${packages[@]}"; do dpkg -x "$deb" "$work/libs" || die "dpkg -x $deb failed"; done
  export LD_LIBRARY_PATH=$work/libs/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  echo "gpu-run: libraries from ${packages[*]} first on LD_LIBRARY_PATH"
elif loader=$({ ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | awk '/libvulkan\.so\.1 / { print $NF; exit }'); [ ! -s "$loader" ]; then
  die "this machine has no Vulkan loader (libvulkan.so.1) and $debs holds no .deb: run \`apt-get download libvulkan1 libglvnd0\` where Debian's archive is reachable and copy the .deb files into $debs (or set SE_BENCH_DEBS)"
fi

if [ -z "${SE_BENCH_PYTHON:-}" ] && command -v python3 >/dev/null && python3 -c 'import torch' 2>/dev/null; then
  export SE_BENCH_PYTHON=$(command -v python3)
fi
echo "gpu-run: PyTorch anchors with ${SE_BENCH_PYTHON:-/usr/bin/python3}"

golden=--golden=$(pwd)/golden
"$pack/run.sh" devices | tee "$out/devices.txt"
"$pack/run.sh" conformance --device=gpu "$golden" | tee "$out/conformance.txt"
conformance=${PIPESTATUS[0]}
left=$((deadline - (SECONDS - started)))
[ $left -gt 30 ] || die "no time left for the bench ($left s of SE_BENCH_GPU_DEADLINE_S=$deadline)"
echo "gpu-run: bench, stopped after $left s if not done (results kept, marked interrupted)"
timeout --signal=TERM --kill-after=20 $left "$pack/run.sh" bench --device=gpu --batch=8,32,128 --ratios=16 "$golden" --out="$out/bench"
bench=$?
echo "gpu-run: conformance exit $conformance, bench exit $bench, $((SECONDS - started)) s in all; results in $out"
[ "$conformance" -eq 0 ] && [ "$bench" -eq 0 ] || exit 1
