#!/bin/sh
# make install and make uninstall (issue [12], "For operators").  Into a
# DESTDIR with PREFIX=/usr: every file where it belongs with its mode and
# nothing else; the installed catsd checking every installed example; the
# manual pages clean under mandoc -Tlint and groff, rendered, and
# catsd.conf(5) naming every key of the parser's tables and every value of
# its name tables; the unit's ExecStart at the installed catsd and its
# sandboxing; catsctl's bash completion driven as bash drives it, each
# word it offers taken by catsctl.  Then PREFIX alone (a second install):
# systemd-analyze verify on the unit, whose programs then exist.  As root,
# the unit's capability bounding set tried on the installed catsd (an
# ingress on the eBPF data plane with raw signaling and RAs, dropping to
# nobody, in namespace insC-cap): enough, and without any one of CAP_BPF,
# CAP_PERFMON, CAP_NET_RAW, CAP_SETPCAP it cannot start.  Then make
# uninstall leaves no file behind.  Installs the release build of $O (make
# all first).
set -u
cd "$(dirname "$0")/../.." || exit 1
P=insC-
PIDS=""
. tests/lib/netns.sh
O=${O:-build}
PROGS="catsd catsctl cats-sim cats-edge cats-client cats-delay"
for p in $PROGS; do
	[ -x "$O/$p" ] || { echo "no $O/$p: make all first"; exit 1; }
done

for t in mandoc groff man systemd-analyze bash jq; do
	command -v "$t" >/dev/null || { echo "skip: no $t"; exit 77; }
done
T=$(mktemp -d) || exit 1
netns_traps install cap
D=$T/dest		# DESTDIR, PREFIX=/usr
PF=$T/pfx	# PREFIX, no DESTDIR
U=$D/usr
CTL=$U/bin/catsctl
MA=$(${CC:-cc} -print-multiarch)

# quiet NAME CMD...: CMD exits 0 and says nothing at all (a lint).
quiet() {
	_n=$1; shift
	"$@" >"$T/q.out" 2>&1
	_rc=$?
	if [ $_rc -ne 0 ] || [ -s "$T/q.out" ]; then
		fail "$_n: exit $_rc: $(head -c 400 "$T/q.out")"
	else
		pass "$_n"
	fi
}

# mode NAME WANT FILE: FILE is a regular file of that octal mode.
mode() {
	if [ ! -f "$3" ]; then
		fail "$1: no $3"
	elif [ "$(stat -c %a "$3")" != "$2" ]; then
		fail "$1: mode $(stat -c %a "$3"), want $2"
	else
		pass "$1 ($2)"
	fi
}

# ---- install into DESTDIR ----

if make --no-print-directory O="$O" DESTDIR="$D" PREFIX=/usr install >"$T/make.log" 2>&1; then
	pass "make install DESTDIR PREFIX=/usr"
else
	fail "make install: $(tail -n 5 "$T/make.log")"
	check_done
fi

n=0
mode "sbin/catsd" 755 "$U/sbin/catsd"; n=$((n + 1))
for p in $PROGS; do
	[ "$p" = catsd ] && continue
	mode "bin/$p" 755 "$U/bin/$p"; n=$((n + 1))
done
for p in $PROGS; do
	b=$U/bin/$p; [ "$p" = catsd ] && b=$U/sbin/catsd
	if cmp -s "$O/$p" "$b"; then pass "$p is $O's"; else fail "$p: not $O/$p"; fi
done
mode "man8/catsd.8" 644 "$U/share/man/man8/catsd.8"
mode "man8/catsctl.8" 644 "$U/share/man/man8/catsctl.8"
mode "man5/catsd.conf.5" 644 "$U/share/man/man5/catsd.conf.5"
n=$((n + 3))
for f in examples/*; do
	mode "doc/cats/$f" 644 "$U/share/doc/cats/$f"; n=$((n + 1))
done
mode "systemd unit" 644 "$U/lib/systemd/system/catsd.service"
mode "bash completion" 644 "$U/share/bash-completion/completions/catsctl"
n=$((n + 2))
if [ -f dist/wireshark/cats.lua ]; then
	mode "dissector in Wireshark's plugins" 644 "$U/lib/$MA/wireshark/plugins/cats.lua"
	n=$((n + 1))
else
	skip "no dist/wireshark/cats.lua to install"
fi
got=$(find "$D" -type f | wc -l)
if [ "$got" -eq "$n" ]; then
	pass "nothing else installed ($n files)"
else
	fail "installed $got files, expected $n: $(find "$D" -type f | sed "s|^$D||" | tr '\n' ' ')"
fi

# ---- the installed catsd on the installed examples ----

for f in "$U"/share/doc/cats/examples/*.json; do
	check_json "installed catsd -n ${f##*/}" '.node.name | length > 0' \
	    "$U/sbin/catsd" -n -f "$f"
