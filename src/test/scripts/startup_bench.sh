#!/usr/bin/env bash
# Startup benchmark (issue 19): wall and CPU time of `trainproof head` and of `record --log` of one
# new log chunk (one JSON line appended before each call), each a fresh JVM, median of RUNS.
# Usage: src/test/scripts/startup_bench.sh [RUNS] [LAUNCHER]
#   LAUNCHER defaults to bin/trainproof (which uses the class-data archive when it can);
#   pass "java -jar target/trainproof.jar" to time the plain jar without it.
# Prints one line per run and a median line per command, with the 1-minute load average.
set -euo pipefail
runs=${1:-7}
root=$(cd "$(dirname "$0")/../../.." && pwd)
launcher=${2:-$root/bin/trainproof}
dir=$(mktemp -d /tmp/trainproof-startup.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
$launcher keygen --name bench.example/lab --out k >/dev/null
$launcher init --key k.key --origin bench.example/run l.db >/dev/null
echo '{"step": 0, "loss": 3.0}' > train.jsonl
$launcher record l.db --key k.key --log train.jsonl >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

bench() {
  local name=$1; shift
  : > "$dir/wall.$name"; : > "$dir/cpu.$name"
  for i in $(seq 1 "$runs"); do
    if [ "$name" = record ]; then echo "{\"step\": $i, \"loss\": 2.$i}" >> train.jsonl; fi
    /usr/bin/time -f '%e %U %S' -o "$dir/t" "$@" >/dev/null
    read -r wall user sys < "$dir/t"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
    echo "$wall" >> "$dir/wall.$name"; echo "$cpu" >> "$dir/cpu.$name"
    echo "$name run $i: wall ${wall}s cpu ${cpu}s load $(cut -d' ' -f1 /proc/loadavg)"
  done
  echo "$name: median wall $(median < "$dir/wall.$name")s, median cpu $(median < "$dir/cpu.$name")s over $runs runs (load average $(cut -d' ' -f1-3 /proc/loadavg); launcher: $launcher)"
}

bench head $launcher head l.db
bench record $launcher record l.db --key k.key --log train.jsonl
