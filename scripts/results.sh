#!/bin/sh
# make results: docs/results.md and its plots, from cats-sim's scale runs
# (docs/scale.md).  Three runs, each a fixed world and seed:
#   abilene-policies  every policy on Abilene, reactive-locator moves
#   abilene-mobility  every handover method, with and without transaction
#                     switching, under the response-time policy
#   synthetic         every policy on a generated world of 1000 sites
# The runs' data stays in $O/results/NAME (summary.csv, cdf.dat,
# load.dat, interruption.dat, plots.gp); the plots and the tables go to
# docs/results/ and docs/results.md.
set -eu
O=${O:-build}
SIM=$O/cats-sim
OUT=$O/results
DOCS=docs/results
SYN_SITES=${SYN_SITES:-1000}
SYN_CLIENTS=${SYN_CLIENTS:-200000}

command -v gnuplot >/dev/null || { echo "results: gnuplot is missing (make deps)" >&2; exit 1; }
mkdir -p "$OUT" "$DOCS"

# run NAME ARGS...: one cats-sim world run into $OUT/NAME, timed.
run() {
	name=$1; shift
	rm -rf "${OUT:?}/$name"; mkdir -p "$OUT/$name"
	echo "results: $name: cats-sim world $*" >&2
	t0=$(date +%s.%N)
	"$SIM" world "$@" --out "$OUT/$name" >"$OUT/$name/stdout" ||
	    { echo "results: $name failed" >&2; exit 1; }
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "%.1f\n", $2 - $1 }' >"$OUT/$name/wall_s"
	for f in "$OUT/$name"/*.png "$OUT/$name"/*.svg; do
		[ -s "$f" ] || { echo "results: $name: no plot $f" >&2; exit 1; }
	done
	rm -rf "${DOCS:?}/$name"; mkdir -p "$DOCS/$name"
	# every plot as PNG; the main ones also as SVG (a per-site SVG is
	# 250 kB)
	cp "$OUT/$name"/*.png "$OUT/$name/cdf.svg" "$OUT/$name/load.svg" \
	    "$OUT/$name/interruption.svg" "$OUT/$name/summary.csv" "$DOCS/$name/"
}

run abilene-policies data/worlds/abilene.world
run abilene-mobility data/worlds/abilene.world --policies response-time \
	--methods none,proactive,reactive-locator,reactive-prefix --switch both
run synthetic --generate "$SYN_SITES" --clients "$SYN_CLIENTS" --seed 1 \
	--write "$OUT/synthetic-world"
rm -f "$DOCS/synthetic-world".*
cp "$OUT/synthetic-world.world" "$DOCS/synthetic.world"

# A column of a variant's row in a run's summary.csv.
col() {
	awk -F, -v p="$2" -v m="$3" -v s="$4" -v c="$5" '
	    NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
	    $1 == p && $2 == m && $3 == s { print $k[c] }' "$OUT/$1/summary.csv"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
ncpu=$(nproc)
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
kernel=$(uname -r)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo " (with local changes)" || true)

rt_p95=$(col abilene-policies response-time reactive-locator no p95_ms)
near_p95=$(col abilene-policies nearest reactive-locator no p95_ms)
or_p95=$(col abilene-policies oracle reactive-locator no p95_ms)
rt_miss=$(col abilene-policies response-time reactive-locator no missed_pct)
near_miss=$(col abilene-policies nearest reactive-locator no missed_pct)
none_lost=$(col abilene-mobility response-time none no lost)
pro_int=$(col abilene-mobility response-time proactive no ho_mean_ms)
loc_int=$(col abilene-mobility response-time reactive-locator no ho_mean_ms)
pfx_int=$(col abilene-mobility response-time reactive-prefix no ho_mean_ms)
syn_rt=$(col synthetic response-time reactive-locator no p95_ms)
syn_l2=$(col synthetic l2 reactive-locator no p95_ms)
syn_near=$(col synthetic nearest reactive-locator no p95_ms)
syn_or=$(col synthetic oracle reactive-locator no p95_ms)

{
cat <<EOF2
# Results: CATS against nearest, round-robin and the rest, at scale

Written by \`make results\` (scripts/results.sh) from cats-sim's scale
engine ([scale.md](scale.md) says what is modelled and how); do not edit by
hand.  Commit $rev$dirty, $(date -u +%Y-%m-%d).  Machine: $cpu, $ncpu
cores, $mem, Linux $kernel.  Every run is one process, one core.

In short, on Abilene with edge sites at its 11 PoPs:

- CATS (the C-PS's response-time policy) answers 95 % of the transactions
  within **$rt_p95 ms**, where steering to the nearest site takes
  **$near_p95 ms**: the small sites at most PoPs cannot carry their own
  clients' analytics jobs, and their queues grow without bound under
  nearest, round-robin and random steering.  $rt_miss % of the
  transactions miss their service's requirement under CATS, $near_miss %
  under nearest.
- The oracle, which decides every transaction with every site's true
  queue at that instant, reaches $or_p95 ms: the price of deciding once a
  session, on metrics that are sampled every second, smoothed over 5 s,
  damped and 200 ms late.
- Without a mobility method, $none_lost results are lost (sent to the
  ingress the client has left).  With one, none is; a move interrupts the
  client for $pro_int ms (proactive), $loc_int ms (reactive, locator) or
  $pfx_int ms (reactive, prefix) on average, as the packet-level engine
  measured each move on Abilene's delays.
- On a generated world of $SYN_SITES sites and $SYN_CLIENTS clients, the
  p95 is $syn_rt ms under the response-time policy, $syn_l2 ms under the
  L2 score, $syn_near ms under nearest and $syn_or ms for the oracle.
  Where sites have one or two servers, a second's utilisation is noisy and
  the response-time prediction (M/M/c) swings with it; 200 ingresses then
  send new sessions to whichever site last looked idle.  The L2 score,
  which caps every metric's influence, is steadier ([scale.md](scale.md)
  section 6).

The tables: response times of the transactions whose result arrived
(mean, percentiles); *missed*: transactions lost or slower than their
service's max_ms (or refused); *lost*: results that never reached their
client; *dup*: results delivered twice (from the engine's plays);
*handover*: moves; *int.*: the interruption of each move (mean, p95);
*msg/ho*: signaling per move (and per transaction switch); *msg/s*: all
signaling and metric updates per second of the hour.

## 1. Abilene: every policy

\`$SIM world data/worlds/abilene.world\`
(data/worlds/abilene.world, seed 1: 100 000 clients over one hour, about
3 300 at once, a transaction every 5 s each, a move to a neighbouring PoP
about every 2 minutes, reactive-locator handovers; $(cat "$OUT/abilene-policies/wall_s") s of wall time
for the seven runs.)

$(cat "$OUT/abilene-policies/summary.md")

![Response time CDF](results/abilene-policies/cdf.svg)

![Busiest site's utilisation](results/abilene-policies/load.svg)

Every site's utilisation, one plot per policy:
[response-time](results/abilene-policies/load-0.png),
[l2](results/abilene-policies/load-1.png),
[nearest](results/abilene-policies/load-2.png),
[round-robin](results/abilene-policies/load-3.png),
[random](results/abilene-policies/load-4.png),
[least-loaded](results/abilene-policies/load-5.png),
[oracle](results/abilene-policies/load-6.png) (site N: the Nth site line of
the world file).

## 2. Abilene: handover methods and transaction switching

\`$SIM world data/worlds/abilene.world --policies response-time --methods none,proactive,reactive-locator,reactive-prefix --switch both\`
($(cat "$OUT/abilene-mobility/wall_s") s.)

$(cat "$OUT/abilene-mobility/summary.md")

![Interruption per method](results/abilene-mobility/interruption.svg)

![Response time CDF](results/abilene-mobility/cdf.svg)

## 3. A synthetic world of $SYN_SITES sites

\`$SIM world --generate $SYN_SITES --clients $SYN_CLIENTS --seed 1\`
(the generator's world is in [results/synthetic.world](results/synthetic.world)
with its edge list left in $OUT; $(cat "$OUT/synthetic/wall_s") s.)

$(cat "$OUT/synthetic/summary.md")

![Response time CDF](results/synthetic/cdf.svg)

![Busiest site's utilisation](results/synthetic/load.svg)
EOF2
} >docs/results.md
echo "results: docs/results.md and $DOCS/ written" >&2