done
printf '{"node": {"name": "n", "address": "2001:db8::1", "roles": ["locator"]},\n "colour": 1}\n' >"$T/bad.json"
check_fails "installed catsd refuses a broken file" 1 "colour: unknown key" \
    "$U/sbin/catsd" -n -f "$T/bad.json"

# ---- the manual pages ----

for m in man8/catsd.8 man8/catsctl.8 man5/catsd.conf.5; do
	f=$U/share/man/$m
	quiet "mandoc -Tlint -W warning $m" mandoc -Tlint -W warning "$f"
	# At style level the only words allowed are about the cross
	# references between the three pages (mandoc looks them up in the
	# system's database, where a DESTDIR is not) and the system's own
	# database being older than its pages.
	mandoc -Tlint "$f" >"$T/lint" 2>&1
	grep -v -e 'STYLE: referenced manual not found: Xr \(catsd\|catsctl\|catsd.conf\) [58]' \
	    -e '^mandoc: outdated mandoc.db lacks' "$T/lint" >"$T/lint.rest"
	if [ -s "$T/lint.rest" ]; then
		fail "mandoc -Tlint $m: $(head -c 400 "$T/lint.rest")"
	else
		pass "mandoc -Tlint $m (style level)"
	fi
	quiet "groff -mandoc -ww $m" groff -mandoc -Tutf8 -ww -z "$f"
done
check_has "man -l catsd.8 renders" 'catsd -n \[-f file\]' \
    env MANWIDTH=80 man -P cat -l "$U/share/man/man8/catsd.8"
check_has "man -l catsctl.8 renders" 'catsctl \[-j\] \[-s socket\] command' \
    env MANWIDTH=80 man -P cat -l "$U/share/man/man8/catsctl.8"
check_has "man -l catsd.conf.5 renders" 'timestamp_window_ms' \
    env MANWIDTH=80 man -P cat -l "$U/share/man/man5/catsd.conf.5"
check_has "catsd.8 names the default file" '/etc/catsd.json' \
    cat "$U/share/man/man8/catsd.8"

