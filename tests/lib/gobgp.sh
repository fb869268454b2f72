#!/bin/bash
# tests/lib/gobgp.sh: a GoBGP (gobgpd 3.x) route reflector for the interop
# tests and the benchmark.  Sourced (bash or sh); it defines functions only,
# starts nothing by itself and installs no trap: the caller stops gobgpd
# with gobgp_stop, or lists $GOBGP_PID in its PIDS (gobgp_start adds it).
#
#   gobgp_neighbor 2001:db8:ff::1 65000 secret1     # one line per client,
#   gobgp_neighbor 2001:db8:ff::2 65000 secret2     # before gobgp_start
#   gobgp_start "$T/gobgp" 179 50051 65000 10.0.0.100 2001:db8:ff::100
#   gobgp_add ipv6-mup isd 2001:db8:1::/64 rd 100:1 ...   (see below)
#   gobgp_routes ipv6-mup                           # one line per route
#   gobgp_stop
#
# gobgpd is an iBGP route reflector (every neighbor a client, cluster-id
# GOBGP_CLUSTER_ID or the router-id), passive (the catsd speakers connect
# to it), TCP MD5 per neighbor (auth-password; empty: none), and offers
# ipv4-mup, ipv6-mup and ipv6-unicast (GOBGP_AFI_SAFIS overrides).  With
# GOBGP_NETNS set, gobgpd and the CLI run in that network namespace.
# Exits 77 (skip) when gobgpd, gobgp or jq is missing.
for _g in gobgpd gobgp jq; do
	command -v "$_g" >/dev/null || { echo "skip: no $_g"; exit 77; }
done

# wait_for, stop_pids (sourced from the project's directory, as this is)
. tests/lib/check.sh

GOBGP_NETNS=${GOBGP_NETNS:-}
GOBGP_AFI_SAFIS=${GOBGP_AFI_SAFIS:-ipv4-mup ipv6-mup ipv6-unicast}
GOBGP_NBRS=""		# TOML of the neighbors, built by gobgp_neighbor
GOBGP_PID=""
GOBGP_DIR=""
GOBGP_API=""

# gobgp_neighbor ADDR ASN PASSWORD [TOML-LINE...]
# One route-reflector client (ASN: the same as gobgpd's, iBGP), before
# gobgp_start or gobgp_restart; PASSWORD empty: no TCP MD5.  Extra lines
# go into its [neighbors.config] (e.g. 'description = "ingress1"').
# GOBGP_HOLD (default 90) is its hold time, a third of it the keepalive.
gobgp_neighbor() {
	_ga=$1 _gs=$2 _gp=$3
	shift 3
	GOBGP_NBRS="$GOBGP_NBRS
[[neighbors]]
  [neighbors.config]
    neighbor-address = \"$_ga\"
    peer-as = $_gs"
	[ -n "$_gp" ] && GOBGP_NBRS="$GOBGP_NBRS
    auth-password = \"$_gp\""
	for _gl in "$@"; do
		GOBGP_NBRS="$GOBGP_NBRS
    $_gl"
	done
	GOBGP_NBRS="$GOBGP_NBRS
  [neighbors.transport.config]
    passive-mode = true
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = ${GOBGP_HOLD:-90}
    keepalive-interval = $(( ${GOBGP_HOLD:-90} / 3 ))
    idle-hold-time-after-reset = 1
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = \"@CLUSTER@\""
	for _gf in $GOBGP_AFI_SAFIS; do
		GOBGP_NBRS="$GOBGP_NBRS
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = \"$_gf\""
	done
}

# gobgp_start DIR PORT APIPORT ASN ROUTERID LOCALADDR
# Writes DIR/conf.toml, starts gobgpd (log DIR/gobgpd.log, pid GOBGP_PID,
# added to PIDS) and waits up to 10 s for its API.  LOCALADDR is the one
# address gobgpd listens on for BGP (a comma-separated list, e.g.
# 127.0.0.1,fd00::1; empty: all).  Returns 1 on failure.
gobgp_start() {
	GOBGP_DIR=$1 GOBGP_PORT=$2 GOBGP_API=$3 GOBGP_ASN=$4 GOBGP_RID=$5
	GOBGP_LOCAL=$6
	mkdir -p "$GOBGP_DIR" || return 1
	gobgp_conf_ && gobgp_run_
}

