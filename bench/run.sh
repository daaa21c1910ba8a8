#!/usr/bin/env bash
# The analyze benchmark: linger analyze versus tshark -q -z conv,tcp on the same synthetic capture, in the same
# run, on this machine. Prints a Markdown table of medians and ratios (paste it into BENCHMARKS.md).
#   bash bench/run.sh [PACKETS] [RUNS]        defaults: 2000000 packets, 5 runs each
# Needs tshark and GNU time (installed with apt-get when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
packets=${1:-2000000}
runs=${2:-5}
format=${FORMAT:-jsonl}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for pair in tshark:tshark time:/usr/bin/time; do
  pkg=${pair%%:*}; cmd=${pair#*:}
  if ! command -v "$cmd" >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] || { echo "bench: $pkg is missing; install it (apt-get install $pkg)" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
  fi
done

# linger is measured as a release is built: published for this machine's RID, framework-dependent, ReadyToRun
# (Linger.Cli.csproj turns ReadyToRun on for RID-specific publishes; the linux-x64 tool package is built the same way).
rid=${RID:-linux-x64}
echo "==> publish (Release, $rid, ReadyToRun)" >&2
dotnet publish src/Linger.Cli -c Release -r "$rid" --self-contained false -o "$work/linger" -nologo -v quiet >&2
dotnet build bench/Linger.Bench -c Release -nologo -v quiet >&2
linger=(dotnet "$work/linger/linger.dll")

echo "==> generate $packets packets" >&2
dotnet bench/Linger.Bench/bin/Release/net10.0/linger-bench.dll generate "$work/bench.pcap" --packets "$packets" | tee "$work/gen.txt" >&2
size=$(stat -c %s "$work/bench.pcap")
cat "$work/bench.pcap" >/dev/null # warm the page cache for both tools alike

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >"$work/$name.out" 2>"$work/$name.err" || { cat "$work/$name.err" >&2; exit 1; }
  cat "$work/t"
}

for ((i = 1; i <= runs; i++)); do
  echo "==> run $i/$runs" >&2
  measure linger "${linger[@]}" analyze "$work/bench.pcap" --format "$format" >>"$work/linger.times"
  measure tshark tshark -q -z conv,tcp -r "$work/bench.pcap" >>"$work/tshark.times"
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
lt=$(cut -d' ' -f1 "$work/linger.times" | median); lm=$(cut -d' ' -f2 "$work/linger.times" | median)
tt=$(cut -d' ' -f1 "$work/tshark.times" | median); tm=$(cut -d' ' -f2 "$work/tshark.times" | median)
lconv=$(if [[ $format == jsonl ]]; then wc -l <"$work/linger.out"; else echo "?"; fi)
tconv=$(grep -c '<->' "$work/tshark.out")

actual=$(sed -nE "s/.*packets=([0-9]+).*/\1/p" "$work/gen.txt")
awk -v p="${actual:-$packets}" -v s="$size" -v lt="$lt" -v lm="$lm" -v tt="$tt" -v tm="$tm" -v runs="$runs" \
    -v lc="$lconv" -v tc="$tconv" -v fmt="$format" -v gen="$(cat "$work/gen.txt")" 'BEGIN {
  printf "Capture: %s (%.0f MB)\n\n", gen, s / 1e6
  printf "| tool | median wall time | packets/s | median peak RSS | conversations |\n|---|---|---|---|---|\n"
  printf "| linger analyze --format %s | %.2f s | %.0f | %.0f MB | %s |\n", fmt, lt, p / lt, lm / 1024, lc
  printf "| tshark -q -z conv,tcp | %.2f s | %.0f | %.0f MB | %s |\n\n", tt, p / tt, tm / 1024, tc
  printf "Throughput ratio (linger / tshark): **%.1f×** (target ≥ 30×). Peak memory ratio (linger / tshark): **%.3f** (target ≤ 0.25). Medians of %d runs each.\n", tt / lt, lm / tm, runs
}'
