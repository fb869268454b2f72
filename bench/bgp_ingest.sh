#!/bin/sh
# bgp.ingest: MUP routes per second that catsd takes in over TCP from a
# peer, and bgp.ingest.gobgpd: the same for gobgpd (its version as
# `gobgpd --version` gives it), from the same sender (build/bgp-blast, the
# UPDATE stream of bench/bgpgen.h) in the same run.  Both on loopback, both
# receivers timed alike: from the first UPDATE sent to the answer that
# showed every route, each asked again POLL_MS (50) after its last answer
# (catsd through its control socket, gobgpd through `gobgp global rib
# summary`); each line gives what a query took, which with POLL_MS bounds
# how late the time may be.  POLL_MS is not smaller because every gobgp
# call costs a CPU for tens of ms that gobgpd would otherwise have.
# gobgpd gets fewer routes (GOBGPD_ROUTES, default 200000): it needs
# minutes and gigabytes for a million; both counts are printed.
# catsd's routes each end in a session parameters TLV (draft-ietf-bess-
# mup-safi-01 3.1.5.1, bgp-blast --tlvs): the issue's target is a million
# a second with them; gobgpd's do not (3.10 reads no TLVs).
# Also bgp.bytes_per_route of catsd's RIB at CATSD_ROUTES.  The sender's
# neighbor has max_prefix CATSD_ROUTES: the limit is checked on every
# UPDATE, and reached, not exceeded.
# Exits 77 without gobgpd, gobgp or jq.
set -u
cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
CATSD_ROUTES=${CATSD_ROUTES:-1000000}
GOBGPD_ROUTES=${GOBGPD_ROUTES:-200000}
POLL_MS=${POLL_MS:-50}
BLAST=$O/bgp-blast
CATSD=$O/catsd
for p in "$BLAST" "$CATSD"; do
	[ -x "$p" ] || { echo "bench: no $p"; exit 1; }
done
PIDS=""
. tests/lib/gobgp.sh	# exits 77 without gobgpd, gobgp or jq

T=$(mktemp -d) || exit 1
cleanup() {
	for pid in $PIDS; do kill "$pid" 2>/dev/null; done
	for pid in $PIDS; do wait "$pid" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Loopback ports above 1024: no root needed.
CPORT=$((20000 + $$ % 10000))
GPORT=$((CPORT + 1))
APIPORT=$((CPORT + 2))

# ---------------------------------------------------------------- catsd
cat >"$T/catsd.json" <<JSON
{ "node": { "name": "bench", "address": "::1", "roles": ["locator"] },
  "control": "$T/catsd.sock", "log": { "level": "warning" },
  "signaling": { "port": $((CPORT + 3)) },
  "dataplane": { "backend": "none" },
  "bgp": { "asn": 65000, "router_id": "10.0.0.1", "listen": "::1",
    "port": $CPORT, "hold_time": 180,
    "neighbors": [ { "name": "blast", "address": "::1", "asn": 65000,
      "passive": true, "families": ["ipv6-mup"],
      "max_prefix": $CATSD_ROUTES } ] } }
JSON
"$CATSD" -d -f "$T/catsd.json" >"$T/catsd.log" 2>&1 &
CPID=$!
PIDS="$PIDS $CPID"
for _ in $(seq 100); do [ -S "$T/catsd.sock" ] && break; sleep 0.05; done
[ -S "$T/catsd.sock" ] || { echo "bench: catsd did not start"; cat "$T/catsd.log"; exit 1; }

rss() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }
rss0=$(rss $CPID)
# The sender lingers while the RIB is measured, then is stopped.
"$BLAST" ::1 "$CPORT" "$CATSD_ROUTES" --as 65000 --peer-as 65000 \
    --tlvs --id 10.0.0.2 --until-unix "$T/catsd.sock" \
    '{"cmd":"show","what":"bgp"}' routes --poll-ms "$POLL_MS" --timeout 120 --linger 60 \
    >"$T/blast.out" 2>&1 &
BPID=$!
PIDS="$PIDS $BPID"
for _ in $(seq 1200); do
	grep -q rate= "$T/blast.out" && break
	kill -0 $BPID 2>/dev/null || break
	sleep 0.1
done
c=$(cat "$T/blast.out")
case $c in
*rate=*) ;;
*) echo "bench: catsd did not take the routes: $c"; tail "$T/catsd.log"; exit 1 ;;
esac
crate=$(echo "$c" | sed -n 's/.*rate=\([0-9]*\).*/\1/p')
csec=$(echo "$c" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
cq=$(echo "$c" | sed -n 's/.*query_ms=\([0-9.]*\).*/\1/p')
rib=$("$O/catsctl" -s "$T/catsd.sock" -j show bgp | jq -c .rib)
bytes=$(echo "$rib" | jq .bytes)
routes=$(echo "$rib" | jq .routes)
rss1=$(rss $CPID)
kill $PIDS 2>/dev/null; wait 2>/dev/null; PIDS=""

# ---------------------------------------------------------------- gobgpd
GOBGP_AFI_SAFIS=ipv6-mup
GOBGP_HOLD=180
gver=$(gobgpd --version 2>&1 | sed -n 's/.*version \([^ ]*\).*/\1/p' | head -n 1)
gobgp_neighbor ::1 65000 ""
gobgp_start "$T/gobgp" "$GPORT" "$APIPORT" 65000 10.0.0.100 "::1" || exit 1
if ! g=$("$BLAST" ::1 "$GPORT" "$GOBGPD_ROUTES" --as 65000 --peer-as 65000 \
    --id 10.0.0.2 --until-cmd "gobgp -p $APIPORT global rib summary -a \
    ipv6-mup -j | jq -r .num_path" --poll-ms "$POLL_MS" --timeout 300); then
	echo "bench: gobgpd did not take the routes"; exit 1
fi
gobgp_stop
grate=$(echo "$g" | sed -n 's/.*rate=\([0-9]*\).*/\1/p')
gsec=$(echo "$g" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
gq=$(echo "$g" | sed -n 's/.*query_ms=\([0-9.]*\).*/\1/p')

echo "bgp.ingest: $crate routes/s ($CATSD_ROUTES IPv6 T2ST routes, each with a session parameters TLV, over TCP into catsd's RIB in $csec s: first UPDATE sent -> catsd's control socket showing them all, asked every $POLL_MS ms after an answer, $cq ms a query; target 1000000)"
echo "bgp.ingest.gobgpd: $grate routes/s ($GOBGPD_ROUTES of the same routes, without the TLV, from the same sender into gobgpd ${gver:-of unknown version} in $gsec s: first UPDATE sent -> gobgp's rib summary showing them all, asked every $POLL_MS ms after an answer, $gq ms a query)"
awk -v c="$crate" -v g="$grate" -v cn="$CATSD_ROUTES" -v gn="$GOBGPD_ROUTES" 'BEGIN { printf "bgp.ingest.ratio: %.1f x (bgp.ingest over bgp.ingest.gobgpd: catsd taking %d routes with a TLV each against gobgpd taking %d without, both timed alike; target 3)\n", c / g, cn, gn }'
awk -v b="$bytes" -v r="$routes" -v d=$((rss1 - rss0)) 'BEGIN { printf "bgp.bytes_per_route: %.1f bytes (catsd RIB with %d routes, rib.bytes / rib.routes; the daemon grew by %.1f bytes a route in resident memory)\n", b / r, r, d / r }'
