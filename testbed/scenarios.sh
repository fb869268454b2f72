# testbed/scenarios.sh: the scenarios, on a topology that testbed/lib.sh
# brought up (sourced after it).  Each sc_NAME prints its timeline lines
# ("  +MS what happened"), then one summary line, and returns 0 (passed),
# 1 (failed) or 77 (skipped, the line says why).  Every result of every
# transaction must arrive exactly once.
#
# Client addresses: each run of a scenario takes fresh addresses from
# ingress1's sub-prefix (2001:db8:a:1::/64), so runs never share state.

TB_NEXT_HOST=${TB_NEXT_HOST:-16}	# the next client host number (hex)
TB_SUMMARY=""				# one line per scenario run, for the end

# a fresh client address in ingress1's sub-prefix, in TB_ADDR (not
# printed: a command substitution would lose the count)
tb_new_client() {
	TB_NEXT_HOST=$((TB_NEXT_HOST + 1))
	TB_ADDR=$(printf '2001:db8:a:1::%x' "$TB_NEXT_HOST")
}
# a link-layer address for catsctl client attach, from the host number
tb_mac() { printf '02:00:5e:10:%02x:%02x' $(((TB_NEXT_HOST >> 8) & 255)) $((TB_NEXT_HOST & 255)); }

# timeline: milliseconds since the scenario started
tb_t0() { TB_T0=$(tb_now_ns); }
tb_at() { printf '  %+7.1f ms  %s\n' "$(echo "$(tb_now_ns) $TB_T0" | awk '{ printf "%.1f", ($1 - $2) / 1e6 }')" "$*"; }
tb_summary() { TB_SUMMARY="$TB_SUMMARY$*
"; printf '%s\n' "$*"; }

# "client: received=.. missing=0 duplicated=0 ..." with the count asked
tb_client_ok() { grep -q "received=$2 missing=0 duplicated=0" "$1"; }
# What each node's data plane dropped (eBPF counts by reason), and its
# handover buffer's counters: where a lost result went.
tb_dp_drops() {
	for _dn in $TB_INGRESSES $TB_EGRESSES; do
		tb_at "$(tb_name "$_dn"): $(ctl "$_dn" -j show dataplane | jq -c '{backend, drops}') $(ctl "$_dn" -j show counters | jq -c '.handover_buffer // .')"
	done
}
tb_field() { sed -n "s/.*$2=\([^ ]*\).*/\1/p" "$1"; }

# The results the client has received: UDP datagrams delivered in its
# namespace (nothing else there receives UDP).  A scenario moves the
# client once it has part of its results, not after a fixed time, so that
# the move comes while the transaction runs on a slow machine as well
# (software emulation: tests/sh/testbed-seg6.sh).
tb_client_rx() {
	in_ns "$TB_CLIENT" cat /proc/net/snmp6 | awk '$1 == "Udp6InDatagrams" { print $2 }'
}
tb_client_has() { [ $(($(tb_client_rx) - $1)) -ge "$2" ]; }
# tb_wait_part BASE N [D]: until the client has a D-th (10th) of its N results
tb_wait_part() {
	wait_for 30 tb_client_has "$1" $(($2 / ${3:-10})) ||
	    tb_at "the client has only $(($(tb_client_rx) - $1)) results after 30 s"
	tb_at "the client has $(($(tb_client_rx) - $1)) of its $2 results"
}

# tb_run_client ADDR TX COUNT INTERVAL OUT: the reference client in the
# background (TB_CPID), bound to ADDR, sending to the CS-ID address.  It
# gives up after TB_CLIENT_TIMEOUT_MS (5000) without a result: longer than
# a handover takes here, shorter than the hold; under emulation the VM's
# test sets it above its longer hold.
tb_run_client() {
	_ct=${TB_CLIENT_TIMEOUT_MS:-5000}
	ip netns exec "$TB_P$TB_CLIENT" timeout $((30 + _ct / 1000 + $3 * $4 / 1000)) "$CLIENT" \
	    --to "[$TB_SVC_address]:$TB_SVC_port" --bind "[$1]" --tx "$2" \
	    --count "$3" --interval "$4" --timeout "$_ct" --retry 200 >"$5" 2>&1 &
	TB_CPID=$!
	tb_track $TB_CPID
}
tb_wait_client() {
	wait "$TB_CPID"; _rc=$?
	tb_untrack "$TB_CPID"
	return $_rc
}

# the egress (node) a client's session at ingress NODE is anchored at
tb_session_egress() {
	ctl "$1" -j show sessions 2>/dev/null | tr '{' '\n' |
	    sed -n "s/.*\"client\":\"$2\".*\"egress\":\"\([^\"]*\)\".*/\1/p" | head -n 1
}
# (a predicate for wait_for: "$(...)" in wait_for's arguments would be
# evaluated once, before the wait)
tb_has_session() { [ -n "$(tb_session_egress "$1" "$2")" ]; }
# the edge at the site of an egress name: egress3 -> edge3
tb_edge_of() { echo "edge${1#egress}"; }

# the selector's cost of an instance from an ingress index, as the
# controller computes it (ns for response-time: T = 2d + R)
tb_cost() {
	ctl "$TB_CONTROLLER" -j show metrics | tr '{' '\n' |
	    sed -n "s/.*\"instance\":$1,\"ingress\":$2,\"cost\":\([0-9.e+]*\).*/\1/p"
}

# ------------------------------------------------------------------ data capture
# To time a handover, two captures: the results arriving at the client on
# every access link, and the ingresses' signaling on the core.  "Attach at
# the new ingress" is taken as the new ingress's first signaling message
# after the script told it (its first reaction to the attach event: the
# indication, the locator query or the mobility request).  The time the
# catsctl process takes to start and reach catsd (20-30 ms on this
# machine, mostly process creation) is thereby left out.
tb_dump() {		# tb_dump NS FILE FILTER IF...: dumpcap in the background, pid in TB_DP
	_dns=$1 _dfile=$2 _dflt=$3; shift 3
	_difs=""
	for _d in "$@"; do _difs="$_difs -i $_d"; done
	rm -f "$_dfile"
	ip netns exec "$TB_P$_dns" dumpcap -q -f "$_dflt" $_difs -w "$_dfile" \
	    >"$_dfile.log" 2>&1 &
	TB_DP=$!
	tb_track $TB_DP
	wait_for 5 grep -q "^File:" "$_dfile.log"
}
tb_undump() {
	sleep 0.3		# lint: sleep-ok: libpcap hands packets over in blocks: the last block reaches the file
	tb_stop_dumper "$1"
	tb_untrack "$1"
}
tb_data_start() {
	_l="" _c=""
	for _i in $TB_INGRESSES; do _l="$_l $(tb_link_of "$_i")"; _c="$_c c$_i"; done
	tb_dump "$TB_CLIENT" "$TB_DIR/data.pcapng" "udp src port $TB_SVC_port" $_l
	TB_DCAP=$TB_DP
	tb_dump B "$TB_DIR/ingsig.pcapng" "udp port 5436" $_c
	TB_SCAP=$TB_DP
	: >"$TB_DIR/attach.times"
}
tb_data_stop() { tb_undump "$TB_DCAP"; tb_undump "$TB_SCAP"; }
# For every "ATTACH_NS LINK CLIENT CORE_ADDR" line of attach.times: ms
# from the new ingress's first message after ATTACH_NS to the first
# result to CLIENT on LINK after that message.
tb_attach_to_first() {
	tshark -r "$TB_DIR/data.pcapng" -T fields -e frame.time_epoch \
	    -e frame.interface_name -e ipv6.dst 2>/dev/null | sed 's/^/R /' >"$TB_DIR/data.txt"
	tshark -r "$TB_DIR/ingsig.pcapng" -T fields -e frame.time_epoch \
	    -e ipv6.src 2>/dev/null | sed 's/^/S /' >>"$TB_DIR/data.txt"
	sort -k2,2n -o "$TB_DIR/data.txt" "$TB_DIR/data.txt"
	awk 'function ns(t,  p) { split(t, p, "."); return p[1] * 1e9 + substr(p[2] "000000000", 1, 9) }
	    NR == FNR { t[NR] = $1; l[NR] = $2; c[NR] = $3; a[NR] = $4; n = NR; next }
	    { x = ns($2)
	      for (i = 1; i <= n; i++) {
		if ($1 == "S" && !(i in s) && $3 == a[i] && x >= t[i]) s[i] = x
		if ($1 == "R" && (i in s) && !(i in d) && $3 == l[i] && $4 == c[i] && x >= s[i])
			d[i] = (x - s[i]) / 1e6 } }
	    END { for (i = 1; i <= n; i++)
		if (i in d) printf "%.2f\n", d[i]; else print "none" }' \
	    "$TB_DIR/attach.times" "$TB_DIR/data.txt"
}

# ------------------------------------------------------------------ handover
# tb_handover KIND FROM TO ADDR: move a client with a running transaction
# from ingress FROM to ingress TO.
#   proactive: FROM sees the move coming (mobility fig. 1): move, detach
#   reactive:  FROM only loses the client (fig. 2): detach
# The client is off both links for TB_OFFLINK seconds (its results wait in
# FROM's handover buffer), then its address appears on TO's link and TO is
# told it attached.
TB_OFFLINK=${TB_OFFLINK:-0.05}
tb_handover() {
	_kind=$1 _from=$2 _to=$3 _addr=$4
	if [ "$_kind" = proactive ]; then
		ctl "$_from" client move "$_addr" >/dev/null
		tb_at "$(tb_name "$_from") sees $_addr about to move (client move)"
	fi
	ctl "$_from" client detach "$_addr" >/dev/null
	tb_client_unplace "$_addr" "$(tb_link_of "$_from")"
	# what it has now came before the move: the rest must come after
	TB_RX_MOVE=$(tb_client_rx)
	tb_at "client leaves $(tb_name "$_from") (client detach)"
	sleep "$TB_OFFLINK"	# lint: sleep-ok: off both links for TB_OFFLINK, on purpose: FROM holds
	tb_client_place "$_addr" "$(tb_link_of "$_to")"
	_ta=$(tb_now_ns)
	ctl "$_to" client attach "$_addr" "$(tb_mac)" >/dev/null
	echo "$_ta $(tb_link_of "$_to") $_addr $(tb_core "$_to")" >>"$TB_DIR/attach.times"
	tb_at "client attaches at $(tb_name "$_to") (client attach)"
}

# tb_handover_scenario NAME KIND FROM TO
tb_handover_scenario() {
	_name=$1 _kind=$2 _from=$3 _to=$4
	tb_t0
	tb_new_client; _addr=$TB_ADDR
	_n=${TB_COUNT:-200} _iv=${TB_INTERVAL:-5}
	# (the bench runs one pair of captures for all its handovers)
	[ -n "${TB_BENCHING:-}" ] || tb_data_start
	tb_client_place "$_addr" "$(tb_link_of "$_from")"
	ctl "$_from" client attach "$_addr" "$(tb_mac)" >/dev/null
	_rx0=$(tb_client_rx)
	tb_run_client "$_addr" 7 "$_n" "$_iv" "$TB_DIR/$_name.client"
	tb_at "client $_addr at $(tb_name "$_from") asks for $_n results, one every $_iv ms"
	wait_for 5 tb_has_session "$_from" "$_addr"
	_eg=$(tb_session_egress "$_from" "$_addr")
	tb_at "session set up: $(tb_name "$_from") steers it to ${_eg:-nothing}"
	# the move once the client has part of its results: a tenth; in the
	# bench, half (the bench's transaction is short: 160 results)
	if [ -n "${TB_BENCHING:-}" ]; then
		tb_wait_part "$_rx0" "$_n" 2 >/dev/null
	else
		tb_wait_part "$_rx0" "$_n"
	fi
	tb_handover "$_kind" "$_from" "$_to" "$_addr"
	tb_wait_client
	tb_at "client done: $(cat "$TB_DIR/$_name.client")"
	_first=-
	_rc=0
	if [ -z "${TB_BENCHING:-}" ]; then
		tb_data_stop
		_first=$(tb_attach_to_first | head -n 1)
		tb_new_path "$_to" "$_addr" "$_n" || _rc=1
		tb_attach_bounded "$_first" || _rc=1
	fi
	tb_client_ok "$TB_DIR/$_name.client" "$_n" || { _rc=1; tb_dp_drops; }
	tb_moved_mid "$_rx0" "$_n" || _rc=1
	# the new ingress has the session, its kernel steers the client
	_eg2=$(tb_session_egress "$_to" "$_addr")
	[ -n "$_eg2" ] || { tb_at "FAIL: no session for $_addr at $(tb_name "$_to")"; _rc=1; }
	tb_routes "$_to" | grep -q "$TB_SVC_address from $_addr " ||
	    { tb_at "FAIL: $(tb_name "$_to")'s data plane does not steer $_addr"; _rc=1; }
	tb_summary "$(printf '%-18s %s  %s -> %s at %s: received=%s missing=%s duplicated=%s longest_gap_ms=%s attach_to_first_result_ms=%s' \
	    "$_name" "$([ $_rc -eq 0 ] && echo PASS || echo FAIL)" "$(tb_name "$_from")" \
	    "$(tb_name "$_to")" "$_eg" "$(tb_field "$TB_DIR/$_name.client" received)" \
	    "$(tb_field "$TB_DIR/$_name.client" missing)" \
	    "$(tb_field "$TB_DIR/$_name.client" duplicated)" \
	    "$(tb_field "$TB_DIR/$_name.client" longest_gap_ms)" "$_first")"
	# leave nothing behind for the next run: the client goes away
	ctl "$_to" client detach "$_addr" >/dev/null
	tb_client_unplace "$_addr" "$(tb_link_of "$_to")"
	return $_rc
}

# tb_new_path TO ADDR N: results reached ADDR through the new path after
# the move, as the capture on the client's link to TO saw them (the address
# is on that link only after the move: whatever arrives there came after
# it).  Of the N - (results before the move) that were still to come, at
# least half must be seen there: the capture may miss a few, a handover
# that loses every result after the move is not "a few".
tb_new_path() {
	_nl=$(tb_link_of "$1")
	_after=$(($3 - (TB_RX_MOVE - _rx0)))
	# (tshark's own exit status: a pipe into wc would hide it)
	if ! _np=$(tshark -r "$TB_DIR/data.pcapng" \
	    -Y "frame.interface_name == \"$_nl\" && ipv6.dst == $2" 2>"$TB_DIR/tshark.err"); then
		tb_at "FAIL: tshark on the capture of $_nl: $(cat "$TB_DIR/tshark.err")"
		return 1
	fi
	_nn=$(printf '%s' "$_np" | grep -c .)
	tb_at "the new path: $_nn results to $2 on the client's link $_nl to $(tb_name "$1") ($_after came after the move)"
	[ "$_nn" -gt 0 ] && [ $((2 * _nn)) -ge "$_after" ] && return 0
	tb_at "FAIL: $_nn results through the new path, of $_after after the move"
	return 1
}
# tb_attach_bounded MS: attach_to_first_result_ms was measured (a number,
# not "none") and is at most TB_ATTACH_BOUND_MS: 1000 ms on this machine;
# under software emulation (CATS_IN_VM, 10 to 50 times slower) 10000 ms
tb_attach_bounded() {
	_bound=${TB_ATTACH_BOUND_MS:-$([ -n "${CATS_IN_VM:-}" ] && echo 10000 || echo 1000)}
	case $1 in
	''|*[!0-9.]*) tb_at "FAIL: attach_to_first_result_ms not measured: '${1:-}'"; return 1;;
	esac
	if awk -v v="$1" -v b="$_bound" 'BEGIN { exit !(v <= b) }'; then
		tb_at "attach to first result: $1 ms (bound $_bound ms)"
		return 0
	fi
	tb_at "FAIL: attach to first result $1 ms, over the bound of $_bound ms"
	return 1
}

