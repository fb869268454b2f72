#!/bin/sh
# testbed/run.sh: the CATS testbed in network namespaces (docs/testbed.md).
#
#   testbed/run.sh up                  bring the topology up, wait for Ctrl-C
#   testbed/run.sh scenario NAME...    bring it up, run the scenarios, tear down
#   testbed/run.sh all                 every scenario, with ladder and pcap
#   testbed/run.sh bench               handover and set-up times, select's response times
#   testbed/run.sh down                remove what a crashed run left behind
#
# Scenarios: delay select proactive reactive-locator reactive-prefix
# transaction-switch curl.  Root and a working "ip netns" are needed; the
# exit status is 0 when every scenario passed, 77 when the testbed cannot
# run here, 1 otherwise.  Everything is removed on exit or interrupt.
#
# Environment: TB_BIN (build), TB_TOPO (testbed/topology.conf), TB_OUT
# (build/testbed: ladders, pcap, logs), TB_REPEAT (1: each scenario that
# many times), TB_KEEP=1 keeps the work directory.
set -u
cd "$(dirname "$0")/.." || exit 1
. testbed/lib.sh
. testbed/scenarios.sh

cmd=${1:-}
[ $# -gt 0 ] && shift
TB_OUT=${TB_OUT:-build/testbed}

case $cmd in
up|scenario|all|bench|down) ;;
*) sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2;;
esac

why=$(tb_can_run) || { echo "testbed: skipped: $why"; exit 77; }
tb_init || exit 1
tb_parse || exit 1

# Whatever happens, our processes and namespaces go.
tb_exit() {
	_st=$?
	trap - EXIT INT TERM
	[ "${TB_UP:-0}" = 1 ] && { tb_capture_stop; tb_down; }
	exit $_st
}
trap tb_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tb_clean_stale
[ "$cmd" = down ] && exit 0

# ------------------------------------------------------------------ bring up
tb_bring_up() {
	_t=$(tb_now_ns)
	tb_up || return 1
	# transaction switching needs catsd's egress side of it: probe
	tb_txswitch_supported && TB_TXSWITCH=true || TB_TXSWITCH=false
	tb_start || return 1
	echo "testbed: up in $(( ($(tb_now_ns) - _t) / 1000000 )) ms: namespaces ${TB_P}*," \
	    "client $TB_CLIENT, ingresses$TB_INGRESSES, egresses$TB_EGRESSES (sites$TB_SITES)," \
	    "controller $TB_CONTROLLER${TB_LOCATOR:+, locator $TB_LOCATOR}; work dir $TB_DIR"
	echo "testbed: link delays: netem $TB_NETEM"
	_i=${TB_INGRESSES# }; _i=${_i%% *}
	echo "testbed: data plane: $(ctl "$_i" -j show dataplane |
	    jq -r '"\(.backend) (\(.why))"')"
	echo "testbed: transaction switching in catsd: $([ "$TB_TXSWITCH" = true ] && echo yes || echo 'no (scenario skipped)')"
}

