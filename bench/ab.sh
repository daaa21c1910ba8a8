#!/usr/bin/env bash
# Compares two builds of linger (or one build under two settings) on one capture, run by run, in pairs.
#   bash bench/ab.sh PAIRS CAPTURE "A" "B"
# A and B are each "DIR" or "VAR=value,VAR=value DIR" (DIR: a `dotnet publish` output, run through its `linger`
# executable when it has one, else as `dotnet DIR/linger.dll`), optionally followed by extra `linger analyze`
# arguments (split at spaces) after a second space, e.g.
#   bash bench/ab.sh 60 /tmp/bench.pcap /tmp/pubA "DOTNET_TieredCompilation=0 /tmp/pubA"
# The pairs run in ABBA order (A first in odd pairs, B first in even ones), so a machine that speeds up or slows down
# during the run hits both alike. Prints, for wall time and for CPU time (user + system), the medians of A and B, the
# median of the paired differences (B - A), and in how many pairs B was lower.
# On this project's shared 2-core machines, two identical builds differ by up to 6% over 20 pairs and by about 1.3%
# over 60: use 60 pairs or more, and run the same build as A and B first to see the noise of the day. Wall time is
# taken from the shell's clock (microseconds), CPU time from GNU time (/usr/bin/time, needed).
set -euo pipefail
shopt -s inherit_errexit # a failed run stops the comparison
if [[ $# -lt 4 || $1 == -h || $1 == --help ]]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
pairs=$1 capture=$2 a=$3 b=$4
[[ -f $capture ]] || { echo "ab: $capture: no such capture" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "ab: needs GNU time (apt-get install time)" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out" "$out.t"' EXIT

run() { # spec -> "wall cpu"
  local spec=$1 envs=() dir args=()
  if [[ ${spec%% *} == *=* ]]; then
    IFS=',' read -ra envs <<<"${spec%% *}"
    spec=${spec#* }
  fi
  dir=${spec%% *}
  [[ $spec == *' '* ]] && read -ra args <<<"${spec#* }"
  local cmd=("$dir/linger") # a self-contained or native publish runs through its own executable, as the installed tool does
  if [[ ! -x $dir/linger ]]; then
    [[ -f $dir/linger.dll ]] || { echo "ab: neither $dir/linger nor $dir/linger.dll found" >&2; exit 1; }
    cmd=(dotnet "$dir/linger.dll")
  fi
  local t0=$EPOCHREALTIME t1
  if ! env "${envs[@]}" /usr/bin/time -f "%U %S" -o "$out.t" "${cmd[@]}" analyze "$capture" "${args[@]}" >/dev/null; then
    echo "ab: linger failed: $1" >&2
    exit 1
  fi
  t1=$EPOCHREALTIME
  # Wall time from the shell's clock (microseconds; GNU time's %e counts in hundredths), CPU time from GNU time.
  awk -v w="$t1 - $t0" '{ split(w, p, " - "); printf "%.4f %.2f\n", p[1] - p[2], $1 + $2 }' "$out.t"
}

for ((i = 1; i <= pairs; i++)); do
  if ((i % 2)); then ra=$(run "$a"); rb=$(run "$b"); else rb=$(run "$b"); ra=$(run "$a"); fi
  echo "$ra $rb" >>"$out"
  printf '\r%d/%d pairs' "$i" "$pairs" >&2
done
echo >&2

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for k in wall cpu; do
  if [[ $k == wall ]]; then ca=1 cb=3; else ca=2 cb=4; fi
  ma=$(awk -v c=$ca '{ print $c }' "$out" | median)
  mb=$(awk -v c=$cb '{ print $c }' "$out" | median)
  md=$(awk -v x=$ca -v y=$cb '{ print $y - $x }' "$out" | median)
  lower=$(awk -v x=$ca -v y=$cb '$y < $x { n++ } END { print n + 0 }' "$out")
  awk -v k=$k -v ma="$ma" -v mb="$mb" -v md="$md" -v lower="$lower" -v n="$pairs" 'BEGIN {
    printf "%-4s  A median %.3f s  B median %.3f s  paired difference median %+.3f s (%+.1f%%)  B lower in %d of %d\n",
      k, ma, mb, md, (ma > 0 ? 100 * md / ma : 0), lower, n }'
done