# tb_moved_mid BASE N: the client moved while its transaction ran (some
# of its N results came after it left the old ingress), or there was no
# handover to speak of
tb_moved_mid() {
	_before=$((TB_RX_MOVE - $1))
	tb_at "results before the move: $_before of $2"
	[ "$_before" -lt "$2" ] && return 0
	tb_at "FAIL: every result came before the move: the transaction ended first"
	return 1
}

# ingresses by position in the file
tb_ingress() { _k=$1; set -- $TB_INGRESSES; eval "echo \${$_k}"; }

sc_proactive() {
	tb_handover_scenario proactive proactive "$(tb_ingress 1)" "$(tb_ingress 2)"
}
# the new ingress finds the old one through the locator: ingress2 (find locator)
sc_reactive_locator() {
	tb_handover_scenario reactive-locator reactive "$(tb_ingress 1)" "$(tb_ingress 2)"
}
# ... or from the client's address: ingress3 (find prefix)
sc_reactive_prefix() {
	tb_handover_scenario reactive-prefix reactive "$(tb_ingress 1)" "$(tb_ingress 3)"
}

# ------------------------------------------------------------------ delay
# The delay lines against the file (docs/testbed.md): for every ingress
# and egress with a "delay" line, the one-way delay the ingress's probes
# last reported (docs/probe.md) and half the mean round trip of ping
# between the two nodes' probe addresses (through both delay lines, as the
# SRv6 traffic goes), each within TB_DELAY_TOL (max(0.5 ms, 10 %)) of the
# configured delay.  Under software emulation (tests/sh/testbed-seg6.sh,
# TB_TIMING=emulated) the numbers are printed and not held to it.
tb_near() { awk -v m="$1" -v d="$2" 'BEGIN { t = d / 10; if (t < 0.5) t = 0.5; exit !(m != "" && m - d <= t && d - m <= t) }'; }
sc_delay() {
	tb_t0
	_rc=0 _n=0 _worst=0
	for _i in $TB_INGRESSES; do
		for _e in $TB_EGRESSES; do
			eval "_d=\${TB_DELAY_${_i}_${_e}:-}"
			[ -n "$_d" ] || continue
			_pr=$(ctl "$_i" -j show peers | jq -r ".peers[] | select(.name == \"$(tb_name "$_e")\") | .probe.reported[\"one-way-delay\"] // empty" |
			    awk 'NF { printf "%.2f", $1 / 1e6 }')
			_pg=$(in_ns "$_i" ping -6 -q -n -c 20 -i 0.02 -I "$(tb_probe_addr "$_i")" "$(tb_probe_addr "$_e")" 2>/dev/null |
			    sed -n 's|^rtt[^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p' | awk 'NF { printf "%.2f", $1 / 2 }')
			_v=ok
			tb_near "$_pr" "$_d" && tb_near "$_pg" "$_d" || _v=off
			_worst=$(awk -v w="$_worst" -v a="${_pr:-999}" -v b="${_pg:-999}" -v d="$_d" \
			    'BEGIN { x = a - d; if (x < 0) x = -x; y = b - d; if (y < 0) y = -y; if (y > x) x = y; if (x > w) w = x; printf "%.2f", w }')
			[ $_v = ok ] || _rc=1
			_n=$((_n + 1))
			tb_at "$(tb_name "$_i") <-> $(tb_name "$_e"): configured $_d ms, probes ${_pr:-none} ms, ping rtt/2 ${_pg:-none} ms: $_v"
		done
	done
	if [ "${TB_TIMING:-}" = emulated ]; then
		tb_summary "$(printf '%-18s SKIP  under software emulation timing is not held to the file (largest difference %s ms over %s paths)' delay "$_worst" "$_n")"
		return 77
	fi
	tb_summary "$(printf '%-18s %s  %s paths, probes and ping within max(0.5 ms, 10%%) of the file; largest difference %s ms' delay \
	    "$([ $_rc -eq 0 ] && echo PASS || echo FAIL)" "$_n" "$_worst")"
	return $_rc
}

