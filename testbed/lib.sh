# testbed/lib.sh: bring a CATS topology of network namespaces up and down.
# Sourced by testbed/run.sh and tests/sh/testbed.sh (POSIX sh).
#
# The topology comes from a file (testbed/topology.conf, format in that
# file and docs/testbed.md).  Every node is a namespace named
# "tb<PID>-<NODE>", PID being the shell that brought it up, so a later run
# can tell a crashed run's leftovers (their PID is gone) from a run that is
# still going, and never touches a namespace that is not the testbed's.
#
# Variables a caller may set before tb_init:
#   TB_BIN    where catsd, catsctl, cats-edge, cats-client are (build)
#   TB_TOPO   the topology file (testbed/topology.conf)
#   TB_DIR    configurations, logs, sockets, captures (a new /tmp dir)
#   TB_LOG    catsd's log level (info)

TB_PROTO=252			# our routes' protocol (docs/dataplane.md)

tb_init() {
	TB_BIN=${TB_BIN:-build}
	TB_TOPO=${TB_TOPO:-testbed/topology.conf}
	TB_LOG=${TB_LOG:-info}
	TB_ID=$$
	TB_P=tb$TB_ID-
	if [ -z "${TB_DIR:-}" ]; then
		TB_DIR=$(mktemp -d /tmp/cats-tb.XXXXXX) || return 1
		TB_OWN_DIR=1
	fi
	mkdir -p "$TB_DIR"
	TB_PIDS=""		# every process we started, stopped by its pid
	TB_NSS=""		# every namespace we made
	TB_UP=0
	CATSD=$TB_BIN/catsd CTL=$TB_BIN/catsctl
	EDGE=$TB_BIN/cats-edge CLIENT=$TB_BIN/cats-client DELAY=$TB_BIN/cats-delay
	for _p in "$CATSD" "$CTL" "$EDGE" "$CLIENT" "$DELAY"; do
		[ -x "$_p" ] || { echo "testbed: no $_p (run make)" >&2; return 1; }
	done
}

# Can this machine run the testbed at all?  Prints why not.
tb_can_run() {
	[ "$(id -u)" -eq 0 ] || { echo "not root"; return 1; }
	command -v ip >/dev/null 2>&1 || { echo "no ip(8)"; return 1; }
	ip netns add "tbprobe$$" 2>/dev/null || { echo "ip netns does not work here"; return 1; }
	ip netns del "tbprobe$$"
	return 0
}

tb_say() { printf '%s\n' "$*"; }

# ------------------------------------------------------------------ topology file
# Sets TB_CLIENT, TB_INGRESSES, TB_EGRESSES, TB_CONTROLLER, TB_LOCATOR,
# TB_NODES (every CATS node, in file order), and per node TBV_<NODE>_<key>
# for each KEY=VALUE of its line; TB_SVC_* for the service; TB_DELAY_<I>_<E>.
tb_parse() {
	TB_CLIENT="" TB_INGRESSES="" TB_EGRESSES="" TB_CONTROLLER="" TB_LOCATOR=""
	TB_NODES=""
	_ni=0 _ne=0
	while read -r _role _name _rest; do
		case $_role in ''|'#'*) continue;; esac
		case $_name in
		*[!A-Za-z0-9.]*|'') echo "testbed: $TB_TOPO: bad name '$_name'" >&2; return 1;;
		esac
		case $_role in
		client) TB_CLIENT=$_name;;
		ingress) _ni=$((_ni + 1)); TB_INGRESSES="$TB_INGRESSES $_name"
			eval "TBV_${_name}_n=$_ni";;
		egress) _ne=$((_ne + 1)); TB_EGRESSES="$TB_EGRESSES $_name"
			eval "TBV_${_name}_n=$_ne";;
		controller) TB_CONTROLLER=$_name;;
		locator) TB_LOCATOR=$_name;;
		service) TB_SVC_ID=$_name
			for _kv in $_rest; do
				case $_kv in '#'*) break;; esac
				eval "TB_SVC_${_kv%%=*}=\${_kv#*=}"
			done
			continue;;
		delay) set -- $_rest
			eval "TB_DELAY_${_name}_$1=$2"
			continue;;
		*) echo "testbed: $TB_TOPO: unknown role '$_role'" >&2; return 1;;
		esac
		eval "TBV_${_name}_role=$_role"
		[ "$_role" = client ] || TB_NODES="$TB_NODES $_name"
		for _kv in $_rest; do
			case $_kv in '#'*) break;; *=*) ;; *)
				echo "testbed: $TB_TOPO: $_name: '$_kv' is not KEY=VALUE" >&2
				return 1;;
			esac
			eval "TBV_${_name}_${_kv%%=*}=\${_kv#*=}"
		done
	done <"$TB_TOPO"
	[ -n "$TB_CLIENT" ] && [ -n "$TB_CONTROLLER" ] && [ -n "$TB_INGRESSES" ] &&
	    [ -n "$TB_EGRESSES" ] && [ -n "${TB_SVC_address:-}" ] ||
	    { echo "testbed: $TB_TOPO: needs a client, ingresses, egresses, a controller and a service" >&2; return 1; }
	# the edge sites, one per egress: D1 behind E1, ...
	TB_SITES=""
	for _e in $TB_EGRESSES; do TB_SITES="$TB_SITES D$(tb_v "$_e" n)"; done
}