# ------------------------------------------------------------------ ladder
# The message ladder of a capture: "TIME_MS SRC -> DST KIND seq=N", node
# names for addresses, time from the first message, without the messages
# of kind $2 if given.  The kinds come from catsctl's decoder, the times
# and addresses from tshark.
tb_ladder() {
	_pcap=$1
	"$CTL" pkt decode -r "$_pcap" 2>/dev/null |
	    awk '/^    "packet":/ { gsub(/[^0-9]/, ""); p = $0 }
		 /^    "kind":/ { v = $2; gsub(/[",]/, "", v); k[p] = v }
		 /^    "seq":/ { v = $2; gsub(/,/, "", v); s[p] = v }
		 END { for (i in k) print i, k[i], s[i] }' | sort -n >"$TB_DIR/kinds.txt"
	tshark -r "$_pcap" -T fields -e frame.number -e frame.time_epoch \
	    -e ipv6.src -e ipv6.dst 2>/dev/null >"$TB_DIR/frames.txt"
	_names=""
	for _n in $TB_NODES; do _names="$_names $(tb_core "$_n")=$(tb_name "$_n")"; done
	awk -v names="$_names" -v skip="${2:-}" '
	    BEGIN { n = split(names, a, " "); for (i = 1; i <= n; i++) { split(a[i], b, "="); nm[b[1]] = b[2] } }
	    NR == FNR { k[$1] = $2; s[$1] = $3; next }
	    skip != "" && k[$1] == skip { next }
	    { if (t0 == "") t0 = $2
	      src = ($3 in nm) ? nm[$3] : $3; dst = ($4 in nm) ? nm[$4] : $4
	      printf "%9.1f %s -> %s %s seq=%s\n", ($2 - t0) * 1000, src, dst,
		  ($1 in k) ? k[$1] : "?", s[$1] }' "$TB_DIR/kinds.txt" "$TB_DIR/frames.txt"
}

# Checks of the capture: tshark shows every message as a Binding Update or
# Acknowledgement with nothing malformed, and catsctl decodes every one.
# Every count is from a tshark (or catsctl) that succeeded: a tshark that
# fails (a bad filter: exit 2, no output) is not "0 malformed".
tb_count() {		# tb_count PCAP [FILTER]: packets, or fail
	if [ $# -gt 1 ]; then
		_tcn=$(tshark -r "$1" -Y "$2" 2>"$TB_DIR/tshark.err") || return 1
	else
		_tcn=$(tshark -r "$1" 2>"$TB_DIR/tshark.err") || return 1
	fi
	printf '%s' "$_tcn" | grep -c .
	return 0
}
tb_check_pcap() {
	_pcap=$1
	_all=$(tb_count "$_pcap") &&
	    _mh=$(tb_count "$_pcap" "mip6.mhtype == 5 || mip6.mhtype == 6") &&
	    _bad=$(tb_count "$_pcap" "_ws.malformed || _ws.expert.severity >= warning") ||
	    { echo "pcap: tshark failed: $(cat "$TB_DIR/tshark.err")"; return 1; }
	_cats=$("$CTL" pkt decode -r "$_pcap" 2>"$TB_DIR/decode.err" | grep -c '^    "checksum": "ok"')
	echo "pcap: $_all messages; tshark: $_mh Binding Update/Acknowledgement, $_bad malformed or with warnings; catsctl: $_cats decoded, checksums verified"
	[ "$_all" -gt 0 ] && [ "$_mh" -eq "$_all" ] && [ "$_bad" -eq 0 ] && [ "$_cats" -eq "$_all" ]
}

# ------------------------------------------------------------------ runs
# tb_run_set NAME...: each scenario TB_REPEAT times under one signaling
# capture; the ladder and pcap go to TB_OUT.
tb_run_set() {
	mkdir -p "$TB_OUT"
	_fails=0 _passes=0 _skips=0
	# A skip is said ("testbed: SKIP WHAT: WHY", which tests/sh/testbed.sh
	# counts) and counted, never passed over in silence.
	_cap=1
	if ! command -v dumpcap >/dev/null 2>&1; then
		_cap=0; _skips=$((_skips + 1))
		echo "testbed: SKIP the signaling capture and its checks: no dumpcap"
	elif ! tb_capture_start "$TB_DIR/signaling.pcap"; then
		echo "FAIL: dumpcap did not start: $(cat "$TB_DIR/dumpcap.log")"; _fails=$((_fails + 1))
	fi
	for _s in "$@"; do
		_r=0
		while [ $_r -lt "${TB_REPEAT:-1}" ]; do
			tb_scenario "$_s"
			case $? in
			0) _passes=$((_passes + 1));;
			77) _skips=$((_skips + 1)); break;;
			*) _fails=$((_fails + 1));;
			esac
			_r=$((_r + 1))
		done
	done
	tb_capture_stop
	echo
	echo "== summary"
	printf '%s' "$TB_SUMMARY"
	if [ $_cap -eq 1 ] && [ ! -s "$TB_DIR/signaling.pcap" ]; then
		echo "FAIL: the capture of all signaling is empty or missing: $(cat "$TB_DIR/tshark.err" 2>/dev/null)"
		_fails=$((_fails + 1))
	elif [ $_cap -eq 1 ]; then
		cp "$TB_DIR/signaling.pcap" "$TB_OUT/signaling.pcap"
		# the agents' periodic metric reports are in the pcap; the
		# ladder, which is for reading, leaves them out and says so
		tb_ladder "$TB_OUT/signaling.pcap" metric-report >"$TB_OUT/signaling.ladder"
		echo "ladder: $TB_OUT/signaling.ladder ($(wc -l <"$TB_OUT/signaling.ladder") messages; $(grep -c " metric-report " "$TB_DIR/kinds.txt") metric reports left out)"
		tb_check_pcap "$TB_OUT/signaling.pcap" || { echo "FAIL: the capture"; _fails=$((_fails + 1)); }
	fi
	for _n in $TB_NODES $TB_SITES; do cp "$TB_DIR/$_n.log" "$TB_OUT/" 2>/dev/null; done
	if grep -h "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" "$TB_DIR"/*.log; then
		echo "FAIL: sanitizer report"; _fails=$((_fails + 1))
	fi
	echo "testbed: $_passes passed, $_fails failed, $_skips skipped"
	[ $_fails -eq 0 ]
}

# median of the numbers on stdin ("none" lines count as failures)
tb_median() { grep -v none | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "none"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The bench: 20 handovers of each kind, each a transaction moved from
# ingress1 to ingress2 (proactive) or ingress3 (reactive, by prefix); the
# time is from the new ingress's first signaling message after the attach
# to the first result captured on the client's new link (see
# tb_data_start in scenarios.sh for why not from the catsctl command).  Set-up: from the first
# packet of a CATS-unaware client (its request, held by ingress1 while
# the session is set up) to the first result, both captured on its link.
# (the loop variables are _b*: the scenario functions use _i, _n, ...)
tb_bench() {
	_bn=${TB_BENCH_N:-20}
	TB_COUNT=400 TB_INTERVAL=5	# 2 s: the move comes after half (scenarios.sh),
				# with a second left for the move itself
	_log=$TB_DIR/bench.log
	TB_BENCHING=1
	for _bk in proactive reactive; do
		tb_data_start
		_bi=0
		while [ $_bi -lt "$_bn" ]; do
			if [ $_bk = proactive ]; then sc_proactive; else sc_reactive_prefix; fi >>"$_log" 2>&1 ||
			    { echo "testbed: bench: a $_bk handover failed:"; tail -n 3 "$_log"; return 1; }
			_bi=$((_bi + 1))
		done
		tb_data_stop
		tb_attach_to_first >"$TB_DIR/bench.$_bk"
	done
	TB_BENCHING=
	# set-up: the data capture on ingress1's link, one unaware client each
	: >"$TB_DIR/bench.setup"
	_bi=0
	_bi1=$(tb_ingress 1)
	while [ $_bi -lt "$_bn" ]; do
		tb_new_client; _addr=$TB_ADDR
		tb_client_place "$_addr" "$(tb_link_of "$_bi1")"
		_l=$(tb_link_of "$_bi1")
		tb_dump "$TB_CLIENT" "$TB_DIR/req.pcapng" "udp port $TB_SVC_port" "$_l"
		_rq=$TB_DP
		tb_run_client "$_addr" 1 5 5 "$TB_DIR/setup.client"
		tb_wait_client
		tb_undump $_rq
		tb_client_ok "$TB_DIR/setup.client" 5 || { echo "testbed: bench: set-up failed: $(cat "$TB_DIR/setup.client")"; return 1; }
		_req=$(tshark -r "$TB_DIR/req.pcapng" -Y "udp.dstport == $TB_SVC_port" -T fields -e frame.time_epoch 2>/dev/null | head -n 1)
		_res=$(tshark -r "$TB_DIR/req.pcapng" -Y "udp.srcport == $TB_SVC_port" -T fields -e frame.time_epoch 2>/dev/null | head -n 1)
		echo "$_req $_res" | awk 'NF == 2 { printf "%.2f\n", ($2 - $1) * 1000; next } { print "none" }' >>"$TB_DIR/bench.setup"
		ctl "$_bi1" client detach "$_addr" >/dev/null
		tb_client_unplace "$_addr" "$(tb_link_of "$_bi1")"
		_bi=$((_bi + 1))
	done
	# Each median is over all $_bn samples it names: a sample that is
	# "none" (no result after the move, a packet not captured) or missing
	# is not dropped but fails the figure, and the bench (exit 1).
	_bfail=0
	for _bk in proactive reactive setup; do
		_bgot=$(grep -c . "$TB_DIR/bench.$_bk")
		_bnone=$(grep -c none "$TB_DIR/bench.$_bk")
		case $_bk in
		proactive) _bw="testbed.handover_ms.proactive"
		    _bc="the new ingress's first message after the attach -> first result on the client's new link" ;;
		reactive) _bw="testbed.handover_ms.reactive"
		    _bc="old ingress found by prefix; same method" ;;
		setup) _bw="testbed.setup_ms"
		    _bc="an unaware client's first request packet -> first result, on its link" ;;
		esac
		if [ "$_bgot" -eq "$_bn" ] && [ "$_bnone" -eq 0 ]; then
			echo "$_bw: $(tb_median <"$TB_DIR/bench.$_bk") ms (median of all $_bn samples: $_bc)"
		else
			echo "$_bw: FAILED ($_bnone of $_bgot samples none, $_bn wanted: $(tr '\n' ' ' <"$TB_DIR/bench.$_bk"))"
			_bfail=1
		fi
	done
	# response times under load, CATS against nearest and round-robin:
	# the select scenario (scenarios.sh) prints its testbed.select lines
	sc_select >"$TB_DIR/bench.select" 2>&1 || _bfail=1
	grep "^testbed\.select\." "$TB_DIR/bench.select"
	for _bk in response_time nearest round_robin; do
		eval "_v=\${TB_SEL_P50_$_bk:-none}"
		echo "testbed.select.p50_ms.$([ $_bk = response_time ] && echo cats || echo $_bk): $_v ms"
	done
	[ $_bfail -eq 0 ] || sed -n 's/^ *+[0-9.]* ms  FAIL/FAIL/p' "$TB_DIR/bench.select"
	[ $_bfail -eq 0 ]
}

case $cmd in
up)
	tb_bring_up || exit 1
	echo "testbed: up; catsctl: ip netns exec ${TB_P}I1 $CTL -s $TB_DIR/I1.sock show sessions"
	echo "testbed: Ctrl-C tears it down"
	# a sleep in the background and wait: a shell runs its traps only
	# after a foreground child ends, but "wait" returns at a signal
	while :; do
		sleep 3600 & _sl=$!	# lint: sleep-ok: "up" waits for Ctrl-C, not for an event
		tb_track $_sl
		wait $_sl
		tb_untrack $_sl
	done;;
scenario)
	[ $# -gt 0 ] || { echo "testbed: which scenario? ($TB_SCENARIOS)"; exit 2; }
	tb_bring_up || exit 1
	tb_run_set "$@";;
all)
	tb_bring_up || exit 1
	tb_run_set $TB_SCENARIOS;;
bench)
	TB_LOG=notice
	tb_bring_up >/dev/null || exit 1
	tb_bench;;
esac