# ------------------------------------------------------------------ select
# Measured response times, CATS against nearest and round-robin
# (docs/testbed.md).  The sites do real work with limited workers
# (workers=, work_ms= in the file), the delay lines make the distances,
# and the sites with load= get that many requests a second of their own
# users (cats-client's load mode inside the site): the nearest site is
# overloaded.  Then TB_SEL_CLIENTS CATS-unaware clients at ingress1 ask for
# single-result transactions at TB_SEL_RATE a second each for TB_SEL_MS,
# with the controller running response-time (CATS), nearest, round-robin
# in turn (restarted with each; nobody types a metric: the edges' load
# reports and the ingresses' probes give them).  Each client times its
# own transactions, request to result; the scenario gives p50 and p95 over
# all of them per policy, and the ratio of CATS's p95 to nearest's, which
# must be at most 0.5 (not held under software emulation).
TB_SEL_CLIENTS=${TB_SEL_CLIENTS:-6}
TB_SEL_RATE=${TB_SEL_RATE:-2}
TB_SEL_MS=${TB_SEL_MS:-8000}
# nearest-rank percentile P of the numbers in FILE
tb_pct() { sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 } END { if (NR == 0) { print "none"; exit } r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; printf "%.1f", v[r] }'; }
tb_site_busy() {
	json_ok ".instances[0].load.util >= 0.5" ctl "$1" -j show instances
}
sc_select() {
	tb_t0
	_i1=$(tb_ingress 1)
	_rc=0 _bgp="" _loaded=""
	_bg_ms=$(( (TB_SEL_MS + 8000) * 3 + 5000 ))
	for _e in $TB_EGRESSES; do
		_l=$(tb_v "$_e" load)
		[ -n "$_l" ] || continue
		_k=$(tb_v "$_e" n)
		ip netns exec "${TB_P}D$_k" "$CLIENT" --to "[$TB_SVC_address]:$TB_SVC_port" \
		    --rate "$_l" --for "$_bg_ms" --seed "$_k" --timeout 3000 >"$TB_DIR/bg$_k.out" 2>&1 &
		_bgp="$_bgp $!"
		tb_track $!
		_loaded="$_loaded $_e"
		tb_at "edge$_k: $_l requests/s of its own users"
	done
	for _e in $_loaded; do
		wait_for 10 tb_site_busy "$_e" || tb_at "edge$(tb_v "$_e" n) never reported utilisation 0.5"
		tb_at "$(tb_name "$_e")'s agent: $(ctl "$_e" -j show instances | jq -c '.instances[0].load | {util, queue, capacity}')"
	done
	sleep 1	# lint: sleep-ok: one load report (500 ms) more, for the controller
	_line=""
	for _pol in response-time nearest round-robin; do
		[ "$_pol" = response-time ] || tb_restart_controller "$_pol" || { _rc=1; break; }
		_pk=$(echo "$_pol" | tr - _)
		: >"$TB_DIR/sel.$_pk.rt"
		_cps="" _addrs=""
		_j=0
		while [ $_j -lt "$TB_SEL_CLIENTS" ]; do
			_j=$((_j + 1))
			tb_new_client; _addr=$TB_ADDR
			tb_client_place "$_addr" "$(tb_link_of "$_i1")"
			ip netns exec "$TB_P$TB_CLIENT" "$CLIENT" --to "[$TB_SVC_address]:$TB_SVC_port" \
			    --bind "[$_addr]" --rate "$TB_SEL_RATE" --for "$TB_SEL_MS" --seed "$_j" \
			    --timeout 3000 --rt-file "$TB_DIR/sel.$_pk.$_j" >"$TB_DIR/sel.$_pk.$_j.out" 2>&1 &
			_cps="$_cps $!"
			tb_track $!
			_addrs="$_addrs $_addr"
		done
		for _cp in $_cps; do wait "$_cp"; tb_untrack "$_cp"; done
		_lost=0 _err=0 _sites=""
		_j=0
		while [ $_j -lt "$TB_SEL_CLIENTS" ]; do
			_j=$((_j + 1))
			_o=$TB_DIR/sel.$_pk.$_j.out
			_lost=$((_lost + $(tb_field "$_o" lost)))
			_err=$((_err + $(tb_field "$_o" errors)))
			_sites="$_sites $(tb_field "$_o" edges)"
			awk '$4 == "ok" { print $3 }' "$TB_DIR/sel.$_pk.$_j" >>"$TB_DIR/sel.$_pk.rt"
		done
		for _addr in $_addrs; do
			ctl "$_i1" client detach "$_addr" >/dev/null
			tb_client_unplace "$_addr" "$(tb_link_of "$_i1")"
		done
		_p50=$(tb_pct 50 "$TB_DIR/sel.$_pk.rt") _p95=$(tb_pct 95 "$TB_DIR/sel.$_pk.rt")
		_mix=$(echo $_sites | tr ' ' '\n' | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')
		eval "TB_SEL_P50_$_pk=\$_p50 TB_SEL_P95_$_pk=\$_p95 TB_SEL_SITES_$_pk=\"\$_sites\""
		tb_at "$_pol: $(wc -l <"$TB_DIR/sel.$_pk.rt") results, p50 $_p50 ms, p95 $_p95 ms, lost $_lost, refused $_err; clients at $_mix"
		[ "$_lost" -eq 0 ] || { _rc=1; tb_at "FAIL: $_pol: $_lost transactions lost"; }
		_line="$_line $_pol p50/p95 $_p50/$_p95 ms ($_mix)"
	done
	# shellcheck disable=SC2086
	stop_pids 2 $_bgp
	for _p in $_bgp; do tb_untrack "$_p"; done
	tb_restart_controller "$(tb_v "$TB_CONTROLLER" policy)" || _rc=1
	_near=edge$(tb_v "${_loaded# }" n)
	case " ${TB_SEL_SITES_nearest:-} " in
	*" $_near "*) ;;
	*) _rc=1; tb_at "FAIL: nearest never chose $_near";;
	esac
	case ${TB_SEL_SITES_round_robin:-} in
	*edge1*) case $TB_SEL_SITES_round_robin in *edge2*) case $TB_SEL_SITES_round_robin in *edge3*) ;; *) _rc=1;; esac;; *) _rc=1;; esac;;
	*) _rc=1;;
	esac
	TB_SEL_RATIO=$(awk -v c="${TB_SEL_P95_response_time:-none}" -v n="${TB_SEL_P95_nearest:-none}" \
	    'BEGIN { if (c == "none" || n == "none" || n == 0) print "none"; else printf "%.2f", c / n }')
	for _pk in response_time nearest round_robin; do
		eval "_v=\${TB_SEL_P95_$_pk:-none}"
		_name=$([ $_pk = response_time ] && echo cats || echo $_pk)
		echo "testbed.select.p95_ms.$_name: $_v ms"
	done
	_target=met
	awk -v r="$TB_SEL_RATIO" 'BEGIN { exit !(r != "none" && r <= 0.5) }' || _target=missed
	echo "testbed.select.p95_ratio: $TB_SEL_RATIO (CATS's p95 over nearest's; target at most 0.5: $_target)"
	if [ "${TB_TIMING:-}" != emulated ] && [ $_target = missed ]; then
		_rc=1
		tb_at "FAIL: CATS's p95 is not at most half of nearest's"
	fi
	tb_summary "$(printf '%-18s %s  from %s, %s clients x %s/s for %s ms, %s loaded:%s; p95 CATS/nearest %s' select \
	    "$([ $_rc -eq 0 ] && echo PASS || echo FAIL)" "$(tb_name "$_i1")" "$TB_SEL_CLIENTS" \
	    "$TB_SEL_RATE" "$TB_SEL_MS" "$_near" "$_line" "$TB_SEL_RATIO")"
	return $_rc
}