# tb_v NODE KEY: the value of KEY on NODE's line (empty when absent)
tb_v() { eval "printf '%s' \"\${TBV_$1_$2:-}\""; }

# The name catsd knows a node by: ingress1, egress2, controller, locator.
tb_name() {
	case $(tb_v "$1" role) in
	ingress) echo "ingress$(tb_v "$1" n)";;
	egress) echo "egress$(tb_v "$1" n)";;
	*) tb_v "$1" role; echo;;
	esac
}
tb_node_of_name() {
	for _m in $TB_NODES; do
		[ "$(tb_name "$_m")" = "$1" ] && { echo "$_m"; return 0; }
	done
	return 1
}
# the core address: 2001:db8:ff::<position in the file>
tb_core() { eval "printf '%s' \"\$TB_CORE_$1\""; }

# ------------------------------------------------------------------ helpers
tb_ns() { printf '%s%s' "$TB_P" "$1"; }
# x NODE ip-args...: ip(8) in the node's namespace
x() { _xn=$1; shift; ip -n "$TB_P$_xn" "$@"; }
# in_ns NODE cmd...: a command in the node's namespace (foreground only:
# a background process must be started with ip netns exec itself, so
# that $! is its pid and not a subshell's)
in_ns() { _inn=$1; shift; ip netns exec "$TB_P$_inn" "$@"; }
# ctl NODE args...: catsctl on NODE's daemon
ctl() { _cn=$1; shift; in_ns "$_cn" "$CTL" -s "$TB_DIR/$_cn.sock" "$@"; }
# a node's data-plane routes, seg6 or eBPF (tests/lib/dp.sh)
. tests/lib/dp.sh
tb_routes() { dp_routes "$TB_P$1" "$TB_DIR/$1.sock"; }
# the current time in ns (CLOCK_REALTIME, like the capture's timestamps)
tb_now_ns() { date +%s%N; }

# wait_for SECONDS CMD..., stop_pids, json_ok, out_lacks ...
. tests/lib/check.sh

# tb_stop_dumper PID: a capture ends at SIGINT (it writes its last
# packets), at most 3 s; then SIGKILL
tb_stop_dumper() {
	kill -INT "$1" 2>/dev/null
	wait_for 3 _ck_gone "$1"
	stop_pids 1 "$1"
}

