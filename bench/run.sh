#!/usr/bin/env bash
# The analyze benchmark: linger analyze versus tshark -q -z conv,tcp on the same synthetic capture, in the same
# run, on this machine. Prints a Markdown table of medians and ratios (paste it into BENCHMARKS.md).
#   bash bench/run.sh [PACKETS] [RUNS]        defaults: 2000000 packets, 5 runs each
# linger runs twice per round: as the issue names it (`linger analyze FILE`: the default table, a row per
# conversation and the summary, like tshark's conversation table) and with `--format jsonl` (every field, about
# 770 bytes per conversation). The three commands alternate, so a busy moment hits them alike.
# Needs tshark, GNU time and gcc (installed with apt-get when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
packets=${1:-2000000}
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for pair in tshark:tshark time:/usr/bin/time gcc:gcc; do # gcc: the linker of linger's Native AOT build
  pkg=${pair%%:*}; cmd=${pair#*:}
  if ! command -v "$cmd" >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] || { echo "bench: $pkg is missing; install it (apt-get install $pkg)" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
  fi
done

# linger is measured as a release is built: published for this machine's RID, which Linger.Cli.csproj makes the
# precompiled build (Native AOT: one native executable, no JIT); the linux-x64 tool package is built the same way.
rid=${RID:-linux-x64}
echo "==> publish (Release, $rid, Native AOT)" >&2
dotnet publish src/Linger.Cli -c Release -r "$rid" -o "$work/linger" -nologo -v quiet >&2
dotnet build bench/Linger.Bench -c Release -nologo -v quiet >&2
linger=("$work/linger/linger")

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
  measure table "${linger[@]}" analyze "$work/bench.pcap" >>"$work/table.times"
  measure jsonl "${linger[@]}" analyze "$work/bench.pcap" --format jsonl >>"$work/jsonl.times"
  measure tshark tshark -q -z conv,tcp -r "$work/bench.pcap" >>"$work/tshark.times"
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { cut -d' ' -f"$2" "$work/$1.times" | median; }
tt=$(col tshark 1); tm=$(col tshark 2)
tconv=$(grep -c '<->' "$work/tshark.out")
jconv=$(wc -l <"$work/jsonl.out")
# The table's summary counts the conversations ("N conversations"); the rows are one per conversation too.
bconv=$(sed -nE 's/^  ([0-9,]+) conversations$/\1/p' "$work/table.out" | tr -d ,)

actual=$(sed -nE "s/.*packets=([0-9]+).*/\1/p" "$work/gen.txt")
awk -v p="${actual:-$packets}" -v s="$size" -v runs="$runs" -v gen="$(cat "$work/gen.txt")" \
    -v bt="$(col table 1)" -v bm="$(col table 2)" -v bc="$bconv" \
    -v jt="$(col jsonl 1)" -v jm="$(col jsonl 2)" -v jc="$jconv" \
    -v tt="$tt" -v tm="$tm" -v tc="$tconv" 'BEGIN {
  printf "Capture: %s (%.0f MB)\n\n", gen, s / 1e6
  printf "| command | median wall time | packets/s | median peak RSS | conversations | throughput vs tshark | memory vs tshark |\n|---|---|---|---|---|---|---|\n"
  printf "| linger analyze FILE (table) | %.2f s | %.0f | %.0f MB | %s | **%.1f×** | %.3f |\n", bt, p / bt, bm / 1024, bc, tt / bt, bm / tm
  printf "| linger analyze FILE --format jsonl | %.2f s | %.0f | %.0f MB | %s | **%.1f×** | %.3f |\n", jt, p / jt, jm / 1024, jc, tt / jt, jm / tm
  printf "| tshark -q -z conv,tcp -r FILE | %.2f s | %.0f | %.0f MB | %s | 1 | 1 |\n\n", tt, p / tt, tm / 1024, tc
  printf "Targets: throughput at least 30× tshark, peak memory at most 0.25 of it. Medians of %d runs each, alternated.\n", runs
}'