# ------------------------------------------------------------------ curl
# A CATS-unaware client runs unmodified curl against the CS-ID address:
# the TCP SYN is its first packet, held at ingress1 while the session is
# set up, then steered; the page must come from the site the selector
# chose for that client.
sc_curl() {
	tb_t0
	command -v curl >/dev/null 2>&1 || { tb_summary "$(printf '%-18s SKIP  no curl installed' curl)"; return 77; }
	_i1=$(tb_ingress 1)
	tb_new_client; _addr=$TB_ADDR
	tb_client_place "$_addr" "$(tb_link_of "$_i1")"
	tb_at "curl -g http://[$TB_SVC_address]:$TB_SVC_http/ from $_addr at $(tb_name "$_i1")"
	in_ns "$TB_CLIENT" curl -sS -g --max-time 10 --interface "$_addr" \
	    -D "$TB_DIR/curl.headers" -o "$TB_DIR/curl.page" \
	    "http://[$TB_SVC_address]:$TB_SVC_http/" 2>"$TB_DIR/curl.err"
	_crc=$?
	_eg=$(tb_session_egress "$_i1" "$_addr")
	_page=$(sed -n 's/.*<h1>cats edge \([A-Za-z0-9._-]*\)<\/h1>.*/\1/p' "$TB_DIR/curl.page" 2>/dev/null)
	_rc=0
	[ $_crc -eq 0 ] || { _rc=1; tb_at "FAIL: curl: $(cat "$TB_DIR/curl.err")"; }
	[ -n "$_eg" ] && [ "$_page" = "$(tb_edge_of "$_eg")" ] || _rc=1
	tb_at "the selector chose ${_eg:-nothing}; the page says \"cats edge ${_page:-?}\""
	tb_summary "$(printf '%-18s %s  unmodified curl at %s: selector chose %s, page from %s' curl \
	    "$([ $_rc -eq 0 ] && echo PASS || echo FAIL)" "$(tb_name "$_i1")" "${_eg:-none}" "${_page:-none}")"
	ctl "$_i1" client detach "$_addr" >/dev/null
	tb_client_unplace "$_addr" "$(tb_link_of "$_i1")"
	return $_rc
}