# (internal) DIR/conf.toml from the gobgp_start arguments and the neighbors
gobgp_conf_() {
	{
		printf '[global.config]\n  as = %s\n  router-id = "%s"\n  port = %s\n' \
		    "$GOBGP_ASN" "$GOBGP_RID" "$GOBGP_PORT"
		[ -n "$GOBGP_LOCAL" ] &&
		    printf '  local-address-list = ["%s"]\n' \
		    "$(echo "$GOBGP_LOCAL" | sed 's/,/", "/g')"
		printf '%s\n' "$GOBGP_NBRS" |
		    sed "s/@CLUSTER@/${GOBGP_CLUSTER_ID:-$GOBGP_RID}/"
	} >"$GOBGP_DIR/conf.toml"
}

# (internal) start gobgpd on DIR/conf.toml and wait for its API
gobgp_run_() {
	if [ -n "$GOBGP_NETNS" ]; then
		ip netns exec "$GOBGP_NETNS" gobgpd -f "$GOBGP_DIR/conf.toml" -p \
		    --pprof-disable --api-hosts="127.0.0.1:$GOBGP_API" \
		    >>"$GOBGP_DIR/gobgpd.log" 2>&1 &
	else
		gobgpd -f "$GOBGP_DIR/conf.toml" -p --pprof-disable \
		    --api-hosts="127.0.0.1:$GOBGP_API" >>"$GOBGP_DIR/gobgpd.log" 2>&1 &
	fi
	GOBGP_PID=$!
	PIDS="${PIDS:-} $GOBGP_PID"
	# Wait for the API's socket (the CLI itself, run too early, waits about
	# a second before it retries), then for an answer; 10 s in all.
	wait_for 10 gobgp_up_or_dead_
	if ! kill -0 "$GOBGP_PID" 2>/dev/null || ! gobgp_api_up_; then
		echo "gobgpd did not come up:"; tail -20 "$GOBGP_DIR/gobgpd.log"
		return 1
	fi
}
gobgp_api_up_() {
	gobgp_ss_ -Hltn "sport = :$GOBGP_API" | grep -q . && gobgp_cli global >/dev/null 2>&1
}
# (a gobgpd that died ends the wait at once)
gobgp_up_or_dead_() { ! kill -0 "$GOBGP_PID" 2>/dev/null || gobgp_api_up_; }
gobgp_ss_() {
	if [ -n "$GOBGP_NETNS" ]; then ip netns exec "$GOBGP_NETNS" ss "$@"; else ss "$@"; fi
}

# gobgp_stop: SIGTERM, up to 5 s, then SIGKILL; reaps it
gobgp_stop() {
	[ -n "$GOBGP_PID" ] || return 0
	stop_pids 5 "$GOBGP_PID"
	PIDS=$(echo " ${PIDS:-} " | sed "s/ $GOBGP_PID / /")
	GOBGP_PID=""
}

# gobgp_restart: stop, and start again (RIB empty); neighbors added with
# gobgp_neighbor since gobgp_start are in the new configuration
gobgp_restart() {
	gobgp_stop
	gobgp_conf_ && gobgp_run_
}

# gobgp_cli ARGS...: the gobgp CLI on this gobgpd's API
gobgp_cli() {
	if [ -n "$GOBGP_NETNS" ]; then
		ip netns exec "$GOBGP_NETNS" gobgp -p "$GOBGP_API" "$@"
	else
		gobgp -p "$GOBGP_API" "$@"
	fi
}

# ---------------------------------------------------------------- routes
# gobgp_add AFI TYPE ARGS... / gobgp_del AFI TYPE ARGS...
# AFI is ipv4-mup or ipv6-mup; TYPE and ARGS as gobgp takes them (the same
# words withdraw the route):
#   isd  PREFIX rd RD prefix SIDPREFIX locator-node-length N function-length F
#        behavior ENDM_GTP4E|ENDM_GTP6E rt RT nexthop V6ADDR
#   dsd  ADDR rd RD prefix SIDPREFIX locator-node-length N function-length F
#        behavior BEHAVIOR rt RT mup X:Y nexthop V6ADDR
#   t1st PREFIX rd RD rt RT teid TEID qfi QFI endpoint ADDR [nexthop ADDR]
#   t2st ADDR rd RD rt RT teid TEID mup X:Y [nexthop ADDR]
# rt, and mup where listed, are required (one rt: a second replaces the
# first); SIDPREFIX's length is the locator-block length; ISD takes only
# ENDM_GTP4E (ipv4-mup) or ENDM_GTP6E (ipv6-mup); ISD and DSD need an IPv6
# nexthop in both AFIs; TEID > 0.  Without nexthop gobgpd advertises its
# session address.  origin, aspath, med, local-pref, community,
# large-community may follow.  del matches the NLRI only (the rest must
# parse); a T1ST's NLRI key is RD + prefix (another TEID replaces it).
gobgp_add() { _gf=$1; shift; gobgp_cli global rib add -a "$_gf" "$@"; }
gobgp_del() { _gf=$1; shift; gobgp_cli global rib del -a "$_gf" "$@"; }
# gobgp_del_all AFI: withdraw every route added through the CLI in AFI
gobgp_del_all() { gobgp_cli global rib del all -a "$1"; }

