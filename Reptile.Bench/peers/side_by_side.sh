#!/usr/bin/env bash
# Side by side, in one run: ours (Reptile for .NET), PyTorch 1.13 (Debian's python3-torch) and TorchSharp 0.107.0
# (LibTorch 2.10.0) on (a) the paper's 5-way Omniglot meta-iteration and (b) one 5-way 1-shot evaluation task.
#
#   Reptile.Bench/peers/side_by_side.sh [options] [REPTILE_DLL]
#
# REPTILE_DLL: ours, a Release build of the CLI (default: Reptile.Cli/bin/Release/net10.0/reptile.dll of this
# repository; build it with `dotnet build Reptile.Cli -c Release`). Options (defaults in brackets):
#   --rounds N         alternating rounds [5]; odd rounds run ours → PyTorch → TorchSharp, even rounds the reverse
#   --threads "1 2"    thread counts, each run in every round ["1 2"]
#   --meta-iters N     timed meta-iterations per run, every engine [50]
#   --eval-tasks N     timed evaluation tasks per run, every engine [50]
#   --warmup-meta N    the peers' untimed warm-up meta-iterations [5] (ours warms up max(3, N/10) by itself)
#   --warmup-eval N    the peers' untimed warm-up tasks [5]
#   --data DIR         Omniglot npz folder [/work/shared/data/omniglot, else ../shared/data/omniglot]
#   --out DIR          where the log and the results go [runs/side-by-side-<UTC time> in this repository]
#   --nice N           run every command under `nice -n N` (0: not at all) [10]
#   --bench-project P  the Reptile.Bench project for `gemm-quick kernel` [this repository's Reptile.Bench]
#   --skip-gemm        do not run `gemm-quick kernel` first
#
# Writes DIR/side_by_side.log (every command and every line it printed, with /proc/loadavg around each run),
# DIR/results.tsv (round, threads, workload, engine, median ms) and prints the table of medians across rounds with
# the ratios peer / ours (ratio of the medians, and the median of the per-round ratios).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=5
threads_list="1 2"
meta_iters=50
eval_tasks=50
warmup_meta=5
warmup_eval=5
data=""
out=""
nice_level=10
bench_project="$repo/Reptile.Bench"
skip_gemm=0
dll=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads_list=$2; shift 2 ;;
    --meta-iters) meta_iters=$2; shift 2 ;;
    --eval-tasks) eval_tasks=$2; shift 2 ;;
    --warmup-meta) warmup_meta=$2; shift 2 ;;
    --warmup-eval) warmup_eval=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --nice) nice_level=$2; shift 2 ;;
    --bench-project) bench_project=$2; shift 2 ;;
    --skip-gemm) skip_gemm=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) dll=$1; shift ;;
  esac
done
dll=${dll:-$repo/Reptile.Cli/bin/Release/net10.0/reptile.dll}
if [ -z "$data" ]; then
  for d in /work/shared/data/omniglot "$repo/../shared/data/omniglot"; do
    if [ -f "$d/images_background.npz" ]; then data=$d; break; fi
  done