# catsd.conf(5) against the parser: every key of src/catsd/conf.c's key
# tables (as .It Ic KEY, or .Ic KEY in a list) and every value of its
# name tables (as Qq VALUE or "VALUE").
keys=$(sed -n 's/^[[:space:]]*\(UINT\|LIMIT\|REAL\|BOOL\|ENUM\|ADDR\|PREFIX\|STR\|SUB\|CUSTOM\|CUSTOM_AUX\|ANYADDR\|NAMEBITS\)("\([a-z_]*\)".*/\2/p
    s/.*\.name = "\([a-z_]*\)".*/\1/p' src/catsd/conf.c | sort -u)
vals=$(awk '/^const struct conf_name/ { on = 1; next } on && /^};/ { on = 0 }
    on && match($0, /"[a-z0-9-]+"/) { print substr($0, RSTART + 1, RLENGTH - 2) }' \
    src/catsd/conf.c | sort -u)
missing=""
nk=0
for k in $keys; do
	nk=$((nk + 1))
	grep -Eq "(^\.|[[:space:]])Ic $k( |\$)" docs/man/catsd.conf.5 || missing="$missing $k"
done
for v in $vals; do
	nk=$((nk + 1))
	grep -Eq "(Qq $v( |\$)|\\\\\(dq$v\\\\\(dq)" docs/man/catsd.conf.5 || missing="$missing \"$v\""
done
if [ "$nk" -lt 100 ]; then
	fail "catsd.conf.5: only $nk keys and values found in conf.c: the scan is broken"
elif [ -n "$missing" ]; then
	fail "catsd.conf.5 does not document:$missing"
else
	pass "catsd.conf.5 documents all $nk keys and values of conf.c's tables"
fi

# ---- the systemd unit ----

S=$U/lib/systemd/system/catsd.service
check_has "unit: ExecStart is the installed catsd" \
    '^ExecStart=/usr/sbin/catsd -f /etc/catsd.json$' cat "$S"
check_has "unit: the file checked before start" \
    '^ExecStartPre=/usr/sbin/catsd -n -f /etc/catsd.json$' cat "$S"
check_has "unit: reload is SIGHUP" '^ExecReload=/bin/kill -HUP \$MAINPID$' cat "$S"
check_absent "unit: no @VARIABLE@ left" '@[A-Z]*@' cat "$S"
for d in 'CapabilityBoundingSet=CAP_NET_ADMIN ' 'NoNewPrivileges=yes' \
    'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK$' \
    'RuntimeDirectory=catsd' 'DeviceAllow=/dev/net/tun rw' \
    'ProtectKernelModules=yes' 'MemoryDenyWriteExecute=yes'; do
	check_has "unit: $d" "^$d" cat "$S"
done
check_absent "unit: no CAP_SYS_ADMIN, no DAC override" \
    '^CapabilityBoundingSet=.*\(CAP_SYS_ADMIN\|CAP_DAC_\)' cat "$S"

# ---- the unit's capabilities, tried ----

caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$S" | tr 'A-Z' 'a-z' | sed 's/cap_//g')
# run_caps CAPS...: the installed catsd with only these capabilities (its
# bounding set, as CapabilityBoundingSet= leaves it to a root service)
# and no_new_privs, in insC-cap; its pid in CPID
run_caps() {
	_b=-all
	for _c in "$@"; do _b="$_b,+$_c"; done
	ip netns exec "${P}cap" setpriv --bounding-set "$_b" --inh-caps -all \
	    --no-new-privs "$U/sbin/catsd" -f "$T/cap.json" >"$T/cap.log" 2>&1 &
	CPID=$!
	PIDS="$PIDS $CPID"
}
# without CAP WHY: catsd with every capability of the unit but CAP fails
# to start, saying WHY
without() {
	_w=$1 _why=$2
	# shellcheck disable=SC2086
	run_caps $(printf '%s\n' $caps | grep -vx "$_w")
	wait_pid "$CPID" 10
	_rc=$?
	if [ $_rc -eq 1 ] && grep -qF -- "$_why" "$T/cap.log"; then
		pass "without cap_$_w catsd cannot start: $_why"
	else
		fail "without cap_$_w: exit $_rc: $(grep -v 'no auth key' "$T/cap.log" | tail -n 3)"
	fi
}
if [ "$(id -u)" -ne 0 ]; then
	skip "the unit's capabilities tried: needs root"
elif ! command -v setpriv >/dev/null || ! ip netns add "${P}cap"; then
	skip "the unit's capabilities tried: no setpriv or no network namespace"
else
	x cap link set lo up
	x cap link add veth-a type veth peer name pa
	x cap link add veth-c type veth peer name pc
	for i in veth-a pa veth-c pc; do x cap link set "$i" up; done
	x cap addr add 2001:db8:11::1/64 dev veth-c nodad
	jq --arg sock "$T/cap.sock" '.control = $sock |
	    .signaling = {"transport": "raw"} | .dataplane.backend = "bpf" |
	    .ra = {"enabled": true} |
	    .privileges = {"user": "nobody", "group": "nogroup"}' \
	    "$U/share/doc/cats/examples/ingress.json" >"$T/cap.json"
	# shellcheck disable=SC2086
	run_caps $caps
	if wait_for 10 grep -q "ingress1: running" "$T/cap.log"; then
		pass "catsd starts with the unit's capabilities: $(echo $caps)"
		check_has "... dropped to nobody with cap_net_admin alone" \
		    'capabilities net_admin, no_new_privs, seccomp kill' cat "$T/cap.log"
		check_has "... CapEff is CAP_NET_ADMIN" '^CapEff:[[:space:]]*0000000000001000$' \
		    cat "/proc/$CPID/status"
		check_json "... its eBPF data plane runs" '.backend == "bpf"' \
		    ctl cap -j show dataplane
		check_has "... its routes are in" 'proto 252' x cap -6 route show table all
		stop_pids 5 "$CPID"
		check_absent "... and SIGTERM removed its routes" 'proto 252' \
		    x cap -6 route show table all
	else
		fail "catsd with the unit's capabilities ($caps): $(grep -v 'no auth key' "$T/cap.log" | tail -n 3)"
		stop_pids 2 "$CPID"
	fi
	without bpf "cannot load the programs"
	without perfmon "the kernel refused the programs"
	without net_raw "signaling socket: Operation not permitted"
	without setpcap "privileges: cannot become uid 65534"
fi

# ---- PREFIX alone: the unit verified with its programs in place ----

if make --no-print-directory O="$O" PREFIX="$PF" install >"$T/make2.log" 2>&1; then
	pass "make install PREFIX=$PF"
else
	fail "make install PREFIX: $(tail -n 5 "$T/make2.log")"
fi
check_has "unit: PREFIX in ExecStart" "^ExecStart=$PF/sbin/catsd " \
    cat "$PF/lib/systemd/system/catsd.service"
# (MANPATH: systemd-analyze checks the Documentation= pages with man)
quiet "systemd-analyze verify catsd.service" \
    env MANPATH="$PF/share/man:" systemd-analyze verify "$PF/lib/systemd/system/catsd.service"
# the same check must see a unit whose catsd is missing
sed "s|$PF/sbin/catsd|$T/none/catsd|" "$PF/lib/systemd/system/catsd.service" >"$T/catsd.service"
MANPATH="$PF/share/man:" systemd-analyze verify "$T/catsd.service" >"$T/v.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "$T/none/catsd is not executable" "$T/v.out"; then
	pass "systemd-analyze verify sees a missing ExecStart (exit $rc)"
else
	fail "systemd-analyze verify on a unit without its catsd: exit $rc: $(head -c 300 "$T/v.out")"
fi

# ---- bash completion ----

# comp WORD...: what the installed completion offers after "WORD..." (the
# last word is the one being completed), one a line, with the installed
# catsctl first on PATH.
comp() {
	PATH="$U/bin:$PATH" bash -c '
		. "$0" || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_catsctl || exit 1
		printf "%s\n" "${COMPREPLY[@]}"' \
	    "$U/share/bash-completion/completions/catsctl" "$@"
}
only() {
	[ "$(comp "$@" | tr '\n' ' ')" = "$want " ]
}
want="show"
if only catsctl sh; then pass "complete: catsctl sh -> show"; else fail "complete: catsctl sh -> '$(comp catsctl sh | tr '\n' ' ')'"; fi
for w in sessions clients instances metrics peers routes counters dataplane bgp mup; do
	check_has "complete: catsctl show _ offers $w" "^$w\$" comp catsctl show ""
done
want="up move release down"
if only catsctl -s "$T/x.sock" -j mup session ""; then
	pass "complete: after -s SOCKET -j: mup session -> $want"
else
	fail "complete: mup session -> '$(comp catsctl -s "$T/x.sock" -j mup session "" | tr '\n' ' ')'"
fi
want="decode encode send bgp"
if only catsctl pkt ""; then pass "complete: pkt -> $want (pkt.c's table)"; else fail "complete: pkt -> '$(comp catsctl pkt "" | tr '\n' ' ')'"; fi
want="util="
if only catsctl mup metric 7 ut; then pass "complete: mup metric 7 ut -> util="; else fail "complete: mup metric 7 ut -> '$(comp catsctl mup metric 7 ut | tr '\n' ' ')'"; fi
want="-s -j"
if only catsctl -; then pass "complete: global options"; else fail "complete: - -> '$(comp catsctl - | tr '\n' ' ')'"; fi
# every command and every show word it offers is one catsctl takes: a
# live command fails for the missing socket (1), not for its words (2)
for w in $(comp catsctl show ""); do
	check_fails "catsctl takes show $w" 1 "$T/none.sock" \
	    "$U/bin/catsctl" -s "$T/none.sock" show "$w"
done
check_fails "catsctl takes show bgp routes" 1 "$T/none.sock" \
    "$U/bin/catsctl" -s "$T/none.sock" show bgp routes
for w in $(comp catsctl client ""); do
	check_fails "catsctl takes client $w" 1 "$T/none.sock" \
	    "$U/bin/catsctl" -s "$T/none.sock" client "$w" 2001:db8::1
done
check_fails "catsctl refuses a word it does not offer" 2 "usage" \
    "$U/bin/catsctl" -s "$T/none.sock" client wander 2001:db8::1

# ---- uninstall ----

if make --no-print-directory O="$O" DESTDIR="$D" PREFIX=/usr uninstall >"$T/make3.log" 2>&1; then
	pass "make uninstall DESTDIR PREFIX=/usr"
else
	fail "make uninstall: $(tail -n 5 "$T/make3.log")"
fi
left=$(find "$D" -type f | sed "s|^$D||" | tr '\n' ' ')
if [ -z "$left" ]; then pass "uninstall left no file in DESTDIR"; else fail "uninstall left: $left"; fi
if [ -d "$U/share/doc/cats" ]; then fail "uninstall left share/doc/cats"; else pass "uninstall removed share/doc/cats"; fi
make --no-print-directory O="$O" PREFIX="$PF" uninstall >"$T/make4.log" 2>&1
left=$(find "$PF" -type f | sed "s|^$PF||" | tr '\n' ' ')
if [ -z "$left" ]; then pass "uninstall left no file in PREFIX"; else fail "uninstall PREFIX left: $left"; fi

check_done