# Short forms with fixed SID structure (locator-node-length 24,
# function-length 16) and the same word order for both AFIs:
#   gobgp_isd  AFI PREFIX RD RT SID NEXTHOP [add|del]
#   gobgp_dsd  AFI ADDR RD RT MUP SID NEXTHOP BEHAVIOR [add|del]
#   gobgp_t1st AFI PREFIX RD RT TEID QFI ENDPOINT [add|del]
#   gobgp_t2st AFI ENDPOINT RD RT TEID MUP [add|del]
gobgp_isd() {
	case $1 in ipv4-mup) _gb=ENDM_GTP4E;; *) _gb=ENDM_GTP6E;; esac
	gobgp_cli global rib "${7:-add}" -a "$1" isd "$2" rd "$3" prefix "$5" \
	    locator-node-length 24 function-length 16 behavior $_gb rt "$4" \
	    nexthop "$6"
}
gobgp_dsd() {
	gobgp_cli global rib "${9:-add}" -a "$1" dsd "$2" rd "$3" prefix "$6" \
	    locator-node-length 24 function-length 16 behavior "$8" rt "$4" \
	    mup "$5" nexthop "$7"
}
gobgp_t1st() {
	gobgp_cli global rib "${8:-add}" -a "$1" t1st "$2" rd "$3" rt "$4" \
	    teid "$5" qfi "$6" endpoint "$7"
}
gobgp_t2st() {
	gobgp_cli global rib "${7:-add}" -a "$1" t2st "$2" rd "$3" rt "$4" \
	    teid "$5" mup "$6"
}