# ------------------------------------------------------------------ cleanup
# A run that crashed (SIGKILL, a power cut of the shell) leaves namespaces
# tb<PID>-* whose PID is gone.  Stop what still runs inside them (by pid,
# as ip netns pids lists them) and delete them.  Namespaces of a run that
# is still alive, and anything without our prefix, are left alone.
tb_clean_stale() {
	for _ns in $(ip netns list 2>/dev/null | sed -n 's/^\(tb[0-9][0-9]*-[A-Za-z0-9.]*\).*/\1/p'); do
		_pid=${_ns#tb}; _pid=${_pid%%-*}
		[ "$_pid" = "$TB_ID" ] && continue
		kill -0 "$_pid" 2>/dev/null && continue
		# shellcheck disable=SC2046
		stop_pids 2 $(ip netns pids "$_ns" 2>/dev/null)
		ip netns del "$_ns" 2>/dev/null && tb_say "testbed: removed $_ns, left by a run that ended without cleaning up"
	done
	return 0
}

# Stop every process we started (SIGTERM, then SIGKILL after 2 s), and
# delete our namespaces: the veths and routes go with them.
tb_down() {
	# shellcheck disable=SC2086
	stop_pids 2 $TB_PIDS
	TB_PIDS=""
	for _n in $TB_NSS; do ip netns del "$TB_P$_n" 2>/dev/null; done
	TB_NSS=""
	TB_UP=0
	if [ "${TB_OWN_DIR:-0}" = 1 ] && [ -z "${TB_KEEP:-}" ]; then
		rm -rf "$TB_DIR"
	fi
}

tb_track() { TB_PIDS="$TB_PIDS $1"; }
tb_untrack() {
	_new=""
	for _q in $TB_PIDS; do [ "$_q" = "$1" ] || _new="$_new $_q"; done
	TB_PIDS=$_new
}

# ------------------------------------------------------------------ links
tb_mkns() {
	ip netns add "$TB_P$1" || return 1
	TB_NSS="$TB_NSS $1"
	x "$1" link set lo up
	# forwarding and SRv6 on; no duplicate address detection, so that an
	# address moved to another link is usable at once
	in_ns "$1" sysctl -qw net.ipv6.conf.all.forwarding=1 \
	    net.ipv6.conf.all.seg6_enabled=1 net.ipv6.conf.default.seg6_enabled=1 \
	    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
	    >/dev/null
}

# The whole topology: namespaces, the core bridge, access links, sites,
# addresses and the static routes between SIDs.
tb_up() {
	TB_UP=1
	for _n in B "$TB_CLIENT" $TB_NODES $TB_SITES; do tb_mkns "$_n" || return 1; done
	x B link add br0 type bridge
	x B link set br0 up
	# the core: one leg per CATS node on the bridge; a large MTU because
	# SRv6 encapsulation adds 64 octets and this kernel sends no usable
	# Packet Too Big (docs/dataplane.md)
	_i=1
	for _n in $TB_NODES; do
		ip link add core0 netns "$TB_P$_n" mtu 9000 type veth \
		    peer name "c$_n" netns "${TB_P}B" mtu 9000 || return 1
		x B link set "c$_n" master br0 up
		x "$_n" addr add "2001:db8:ff::$_i/64" dev core0 nodad
		x "$_n" link set core0 up
		eval "TB_CORE_$_n=2001:db8:ff::$_i"
		_i=$((_i + 1))
	done
	# access links: client a<N> <-> ingress N's acc0.  Every ingress has
	# the same link-local gateway fe80::1, and the whole clients' /56
	# on-link, because a client that moved keeps its old address.
	for _n in $TB_INGRESSES; do
		_k=$(tb_v "$_n" n)
		ip link add "a$_k" netns "$TB_P$TB_CLIENT" type veth \
		    peer name acc0 netns "$TB_P$_n" || return 1
		x "$TB_CLIENT" link set "a$_k" up
		_sp=$(tb_v "$_n" subprefix)
		x "$_n" addr add "${_sp%::/*}::1/64" dev acc0 nodad
		x "$_n" addr add fe80::1/64 dev acc0 nodad
		x "$_n" link set acc0 up
		x "$_n" route add 2001:db8:a::/56 dev acc0
	done
	# sites: egress N's edge0 <-> site DN's up0; the edge holds the
	# service's anycast address on its loopback
	for _e in $TB_EGRESSES; do
		_k=$(tb_v "$_e" n)
		ip link add edge0 netns "$TB_P$_e" type veth peer name up0 \
		    netns "${TB_P}D$_k" || return 1
		x "$_e" addr add "2001:db8:d$_k::1/64" dev edge0 nodad
		x "$_e" link set edge0 up
		x "D$_k" addr add "2001:db8:d$_k::100/64" dev up0 nodad
		x "D$_k" link set up0 up
		x "D$_k" addr add "$TB_SVC_address/128" dev lo
		x "D$_k" route add default via "2001:db8:d$_k::1"
	done
	# every node's SID /32 through its core address
	for _n in $TB_NODES; do
		for _m in $TB_NODES; do
			[ "$_n" = "$_m" ] && continue
			_sid=$(tb_v "$_m" sid)
			[ -n "$_sid" ] || continue
			x "$_n" route add "$_sid/32" via "$(tb_core "$_m")" dev core0 || return 1
		done
	done
	# each ingress's and egress's probe address (docs/probe.md)
	for _n in $TB_INGRESSES $TB_EGRESSES; do
		x "$_n" addr add "$(tb_probe_addr "$_n")/128" dev lo nodad || return 1
	done
	tb_delay_lines
}

# Link delays.  This kernel has no netem (DESIGN.md 2.3), and netem is not
# what the testbed needs anyway: the delay of a path from an ingress to an
# egress, both ways.  Each node with a "delay" line routes the SID
# locators of the nodes at the other ends into a TUN (dl0) that cats-delay
# serves (docs/apps.md): it holds each packet for the delay of its
# destination's locator and writes it back, and a rule ("iif dl0") sends
# what comes out along the real route (table 200).  What takes those
# routes is what the delay is for: the SRv6 traffic to and from the SIDs,
# and the probes that measure it (docs/probe.md); signaling between the
# nodes' core addresses is not delayed.  The "delay" scenario shows it
# faithful: what ping and the probes measure against the file.
tb_locator() { _tl=$(tb_v "$1" sid); printf '%s' "${_tl%::}"; }
# the node's probe address: in its SID's locator, away from the SIDs
# (dp_sid puts an instance in the last 32 bits)
tb_probe_addr() { printf '%s::1:0:0' "$(tb_locator "$1")"; }
tb_delay_lines() {
	TB_NETEM="not needed: delays by cats-delay on the routes to the SID locators"
	for _n in $TB_INGRESSES $TB_EGRESSES; do
		_lines=""
		for _m in $TB_INGRESSES $TB_EGRESSES; do
			[ "$(tb_v "$_n" role)" = "$(tb_v "$_m" role)" ] && continue
			eval "_d=\${TB_DELAY_${_n}_${_m}:-\${TB_DELAY_${_m}_${_n}:-}}"
			[ -n "$_d" ] && _lines="$_lines $(tb_locator "$_m")::/32=$_d"
		done
		[ -n "$_lines" ] || continue
		x "$_n" tuntap add dev dl0 mode tun || return 1
		x "$_n" link set dl0 mtu 9000 txqueuelen 10000 up
		x "$_n" -6 rule add iif dl0 lookup 200 pref 100
		for _l in $_lines; do
			_m=$(tb_node_of_locator "${_l%%::/32=*}")
			x "$_n" -6 route add "${_l%=*}" via "$(tb_core "$_m")" dev core0 table 200
			x "$_n" -6 route replace "${_l%=*}" dev dl0
		done
		# real-time priority where it may have it (root): its
		# releases are then late by tens of us, not ms, on a busy
		# machine (docs/apps.md)
		_rt=""
		command -v chrt >/dev/null 2>&1 && chrt -f 10 true 2>/dev/null && _rt="chrt -f 10"
		# shellcheck disable=SC2086
		ip netns exec "$TB_P$_n" $_rt "$DELAY" --tun dl0 --name "$_n" \
		    $(for _l in $_lines; do printf ' --delay %s' "$_l"; done) \
		    >"$TB_DIR/dl$_n.log" 2>&1 &
		tb_track $!
		wait_for 5 grep -q "ready" "$TB_DIR/dl$_n.log" ||
		    { echo "testbed: cats-delay in $_n: $(cat "$TB_DIR/dl$_n.log")" >&2; return 1; }
	done
}
tb_node_of_locator() {
	for _q in $TB_NODES; do
		[ "$(tb_locator "$_q")" = "$1" ] && { echo "$_q"; return 0; }
	done
	return 1
}

# The client's addresses: ADDR on access link LINK (a1, a2, ...), with a
# source-specific default route so that several client addresses can sit
# on different links at once.
tb_client_place() {
	_addr=$1 _link=$2
	x "$TB_CLIENT" addr add "$_addr/128" dev "$_link" nodad
	x "$TB_CLIENT" -6 route replace default from "$_addr" via fe80::1 dev "$_link"
}
tb_client_unplace() {
	_addr=$1 _link=$2
	x "$TB_CLIENT" -6 route del default from "$_addr" via fe80::1 dev "$_link" 2>/dev/null
	x "$TB_CLIENT" addr del "$_addr/128" dev "$_link" 2>/dev/null
	return 0
}
# the client's link to an ingress node
tb_link_of() { echo "a$(tb_v "$1" n)"; }

# ------------------------------------------------------------------ configs
tb_roles_json() { echo "\"$(tb_v "$1" role)\""; }

tb_peers_json() {
	_first=1
	for _m in $TB_NODES; do
		[ "$1" = "$_m" ] && continue
		[ $_first -eq 1 ] || printf ',\n'
		_first=0
		_sid=$(tb_v "$_m" sid)
		case $(tb_v "$_m" role) in
		ingress|egress) _sidj="\"$_sid\"";;
		*) _sidj=null;;
		esac
		printf '    { "name": "%s", "address": "%s", "roles": [%s], "sid": %s' \
		    "$(tb_name "$_m")" "$(tb_core "$_m")" "$(tb_roles_json "$_m")" "$_sidj"
		[ "$(tb_v "$_m" role)" = ingress ] && [ "$(tb_v "$1" role)" = ingress ] &&
		    printf ', "subprefix": "%s"' "$(tb_v "$_m" subprefix)"
		[ "$(tb_v "$_m" role)" = egress ] && [ "$(tb_v "$1" role)" = ingress ] &&
		    printf ', "probe": "%s"' "$(tb_probe_addr "$_m")"
		printf ' }'
	done
	printf '\n'
}