fi
[ -f "$dll" ] || { echo "ours: $dll not found (dotnet build Reptile.Cli -c Release, or pass the path of reptile.dll)" >&2; exit 1; }
[ -f "$data/images_background.npz" ] || { echo "Omniglot data not found (--data DIR)" >&2; exit 1; }
dll=$(cd "$(dirname "$dll")" && pwd)/$(basename "$dll")
data=$(cd "$data" && pwd)
python=/usr/bin/python3
"$python" -c 'import torch' 2>/dev/null || { echo "PyTorch missing: apt-get install -y python3-torch python3-numpy" >&2; exit 1; }
out=${out:-$repo/runs/side-by-side-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/side_by_side.log
tsv=$out/results.tsv
: > "$log"
printf 'round\tthreads\tworkload\tengine\tmedian_ms\n' > "$tsv"
nice_cmd=()
[ "$nice_level" != 0 ] && nice_cmd=(nice -n "$nice_level")

say() { echo "$*" | tee -a "$log"; }

# Runs one command, logs it and its output, and records the median it printed (the first number before " ms" next to
# "median" on a line: the peers print "median X ms", ours "X ms per meta-iteration (median; ...").
run() { # round threads workload engine command...
  local round=$1 t=$2 workload=$3 engine=$4; shift 4
  local output status=0 median
  {
    echo "=== round $round, threads $t, $workload, $engine: $*"
    echo "loadavg before: $(cat /proc/loadavg)"
  } >> "$log"
  output=$("${nice_cmd[@]}" "$@" 2>&1) || status=$?
  printf '%s\n' "$output" >> "$log"
  echo "loadavg after: $(cat /proc/loadavg)  (exit $status)" >> "$log"
  median=$(printf '%s\n' "$output" | "$python" -c '
import re, sys
for line in sys.stdin:
    m = re.search(r"median:? ([0-9.]+) ?ms", line) or re.search(r"([0-9.]+) ?ms per [^\n]*median", line)
    if m:
        print(m.group(1)); break
else:
    print("NA")')
  [ "$status" = 0 ] || median=NA
  printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$t" "$workload" "$engine" "$median" >> "$tsv"
  printf '  round %s  threads %s  %-10s %-22s %10s ms\n' "$round" "$t" "$workload" "$engine" "$median"
}

say "# side_by_side.sh, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "# lscpu: $(lscpu | grep -E '^(Model name|CPU family|Model|Stepping|CPU\(s\)|Thread\(s\) per core|Hypervisor vendor):' | sed 's/  */ /g' | paste -sd ';' -)"
say "# loadavg at the start: $(cat /proc/loadavg)"
say "# ours: $dll ($("${nice_cmd[@]}" dotnet "$dll" --version 2>/dev/null | head -1))"
say "# PyTorch: $("$python" -c 'import torch; print(torch.__version__)')  data: $data"
say "# rounds $rounds, threads [$threads_list], $meta_iters meta-iterations and $eval_tasks evaluation tasks per run; nice ${nice_level}; results in $out"

ours_eval=0
if "${nice_cmd[@]}" dotnet "$dll" bench --help 2>/dev/null | grep -qE '^ +evaluation( |$)'; then
  ours_eval=1
else
  say "# ours: 'reptile bench evaluation' does not exist in this build: ours' evaluation task is skipped"
fi

# The TorchSharp peer: built here (its own project, outside Reptile.sln; the first build restores ~270 MB).
ts_project=$here/torchsharp/TorchSharpPeer.csproj
ts_dll=$here/torchsharp/.build/bin/Release/net10.0/linux-x64/torchsharp-peer.dll
say "# building the TorchSharp peer ($ts_project)"
"${nice_cmd[@]}" dotnet build "$ts_project" -c Release -nologo -v q >> "$log" 2>&1 || { say "TorchSharp peer build failed (see $log)"; exit 1; }

if [ "$skip_gemm" = 0 ]; then
  say "# the machine's measured peak: dotnet run -c Release --project $bench_project -- gemm-quick kernel"
  "${nice_cmd[@]}" dotnet build "$bench_project" -c Release -nologo -v q >> "$log" 2>&1 || { say "Reptile.Bench build failed (see $log)"; exit 1; }
  "${nice_cmd[@]}" dotnet run --no-build -c Release --project "$bench_project" -- gemm-quick kernel 2>&1 | tee -a "$log"
fi

ours() { # round threads
  local r=$1 t=$2
  run "$r" "$t" meta-iter ours-chained dotnet "$dll" bench omniglot --data "$data" --iters "$meta_iters" --threads "$t" --inner-state Chained
  run "$r" "$t" meta-iter ours-averaged dotnet "$dll" bench omniglot --data "$data" --iters "$meta_iters" --threads "$t" --inner-state Averaged
  if [ "$ours_eval" = 1 ]; then
    run "$r" "$t" eval-task ours dotnet "$dll" bench evaluation --data "$data" --threads "$t" --tasks "$eval_tasks"
  fi
}
pytorch() {
  local r=$1 t=$2
  run "$r" "$t" meta-iter pytorch "$python" "$here/omniglot_meta_iter.py" --data "$data" --threads "$t" --iters "$meta_iters" --warmup "$warmup_meta"
  run "$r" "$t" eval-task pytorch "$python" "$here/omniglot_eval_task.py" --data "$data" --threads "$t" --iters "$eval_tasks" --warmup "$warmup_eval"
}
torchsharp() {
  local r=$1 t=$2
  run "$r" "$t" meta-iter torchsharp dotnet "$ts_dll" meta-iter --data "$data" --threads "$t" --iters "$meta_iters" --warmup "$warmup_meta"
  run "$r" "$t" eval-task torchsharp dotnet "$ts_dll" eval-task --data "$data" --threads "$t" --iters "$eval_tasks" --warmup "$warmup_eval"
}

for ((r = 1; r <= rounds; r++)); do
  say "# round $r of $rounds ($(date -u +%H:%M:%S) UTC, loadavg $(cut -d' ' -f1-3 /proc/loadavg))"
  for t in $threads_list; do
    if ((r % 2 == 1)); then ours "$r" "$t"; pytorch "$r" "$t"; torchsharp "$r" "$t"
    else torchsharp "$r" "$t"; pytorch "$r" "$t"; ours "$r" "$t"; fi
  done
done
say "# loadavg at the end: $(cat /proc/loadavg)  ($(date -u '+%Y-%m-%d %H:%M:%S UTC'))"

"$python" - "$tsv" <<'EOF' | tee -a "$log"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def value(r):
    try:
        return float(r["median_ms"])
    except ValueError:
        return None
runs = {}
for r in rows:
    runs.setdefault((r["workload"], r["threads"], r["engine"]), {})[r["round"]] = value(r)
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None
fmt = lambda x: "n/a" if x is None else f"{x:.2f}"
print()
print("Median ms across rounds (per run: the median of its timed iterations); ratio = peer / ours")
print(f"{'workload':<10} {'threads':>7} {'engine':<14} {'median':>9} {'rounds':>22}")
for (w, t, e), per in sorted(runs.items(), key=lambda k: (k[0][0], int(k[0][1]), k[0][2])):
    vals = [per[k] for k in sorted(per, key=int)]
    print(f"{w:<10} {t:>7} {e:<14} {fmt(med(vals)):>9}   " + " ".join(fmt(v) for v in vals))
print()
print(f"{'workload':<10} {'threads':>7} {'peer / ours':<32} {'ratio of medians':>17} {'median of per-round ratios':>27}")
for w, oursnames in (("meta-iter", ("ours-chained", "ours-averaged")), ("eval-task", ("ours",))):
    for t in sorted({k[1] for k in runs if k[0] == w}, key=int):
        for peer in ("pytorch", "torchsharp"):
            for o in oursnames:
                p, q = runs.get((w, t, peer)), runs.get((w, t, o))
                if not p or not q:
                    continue
                per_round = [p[r] / q[r] for r in p if r in q and p[r] and q[r]]
                a, b = med(p.values()), med(q.values())
                ratio = a / b if a and b else None
                print(f"{w:<10} {t:>7} {peer + ' / ' + o:<32} {fmt(ratio):>17} {fmt(med(per_round)):>27}")
EOF
say "# log: $log"