# ---------------------------------------------------------------- listing
# gobgp_routes AFI [neighbor ADDR adj-in|adj-out]
# One line per path, sorted (LC_ALL=C), from the global RIB (default) or a
# neighbor's Adj-RIB-In/Out (gobgp_routes ipv6-mup neighbor fd00::2 adj-in):
#   NLRI [teid=T qfi=Q ep=ADDR] [nh=NEXTHOP] [ec=rt:X:Y,mup:X:Y]
#   [sid=SID/bBEHAVIOR/LBL.LNL.FL.AL.TL.TO] [med=M] [comm=A:B,...]
#   [orig=ID] [cl=ID,...] [aT=HEX] [aT]
#   [from=NEIGHBOR]
# NLRI is gobgp's own text: [type:isd][rd:100:1][prefix:2001:db8:1::/64],
# [type:dsd][rd:100:2][prefix:2001:db8::2], [type:t1st][rd:100:3][prefix:
# 2001:db8:3::1/128] (its TEID, QFI and endpoint follow), [type:t2st]
# [rd:100:4][endpoint:2001:db8::4][teid:12345].  BEHAVIOR is the SRv6
# endpoint behavior number (END_DT6 18, END_DT4 19, ENDM_GTP6E 71,
# ENDM_GTP4E 72); aT=HEX is an attribute gobgp does not know (a255=...),
# aT one it knows that is not decoded here.
# ORIGIN, AS_PATH and LOCAL_PREF are left out.
# It fails, printing nothing, when gobgpd does not answer: an absence of
# routes is only read from a gobgpd that answered.
gobgp_routes() {
	_gf=$1; shift
	if [ $# -eq 0 ]; then
		_gj=$(gobgp_cli global rib -a "$_gf" -j) || return 1
	else
		_gj=$(gobgp_cli "$@" -a "$_gf" -j) || return 1
	fi
	_gj=$(printf '%s\n' "$_gj" | jq -r "$GOBGP_JQ") || return 1
	printf '%s\n' "$_gj" | grep . | LC_ALL=C sort
	return 0
}
# (the SID and unknown attributes come base64-encoded: decoded here)
# shellcheck disable=SC2016
GOBGP_JQ='
def b64bytes: [explode[] | select(. != 61)
	| if . >= 97 then . - 71 elif . >= 65 then . - 65 elif . >= 48 then . + 4
	  elif . == 43 or . == 45 then 62 else 63 end] as $v
	| [range(0; $v | length; 4) as $i | $v[$i:$i + 4] as $q
	   | ($q[0] * 4 + (($q[1] // 0) / 16 | floor)),
	     (($q[1] // 0) % 16 * 16 + (($q[2] // 0) / 4 | floor)),
	     (($q[2] // 0) % 4 * 64 + ($q[3] // 0))]
	| .[0:($v | length) * 6 / 8 | floor];
def hex2: [(. / 16 | floor), (. % 16)] | map("0123456789abcdef"[.:. + 1]) | join("");
def v6: [range(0; 16; 2) as $i | (.[$i] * 256 + .[$i + 1])
	  | [(. / 4096 | floor), (. / 256 | floor) % 16, (. / 16 | floor) % 16, . % 16]
	  | map("0123456789abcdef"[.:. + 1]) | join("") | sub("^0{1,3}"; "")]
	| (":" + join(":") + ":") as $s
	| (first(range(8; 1; -1) as $n | ([range($n) | ":0"] | join("") + ":") as $p
	   | ($s | index($p)) as $i | select($i != null) | $s[0:$i] + "::" + $s[$i + ($p | length):]) // $s)
	| sub("^:(?=[^:])"; "") | sub("(?<=[^:]):$"; "");
def ec: if .type == 0 and .subtype == 2 then "rt:" + .value
	elif .type == 12 then "mup:" + .segmend_id
	else "ec" + (.type | tostring) + "." + (.subtype | tostring) + ":" + (.value | tostring) end;
def attr: if .type == 14 then "nh=" + .nexthop
	elif .type == 16 then "ec=" + ([.value[] | ec] | join(","))
	elif .type == 40 then "sid=" + ([.TLVs[]?.SubTLVs[]? | select(.type == 1)
		| (.sid | b64bytes | v6) + "/b" + (.endpoint_behavior | tostring)
		  + ([.sub_sub_tlvs[]? | select(.type == 1) | "/" + ([.locator_block_length,
		     .locator_node_length, .function_length, .argument_length,
		     .transposition_length, .transposition_offset] | map(tostring) | join("."))] | join(""))]
		| join(","))
	elif .type == 4 then "med=" + (.metric | tostring)
	elif .type == 8 then "comm=" + ([.communities[] | "\(. / 65536 | floor):\(. % 65536)"] | join(","))
	elif .type == 9 then "orig=" + .value
	elif .type == 10 then "cl=" + (.value | join(","))
	elif .type == 1 or .type == 2 or .type == 5 then empty
	elif .flags != null and (.value | type) == "string" then "a" + (.type | tostring) + "="
		+ (.value | b64bytes | map(hex2) | join(""))
	else "a" + (.type | tostring) end;
def mupx: if .route_type == 3 then "teid=" + (.value.teid | tostring) + " qfi="
		+ (.value.qfi | tostring) + " ep=" + .value.endpoint_address
	else empty end;
(. // {}) | to_entries[] | .key as $k | .value[]
| [$k, (.nlri | mupx), (.attrs[] | attr),
   (if .["neighbor-ip"] then "from=" + .["neighbor-ip"] else empty end)] | join(" ")
'

# gobgp_count AFI: the number of paths in the global RIB (0 if none)
gobgp_count() {
	gobgp_cli global rib summary -a "$1" -j 2>/dev/null | jq -r '.num_path // 0' |
	    grep -x '[0-9]*' || echo 0
}

# gobgp_wait_count AFI N [TENTHS]: wait (default 10 s) until the global RIB
# holds N paths; prints the count reached; 0 if reached, 1 otherwise
gobgp_wait_count() {
	wait_for "$(awk -v t="${3:-100}" 'BEGIN { print t / 10 }')" gobgp_has_count_ "$1" "$2"
	_gr=$?
	gobgp_count "$1"
	return $_gr
}
gobgp_has_count_() { [ "$(gobgp_count "$1")" -eq "$2" ]; }

# gobgp_state ADDR: one neighbor's session state, lower case (idle, connect,
# active, opensent, openconfirm, established; unknown if no answer)
gobgp_state() {
	case $(gobgp_cli neighbor "$1" -j 2>/dev/null | jq -r '.state.session_state // 0') in
	1) echo idle;; 2) echo connect;; 3) echo active;; 4) echo opensent;;
	5) echo openconfirm;; 6) echo established;; *) echo unknown;;
	esac
}

# gobgp_wait_established ADDR [TENTHS]: wait (default 10 s); 0 if up
gobgp_wait_established() {
	wait_for "$(awk -v t="${2:-100}" 'BEGIN { print t / 10 }')" gobgp_is_established_ "$1"
}
gobgp_is_established_() { [ "$(gobgp_state "$1")" = established ]; }