# tb_conf NODE [POLICY]: NODE's catsd configuration into $TB_DIR/NODE.json
tb_conf() {
	_n=$1 _role=$(tb_v "$1" role)
	{
	printf '{\n  "node": { "name": "%s", "address": "%s", "roles": [%s] },\n' \
	    "$(tb_name "$_n")" "$(tb_core "$_n")" "$(tb_roles_json "$_n")"
	printf '  "signaling": { "transport": "udp", "port": 5436 },\n'
	printf '  "control": "%s/%s.sock",\n' "$TB_DIR" "$_n"
	printf '  "log": { "level": "%s", "syslog": false },\n' "$TB_LOG"
	printf '  "services": [ { "id": "%s", "address": "%s" } ],\n' "$TB_SVC_ID" "$TB_SVC_address"
	printf '  "peers": [\n'; tb_peers_json "$_n"; printf '  ],\n'
	_dp=''
	case $_role in
	ingress)
		printf '  "ingress": { "setup": "controller", "find": "%s", "subprefix": "%s", "transaction_switch": %s },\n' \
		    "$(tb_v "$_n" find)" "$(tb_v "$_n" subprefix)" "${TB_TXSWITCH:-false}"
		printf '  "probe": { "interval_ms": 100, "report_ms": 500, "source": "%s" },\n' \
		    "$(tb_probe_addr "$_n")"
		_dp='"access_interface": "acc0", ';;
	egress)
		_k=$(tb_v "$_n" n)
		# the edge's control port: its load reports (the agent),
		# and with transaction switching the state it hands over
		# through the egress-to-egress stream
		_xp='' _xc=", \"edge_control\": \"[2001:db8:d$_k::100]:7001\""
		[ "${TB_TXSWITCH:-false}" = true ] && _xp='"transfer_port": 5437, '
		printf '  "egress": { "pool": "%s", "prefix_length": 64, %s"instances": [ { "id": %s, "service": "%s", "edge": "2001:db8:d%s::100"%s } ] },\n' \
		    "$(tb_v "$_n" pool)" "$_xp" "$(tb_v "$_n" instance)" "$TB_SVC_ID" "$_k" "$_xc"
		printf '  "probe": { "reflect": true },\n'
		_dp='"access_interface": "edge0", ';;
	controller)
		printf '  "controller": { "instances": ['
		_sep=' '
		for _e in $TB_EGRESSES; do
			printf '%s{ "id": %s, "service": "%s", "egress": "%s" }' \
			    "$_sep" "$(tb_v "$_e" instance)" "$TB_SVC_ID" "$(tb_name "$_e")"
			_sep=', '
		done
		printf ' ] },\n'
		# no metric typed in: the edges' agents and the ingresses'
		# probes report them (tb_wait_metrics)
		printf '  "selector": { "policy": "%s" },\n' "${2:-$(tb_v "$_n" policy)}";;
	esac
	case $_role in
	ingress|egress)
		printf '  "dataplane": { "backend": "%s", "sid": "%s", %s"core_interface": "core0" }\n}\n' \
		    "${CATS_BACKEND:-auto}" "$(tb_v "$_n" sid)" "$_dp";;
	*)	printf '  "dataplane": { "backend": "none" }\n}\n';;
	esac
	} >"$TB_DIR/$_n.json"
	in_ns "$_n" "$CATSD" -n -f "$TB_DIR/$_n.json" >/dev/null 2>"$TB_DIR/$_n.err" ||
	    { echo "testbed: catsd refuses $_n's configuration: $(cat "$TB_DIR/$_n.err")" >&2; return 1; }
}