# ------------------------------------------------------------------ transaction switch
# Mobility fig. 3: after a reactive handover to ingress2, the C-PS finds
# a better site than the current one and the transaction's state moves
# from the old edge to the new one through the egresses.  Needs catsd's
# egress side of it (edge control, state stream: "edge_control" and
# "transfer_port" in docs/config.md).
tb_txswitch_supported() {
	_e=$(set -- $TB_EGRESSES; echo "$1")
	_was=${TB_TXSWITCH:-false}
	TB_TXSWITCH=true
	# catsd's own words when it refuses (tb_conf: "catsd refuses ...")
	TB_TXSWITCH_WHY=$(tb_conf "$_e" 2>&1); _ok=$?
	TB_TXSWITCH=$_was
	return $_ok
}
sc_transaction_switch() {
	tb_t0
	if [ "${TB_TXSWITCH:-false}" != true ]; then
		# a skip only when catsd refused the very keys of the feature;
		# a probe that failed otherwise is a failure, not a skip
		case ${TB_TXSWITCH_WHY:-} in
		*edge_control*|*transfer_port*)
			tb_summary "$(printf '%-18s SKIP  %s' transaction-switch \
			    "this catsd does not move transaction state: ${TB_TXSWITCH_WHY}")"
			return 77;;
		esac
		tb_summary "$(printf '%-18s FAIL  %s' transaction-switch \
		    "the probe of catsd's transaction switching failed: ${TB_TXSWITCH_WHY:-no reason given}")"
		return 1
	fi
	_i1=$(tb_ingress 1) _i2=$(tb_ingress 2)
	tb_new_client; _addr=$TB_ADDR
	# long enough that the transaction still runs when the switch comes:
	# twice the handovers' (400 results, one every 5 ms, unless said)
	_n=$((2 * ${TB_COUNT:-200})) _iv=${TB_INTERVAL:-5}
	# ... and at least 6 s: the site's load must show in its agent's
	# reports before the move
	[ $((_n * _iv)) -ge 6000 ] || _n=$((6000 / _iv))
	tb_data_start
	tb_client_place "$_addr" "$(tb_link_of "$_i1")"
	ctl "$_i1" client attach "$_addr" "$(tb_mac)" >/dev/null
	_rx0=$(tb_client_rx)
	tb_run_client "$_addr" 9 "$_n" "$_iv" "$TB_DIR/txswitch.client"
	tb_at "client $_addr at $(tb_name "$_i1") asks for $_n results"
	wait_for 5 tb_has_session "$_i1" "$_addr"
	_eg=$(tb_session_egress "$_i1" "$_addr")
	_en=$(tb_node_of_name "$_eg")
	tb_at "session set up at $_eg"
	# the current site gets busy (its own users, 0.8 of its capacity):
	# from ingress2 another one is now better, by its agent's reports
	_k=$(tb_v "$_en" n)
	_bgr=$(( 800 * $(tb_v "$_en" workers) / $(tb_v "$_en" work_ms) ))
	ip netns exec "${TB_P}D$_k" "$CLIENT" --to "[$TB_SVC_address]:$TB_SVC_port" \
	    --rate "$_bgr" --for 60000 --seed 9 --timeout 3000 >"$TB_DIR/bgtx.out" 2>&1 &
	_bgp=$!
	tb_track $_bgp
	wait_for 10 tb_site_busy "$_en"
	tb_at "$_eg's site gets $_bgr requests/s of its own users; its agent: $(ctl "$_en" -j show instances | jq -c '.instances[0].load | {util, queue}')"
	sleep 1	# lint: sleep-ok: one load report (500 ms) more, for the controller
	tb_wait_part "$_rx0" "$_n"
	tb_handover reactive "$_i1" "$_i2" "$_addr"
	tb_wait_client
	tb_at "client done: $(cat "$TB_DIR/txswitch.client")"
	tb_data_stop
	_eg2=$(tb_session_egress "$_i2" "$_addr")
	_rc=0
	tb_new_path "$_i2" "$_addr" "$_n" || _rc=1
	tb_client_ok "$TB_DIR/txswitch.client" "$_n" || { _rc=1; tb_dp_drops; }
	tb_moved_mid "$_rx0" "$_n" || _rc=1
	_edges=$(tb_field "$TB_DIR/txswitch.client" edges)
	case $_edges in *,*) ;; *) _rc=1; tb_at "FAIL: results from $_edges only: no switch";; esac
	stop_pids 2 $_bgp
	tb_untrack $_bgp
	tb_summary "$(printf '%-18s %s  %s -> %s, site %s -> %s: received=%s missing=%s duplicated=%s longest_gap_ms=%s edges=%s' \
	    transaction-switch "$([ $_rc -eq 0 ] && echo PASS || echo FAIL)" \
	    "$(tb_name "$_i1")" "$(tb_name "$_i2")" "$_eg" "${_eg2:-?}" \
	    "$(tb_field "$TB_DIR/txswitch.client" received)" \
	    "$(tb_field "$TB_DIR/txswitch.client" missing)" \
	    "$(tb_field "$TB_DIR/txswitch.client" duplicated)" \
	    "$(tb_field "$TB_DIR/txswitch.client" longest_gap_ms)" "$_edges")"
	ctl "$_i2" client detach "$_addr" >/dev/null
	tb_client_unplace "$_addr" "$(tb_link_of "$_i2")"
	return $_rc
}

