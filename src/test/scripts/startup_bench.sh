#!/usr/bin/env bash
# Startup benchmark (issue 19; docs/performance.md "Startup"): wall time and CPU time (user+sys of the
# whole process tree, /usr/bin/time) of fresh-JVM runs of
#   head LEDGER                          the latest signed checkpoint
#   record LEDGER --key K --log F        one new JSON line appended to F before each call
#   --version                            the floor: JVM + jar + command line, no ledger
# through bin/trainproof (class-data archive, light JVM flags) and through the plain jar
# (java -jar target/trainproof.jar: no archive, default JVM flags). Launchers alternate run by run so
# both see the same load. Prints every run, then per command and launcher the median over RUNS of
# wall and CPU seconds, with the 1/5/15-minute load average at the end of that command's runs.
# Usage: src/test/scripts/startup_bench.sh [RUNS] [LAUNCHER...]
#   RUNS defaults to 7 (at least 5 is what the docs quote); LAUNCHERs default to the two above,
#   e.g. startup_bench.sh 9 "$PWD/bin/trainproof" to time one.
# Needs a built jar (mvn -q -DskipTests package) and GNU time at /usr/bin/time.
set -euo pipefail
runs=${1:-7}
[ "$runs" -ge 1 ] || { echo "RUNS must be >= 1" >&2; exit 2; }
shift || true
root=$(cd "$(dirname "$0")/../../.." && pwd)
if [ $# -gt 0 ]; then launchers=("$@"); else launchers=("$root/bin/trainproof" "java -jar $root/target/trainproof.jar"); fi
[ -f "$root/target/trainproof.jar" ] || { echo "build first: mvn -q -DskipTests package" >&2; exit 4; }
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 4; }
dir=$(mktemp -d /tmp/trainproof-startup.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
first=${launchers[0]}
$first keygen --name bench.example/lab --out k >/dev/null
$first init --key k.key --origin bench.example/run l.db >/dev/null
echo '{"step": 0, "loss": 3.0}' > train.jsonl
$first record l.db --key k.key --log train.jsonl >/dev/null
# One untimed call per launcher, so a first run's one-time work (the archive, the SQLite library cache) is not timed.
for l in "${launchers[@]}"; do $l head l.db >/dev/null; done

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
step=0
for name in head record version; do
  for li in "${!launchers[@]}"; do : > "$dir/wall.$name.$li"; : > "$dir/cpu.$name.$li"; done
  for i in $(seq 1 "$runs"); do
    for li in "${!launchers[@]}"; do
      l=${launchers[$li]}
      case $name in
        head) args=(head l.db) ;;
        record) step=$((step + 1)); echo "{\"step\": $step, \"loss\": 2.$step}" >> train.jsonl; args=(record l.db --key k.key --log train.jsonl) ;;
        version) args=(--version) ;;
      esac
      /usr/bin/time -f '%e %U %S %M' -o "$dir/t" $l "${args[@]}" > "$dir/out" || { echo "failed: $l ${args[*]}" >&2; cat "$dir/out" >&2; exit 1; }
      if [ "$name" = record ] && ! grep -q '1 new records' "$dir/out"; then echo "record did not append exactly one record: $(cat "$dir/out")" >&2; exit 1; fi
      read -r wall user sys rss < "$dir/t"
      cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
      echo "$wall" >> "$dir/wall.$name.$li"; echo "$cpu" >> "$dir/cpu.$name.$li"
      echo "  $name run $i [$l]: wall ${wall}s cpu ${cpu}s maxrss $((rss / 1024))MB load $(cut -d' ' -f1 /proc/loadavg)"
    done
  done
  for li in "${!launchers[@]}"; do
    printf '%-8s median of %d: wall %5.2fs  cpu %5.2fs  (load average %s)  %s\n' "$name" "$runs" \
      "$(median < "$dir/wall.$name.$li")" "$(median < "$dir/cpu.$name.$li")" "$(load)" "${launchers[$li]}" | tee -a "$dir/summary"
  done
done
echo "== summary ($(nproc) cores, $(java -version 2>&1 | head -1))"
cat "$dir/summary"