# ------------------------------------------------------------------ daemons
tb_start_node() {
	rm -f "$TB_DIR/$1.sock"
	ip netns exec "$TB_P$1" "$CATSD" -d -f "$TB_DIR/$1.json" >>"$TB_DIR/$1.log" 2>&1 &
	eval "TB_PID_$1=$!"
	tb_track $!
}
tb_stop_node() {
	eval "_sp=\${TB_PID_$1:-}"
	[ -n "$_sp" ] || return 0
	stop_pids 2.5 "$_sp"
	tb_untrack "$_sp"
	eval "TB_PID_$1="
}
tb_wait_sock() {
	wait_for 5 test -S "$TB_DIR/$1.sock" ||
	    { echo "testbed: $1: no control socket; its log:" >&2; tail -n 20 "$TB_DIR/$1.log" >&2; return 1; }
}

# The reference service at every site: UDP results, the control port for
# transaction state, and an HTTP page naming the edge.
tb_start_sites() {
	for _e in $TB_EGRESSES; do
		_k=$(tb_v "$_e" n)
		ip netns exec "${TB_P}D$_k" "$EDGE" --name "edge$_k" \
		    --listen "[$TB_SVC_address]:$TB_SVC_port" \
		    --control "[2001:db8:d$_k::100]:7001" \
		    --http "[$TB_SVC_address]:$TB_SVC_http" \
		    --workers "$(tb_v "$_e" workers)" --work-ms "$(tb_v "$_e" work_ms)" \
		    --load-interval 500 >"$TB_DIR/D$_k.log" 2>&1 &
		tb_track $!
	done
	for _e in $TB_EGRESSES; do
		_k=$(tb_v "$_e" n)
		wait_for 5 grep -q "ready" "$TB_DIR/D$_k.log" ||
		    { echo "testbed: edge$_k did not start: $(cat "$TB_DIR/D$_k.log")" >&2; return 1; }
	done
}