TB_SCENARIOS="delay select proactive reactive-locator reactive-prefix transaction-switch curl"

# TB_BUFFER_MS: how long an ingress holds a detached client's results
# (dataplane buffer_ms, docs/config.md; catsd's default, 2000 ms, unless
# set).  What is older when the new path comes is dropped: lost.  Under
# software emulation a handover takes seconds, so tests/sh/testbed-seg6.sh
# sets it there.  The ingresses take it before the first scenario, by a
# restart (a reload does not change the data plane).
tb_hold_bound() {
	[ -n "${TB_BUFFER_MS:-}" ] && [ -z "${TB_BUFFER_SET:-}" ] || return 0
	TB_BUFFER_SET=1
	for _hn in $TB_INGRESSES; do
		sed "s/\"dataplane\": { /&\"buffer_ms\": $TB_BUFFER_MS, /" "$TB_DIR/$_hn.json" \
		    >"$TB_DIR/$_hn.new" && mv "$TB_DIR/$_hn.new" "$TB_DIR/$_hn.json" || return 1
		in_ns "$_hn" "$CATSD" -n -f "$TB_DIR/$_hn.json" >/dev/null 2>"$TB_DIR/$_hn.err" ||
		    { echo "testbed: catsd refuses buffer_ms $TB_BUFFER_MS: $(cat "$TB_DIR/$_hn.err")"; return 1; }
		tb_stop_node "$_hn"
		tb_start_node "$_hn"
		tb_wait_sock "$_hn" || return 1
	done
	echo "testbed: the ingresses hold a detached client's results up to $TB_BUFFER_MS ms (dataplane buffer_ms; restarted with it)"
}

# tb_scenario NAME: run one, with its header
tb_scenario() {
	tb_hold_bound || return 1
	printf '\n-- %s\n' "$1"
	case $1 in
	delay|select|proactive|curl) "sc_$1";;
	reactive-locator) sc_reactive_locator;;
	reactive-prefix) sc_reactive_prefix;;
	transaction-switch) sc_transaction_switch;;
	*) echo "testbed: no scenario '$1' (one of: $TB_SCENARIOS)" >&2; return 2;;
	esac
}
