#!/bin/sh
# Wireshark reads what catsctl writes: a pcap holding every message kind of
# tests/data/every-kind.json must dissect as well-formed Binding Updates
# (MH type 5) and Acknowledgements (6) with the expected sequence numbers,
# lifetimes, P flag, status, RFC 5213 options (MN-ID NAI, HNP, timestamp,
# HI, ATT, MN link-layer ID, link-local address), our CATS options walked
# as unknown options of the right types, and nothing malformed or flagged
# as a warning or error.  Same again over UDP 5436, with the UDP checksum
# verified.  Skipped (77) when tshark is not installed.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
CATSCTL=${CATSCTL:-build/san/catsctl}
command -v tshark >/dev/null 2>&1 || { echo "skip: tshark not installed"; exit 77; }
[ -x "$CATSCTL" ] || { echo "no $CATSCTL"; exit 1; }
LC_ALL=C TZ=UTC
export LC_ALL TZ

# one packet per message of the fixture
N=$(grep -c '"src":' tests/data/every-kind.json)
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

ts() {
	tshark -n -r "$@" 2>"$T/tshark.err"
}

# One line per packet, in this order (lifetime in 4 s units).
FIELDS="mip6.mhtype mip6.bu.seqnr mip6.ba.seqnr mip6.bu.lifetime
	mip6.ba.lifetime mip6.bu.p_flag mip6.ba.p_flag mip6.bu.a_flag
	mip6.ba.status mip6.mnid.identifier mip6.nemo.mnp.mnp
	mip6.nemo.mnp.pfl mip6.timestamp_tmp mip6.hi mip6.att mip6.mnlli.lli
	mip6.lila_lla mip6.mobility_opt"
cat >"$T/expected" <<'EOF2'
5|1||900||1||1||mn1@cats.example|2001:db8:1001::|64|Nov 18, 2026 11:06:40.500000000 UTC|1|4|02005e100001|fe80::1|
5|2||15||1||1||mn1@cats.example|2001:db8:1001::|64|Nov 18, 2026 11:06:41.000000000 UTC|||||200,201,202,203,206
5|3||150||1||1||mn1@cats.example|2001:db8:1001::|64|Nov 18, 2026 11:06:42.000000000 UTC|4|4|||200,201,202,203,206
5|4||150||1||1||mn1@cats.example|||Nov 18, 2026 11:06:43.000000000 UTC|||02005e100001||200,202,205,206,207
5|5||150||1||1||mn1@cats.example|||Nov 18, 2026 11:06:44.000000000 UTC|||||200,202,206
5|6||30||1||1||mn1@cats.example|||Nov 18, 2026 11:06:45.000000000 UTC|||||200,201,202,206,207,208
5|7||30||1||1||mn1@cats.example|||Nov 18, 2026 11:06:46.000000000 UTC|||||200,202,206,207,208
5|8||900||1||1||mn1@cats.example|||Nov 18, 2026 11:06:47.000000000 UTC|||02005e100001||200,202,206,207
5|9||0||1||1|||||Nov 18, 2026 11:06:48.000000000 UTC|||02005e100001||200,206
5|10||15||0||0|||||Nov 18, 2026 11:06:49.000000000 UTC|||||200,202,203,206
5|11||0||1||0|||||Nov 18, 2026 11:06:50.000000000 UTC|||||200,210
5|12||0||0||0|||||Nov 18, 2026 11:06:51.000000000 UTC|||||200
6||1||900||1||0|mn1@cats.example|2001:db8:1001::|64|Nov 18, 2026 11:06:40.500000000 UTC|1|4|02005e100001|fe80::1|
6||2||15||1||100|mn1@cats.example|||Nov 18, 2026 11:06:41.000000000 UTC|||||200,201,202,204,207
6||3||150||1||0|mn1@cats.example|2001:db8:1001::|64|Nov 18, 2026 11:06:42.000000000 UTC|||||200,202,205
6||4||150||1||0|mn1@cats.example|||Nov 18, 2026 11:06:43.000000000 UTC|||||200,202,206,207
6||6||30||1||0||||Nov 18, 2026 11:06:45.000000000 UTC|||||200,202,206,208
6||7||30||1||0||||Nov 18, 2026 11:06:46.000000000 UTC|||||200,206,208
6||9||0||1||0|mn1@cats.example|||Nov 18, 2026 11:06:48.000000000 UTC|||02005e100001||200,201,206,207
6||10||15||0||100||||Nov 18, 2026 11:06:49.000000000 UTC|||||200,201,202,205
6||4||0||1||0||||Nov 18, 2026 11:06:43.000000000 UTC|||||200,206
6||12||0||0||0||||Nov 18, 2026 11:06:51.000000000 UTC|||||200
EOF2

check_capture() {
	what=$1; pcap=$2; shift 2
	set --
	for f in $FIELDS; do
		set -- "$@" -e "$f"
	done
	ts "$pcap" -T fields -E separator='|' "$@" >"$T/got" ||
		{ fail "$what: tshark failed: $(cat "$T/tshark.err")"; return; }
	if cmp -s "$T/expected" "$T/got"; then
		pass "$what: the fields of every message"
	else
		fail "$what: fields differ (expected, got):"
		diff "$T/expected" "$T/got"
	fi
	if ts "$pcap" -Y 'mip6.mhtype == 5 || mip6.mhtype == 6' >"$T/bu"; then
		n=$(wc -l <"$T/bu")
		[ "$n" -eq "$N" ] || fail "$what: $n BU/BA packets, want $N"
	else
		fail "$what: tshark: $(cat "$T/tshark.err")"
	fi
	# The absence checks: tshark must have run (a bad filter is exit 2
	# and no output, which is not "nothing malformed"), and read all N
	# packets.  ts keeps tshark's exit status.
	check_absent "$what: nothing malformed or in error" . \
	    ts "$pcap" -Y '_ws.malformed || _ws.expert.severity == error'
	check_absent "$what: no expert warning" . \
	    ts "$pcap" -Y '_ws.expert.severity == warning'
	# Only notes remain: the CATS option types are unknown to Wireshark.
	if ts "$pcap" -T fields -e _ws.expert.message >"$T/notes.raw" &&
	    [ "$(wc -l <"$T/notes.raw")" -eq "$N" ]; then
		tr ',' '\n' <"$T/notes.raw" | grep -v '^$' | sort -u >"$T/notes"
		check_absent "$what: no expert info but the notes on our CATS options" \
		    . sed '/^IE data not dissected yet$/d' "$T/notes"
	else
		fail "$what: tshark's expert messages: $(cat "$T/tshark.err")"
	fi
}

"$CATSCTL" pkt encode --pcap "$T/mh.pcap" tests/data/every-kind.json ||
	{ echo "FAIL: encode"; exit 1; }
check_capture "IPv6 next header 135" "$T/mh.pcap"

"$CATSCTL" pkt encode --udp --pcap "$T/udp.pcap" tests/data/every-kind.json ||
	{ echo "FAIL: encode --udp"; exit 1; }
check_capture "UDP 5436" "$T/udp.pcap"
if ts "$T/udp.pcap" -o udp.check_checksum:TRUE -T fields \
    -e udp.checksum.status >"$T/sums"; then
	n=$(grep -c '^1$' "$T/sums")
	[ "$n" -eq "$N" ] && pass "UDP: $N good UDP checksums" ||
	    fail "UDP: $n good UDP checksums, want $N"
else
	fail "UDP checksums: tshark: $(cat "$T/tshark.err")"
fi

check_done "$(tshark --version 2>/dev/null | sed -n 1p) on every kind"