# Until the controller holds, for every ingress and instance, what the
# agents measured: the edges' load (through their egresses) and the
# ingresses' probes of each path (docs/probe.md).  Nobody types a metric.
tb_has_metrics() {
	_want=$(($(echo $TB_INGRESSES | wc -w) * $(echo $TB_EGRESSES | wc -w)))
	[ "$(ctl "$TB_CONTROLLER" -j show metrics | jq '.metrics | length')" -ge "$_want" ] 2>/dev/null
}
tb_wait_metrics() {
	wait_for 15 tb_has_metrics ||
	    { echo "testbed: the controller has no metrics for every path after 15 s: $(ctl "$TB_CONTROLLER" -j show metrics) $(ctl "$TB_CONTROLLER" -j show counters | jq -c .metric_reports)" >&2; return 1; }
}

# Every catsd and every site, configured; metrics set.
tb_start() {
	for _n in $TB_NODES; do tb_conf "$_n" || return 1; done
	for _n in $TB_NODES; do tb_start_node "$_n"; done
	for _n in $TB_NODES; do tb_wait_sock "$_n" || return 1; done
	tb_start_sites || return 1
	tb_wait_metrics
}

# Restart the controller with another selector policy (same metrics).
tb_restart_controller() {
	tb_stop_node "$TB_CONTROLLER"
	tb_conf "$TB_CONTROLLER" "$1" || return 1
	tb_start_node "$TB_CONTROLLER"
	tb_wait_sock "$TB_CONTROLLER" || return 1
	tb_wait_metrics
}

# ------------------------------------------------------------------ capture
# Every signaling message on the core, once.  dumpcap listens on every
# port of the bridge; a message passes two ports (in from its sender, out
# to its receiver), and libpcap's "inbound" does not separate them
# reliably on veth here, so tb_capture_stop keeps the copy seen on the
# sender's own port.
tb_capture_start() {
	TB_PCAP=$1
	command -v dumpcap >/dev/null 2>&1 || { TB_CAP_PID=""; return 1; }
	_ifs=""
	for _n in $TB_NODES; do _ifs="$_ifs -i c$_n"; done
	rm -f "$TB_PCAP" "$TB_DIR/raw.pcapng"
	ip netns exec "${TB_P}B" dumpcap -q -f "udp port 5436 or ip6 proto 135" \
	    $_ifs -w "$TB_DIR/raw.pcapng" >"$TB_DIR/dumpcap.log" 2>&1 &
	TB_CAP_PID=$!
	tb_track $TB_CAP_PID
	wait_for 5 test -s "$TB_DIR/raw.pcapng"
}
tb_capture_stop() {
	[ -n "${TB_CAP_PID:-}" ] || return 0
	sleep 0.2		# lint: sleep-ok: the last answers still on their way reach the capture
	tb_stop_dumper "$TB_CAP_PID"
	tb_untrack "$TB_CAP_PID"
	TB_CAP_PID=""
	_f=""
	for _n in $TB_NODES; do
		_f="$_f${_f:+ || }(frame.interface_name == \"c$_n\" && ipv6.src == $(tb_core "$_n"))"
	done
	# dumpcap writes each interface's packets as they come, so the file
	# is not quite in time order: reordercap sorts it
	tshark -r "$TB_DIR/raw.pcapng" -Y "$_f" -F pcap -w "$TB_DIR/filtered.pcap" 2>"$TB_DIR/tshark.err" &&
	    reordercap "$TB_DIR/filtered.pcap" "$TB_PCAP" >/dev/null
}
