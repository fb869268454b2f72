#!/bin/sh
# catsctl pkt: hex decode of a known message (golden file), JSON -> hex ->
# JSON, pcap round trip, other link types and pcapng, and malformed input
# failing with the offset or key in its message.  Runs the sanitized
# binary; CATSCTL overrides it.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
CATSCTL=${CATSCTL:-build/san/catsctl}
DATA=tests/data
# A sanitizer report must not pass for an expected failure.
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS
[ -x "$CATSCTL" ] || { echo "no $CATSCTL"; exit 1; }

# one message per "src" line in the fixture
N=$(grep -c '"src":' "$DATA/every-kind.json")

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

sanitizer_clean() {
	if grep -qE 'Sanitizer|runtime error' "$1"; then
		cat "$1"
		return 1
	fi
	return 0
}

# ok NAME CMD...: exit 0, nothing from the sanitizers.
ok() {
	name=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	sanitizer_clean "$T/err" || { fail "$name: sanitizer report"; return; }
	[ $rc -eq 0 ] || { fail "$name: exit $rc: $(cat "$T/err")"; return; }
	pass "$name"
}

# bad NAME RC TEXT CMD...: exit RC and TEXT on stderr (one line).
bad() {
	name=$1; want=$2; text=$3; shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	sanitizer_clean "$T/err" || { fail "$name: sanitizer report"; return; }
	[ $rc -eq "$want" ] || { fail "$name: exit $rc, want $want"; return; }
	grep -qF -- "$text" "$T/err" ||
		{ fail "$name: stderr lacks '$text': $(cat "$T/err")"; return; }
	pass "$name: $(head -n 1 "$T/err")"
}

# --- commands and usage ---------------------------------------------------
ok "help lists commands" "$CATSCTL" --help
grep -q '^  pkt ' "$T/out" || fail "--help does not list pkt"
bad "no command" 2 "usage: catsctl" "$CATSCTL"
bad "unknown command" 2 "unknown command" "$CATSCTL" frob
bad "pkt unknown subcommand" 2 "usage: catsctl pkt" "$CATSCTL" pkt frob
bad "decode bad option" 2 "usage: catsctl pkt decode" "$CATSCTL" pkt decode -q
bad "decode -s without -d" 2 "give both -s and -d" \
	"$CATSCTL" pkt decode -s 2001:db8::1 00
bad "encode --udp without --pcap" 2 "usage: catsctl pkt encode" \
	"$CATSCTL" pkt encode --udp "$DATA/every-kind.json"

# --- hex decode of a known message (golden) -------------------------------
ok "decode golden PBU" "$CATSCTL" pkt decode -s 2001:db8:100::10 \
	-d 2001:db8:200::1 "$(cat "$DATA/pbu.hex")"
cmp -s "$T/out" "$DATA/pbu.json" || { fail "golden PBU differs:";
	diff "$DATA/pbu.json" "$T/out"; }
# stdin, spaces and 0x are tolerated; without addresses: unchecked
{ printf '0x'; sed 's/\(....\)/\1 /g' "$DATA/pbu.hex"; } >"$T/spaced.hex"
ok "decode from stdin" sh -c "\"$CATSCTL\" pkt decode <\"$T/spaced.hex\""
grep -q '"checksum": "unchecked"' "$T/out" || fail "stdin: not unchecked"
grep -q '"nai": "mn1@cats.example"' "$T/out" || fail "stdin: no NAI"

# --- JSON -> hex -> JSON -> hex: every kind -------------------------------
ok "encode every kind to hex" "$CATSCTL" pkt encode "$DATA/every-kind.json"
cp "$T/out" "$T/every.hex"
n=$(wc -l <"$T/every.hex")
[ "$n" -eq "$N" ] || fail "encode: $n lines, want $N"
# The hex carries the checksum for the fixture's addresses; decoded without
# them it is unchecked, kept as "checksum_value" and written back: the
# same octets (docs/wire.md 7.1).
i=0
while read -r hex; do
	i=$((i + 1))
	"$CATSCTL" pkt decode "$hex" >"$T/j1.json" 2>"$T/err" ||
		{ fail "message $i: decode: $(cat "$T/err")"; continue; }
	"$CATSCTL" pkt encode "$T/j1.json" >"$T/h2.hex" 2>"$T/err" ||
		{ fail "message $i: encode: $(cat "$T/err")"; continue; }
	"$CATSCTL" pkt decode "$(cat "$T/h2.hex")" >"$T/j2.json" 2>"$T/err" ||
		{ fail "message $i: decode again: $(cat "$T/err")"; continue; }
	cmp -s "$T/j1.json" "$T/j2.json" ||
		fail "message $i: JSON -> hex -> JSON differs"
	[ "$(cat "$T/h2.hex")" = "$hex" ] ||
		fail "message $i: hex -> JSON -> hex differs"
done <"$T/every.hex"
[ "$i" -eq "$N" ] && pass "hex -> JSON -> hex for $i messages" ||
    fail "hex -> JSON -> hex: $i messages, want $N"

# --- pcap round trip ------------------------------------------------------
ok "encode --pcap" "$CATSCTL" pkt encode --pcap "$T/a.pcap" \
	"$DATA/every-kind.json"
ok "decode -r" "$CATSCTL" pkt decode -r "$T/a.pcap"
cp "$T/out" "$T/a.json"
[ "$(grep -c '"checksum": "ok"' "$T/a.json")" -eq "$N" ] ||
	fail "pcap: not $N checksums ok"
ok "re-encode the decoded list" "$CATSCTL" pkt encode --pcap "$T/b.pcap" \
	"$T/a.json"
cmp -s "$T/a.pcap" "$T/b.pcap" || fail "pcap -> JSON -> pcap differs"
ok "decode -r again" "$CATSCTL" pkt decode -r "$T/b.pcap"
cmp -s "$T/out" "$T/a.json" || fail "decode -r of the round trip differs"
# the decoded list means what the fixture says: same bytes
ok "fixture to hex" "$CATSCTL" pkt encode "$DATA/every-kind.json"
cp "$T/out" "$T/fixture.hex"
ok "decoded list to hex" "$CATSCTL" pkt encode "$T/a.json"
cmp -s "$T/out" "$T/fixture.hex" || fail "decoded list differs from fixture"

# UDP 5436 over IPv6, and over IPv4 from "transport" in the JSON
ok "encode --udp" "$CATSCTL" pkt encode --udp --pcap "$T/u.pcap" \
	"$DATA/every-kind.json"
ok "decode UDP" "$CATSCTL" pkt decode -r "$T/u.pcap"
[ "$(grep -c '"transport": "udp"' "$T/out")" -eq "$N" ] ||
	fail "UDP: not $N UDP messages"
# docs/wire.md 1: the MH checksum is the same over UDP, and verified
[ "$(grep -c '"checksum": "ok"' "$T/out")" -eq "$N" ] ||
	fail "UDP: not $N checksums ok"
cp "$T/out" "$T/u.json"
ok "UDP list re-encoded" "$CATSCTL" pkt encode --pcap "$T/u2.pcap" "$T/u.json"
cmp -s "$T/u.pcap" "$T/u2.pcap" || fail "UDP pcap -> JSON -> pcap differs"
echo '{"kind":"mob-request","src":"192.0.2.1","dst":"192.0.2.2",
 "transport":"udp","seq":7,"options":{"client-addr":"2001:db8::7"}}' \
	>"$T/v4.json"
ok "encode IPv4/UDP" "$CATSCTL" pkt encode --pcap "$T/v4.pcap" "$T/v4.json"
ok "decode IPv4/UDP" "$CATSCTL" pkt decode -r "$T/v4.pcap"
grep -q '"src": "192.0.2.1"' "$T/out" || fail "IPv4/UDP: no src"
grep -q '"checksum": "ok"' "$T/out" || fail "IPv4/UDP: checksum not ok"

# Ethernet link type and pcapng, made by text2pcap around our IPv6 packets
if command -v text2pcap >/dev/null 2>&1; then
	# the checksums must be for the addresses text2pcap puts around them
	sed 's/"src": "[^"]*", "dst": "[^"]*"/"src": "2001:db8::1", "dst": "2001:db8::2"/' \
		"$DATA/every-kind.json" >"$T/fixed-addr.json"
	"$CATSCTL" pkt encode "$T/fixed-addr.json" |
	while read -r hex; do
		echo "$hex" | sed 's/\(..\)/\1 /g; s/^/000000 /'
	done >"$T/mh.txt"
	if text2pcap -q -n -e 0x86dd -6 2001:db8::1,2001:db8::2 -i 135 \
	    "$T/mh.txt" "$T/eth.pcapng" >/dev/null 2>&1; then
		ok "decode Ethernet pcapng" "$CATSCTL" pkt decode -r \
			"$T/eth.pcapng"
		[ "$(grep -c '"checksum": "ok"' "$T/out")" -eq "$N" ] ||
			fail "Ethernet pcapng: not $N messages checked ok"
	else
		fail "text2pcap failed on our packets"
	fi
else
	skip "Ethernet link type and pcapng: no text2pcap (wireshark-common)"
fi

# --- every byte-exact example of docs/wire.md -----------------------------
# Each "```hex KIND" block decodes as KIND and encodes back to the same
# octets, checksum octets included (kept as "checksum_value" when not 0),
# options in their order and padding (wire.md 7.1), as --verify says too.
if [ ! -f docs/wire.md ]; then
	fail "no docs/wire.md: its examples are not checked"
else
	awk '/^```hex /{k=$2; h=""; next} /^```/{if(k!="")print k, h; k=""; next}
	    k!=""{gsub(/[ \t]/,""); h=h $0}' docs/wire.md >"$T/examples"
	ne=0
	while read -r kind hex; do
		ne=$((ne + 1))
		"$CATSCTL" pkt decode --verify "$hex" >"$T/ex.json" 2>"$T/err" ||
			{ fail "wire.md $kind: $(cat "$T/err")"; continue; }
		grep -q '"verify": "identical"' "$T/ex.json" ||
			fail "wire.md $kind: --verify did not say identical"
		grep -q "\"kind\": \"$kind\"" "$T/ex.json" ||
			fail "wire.md $kind: decoded as another kind"
		again=$("$CATSCTL" pkt encode "$T/ex.json" 2>"$T/err") ||
			{ fail "wire.md $kind: encode: $(cat "$T/err")"; continue; }
		[ "$again" = "$hex" ] || fail "wire.md $kind: re-encoded differs"
	done <"$T/examples"
	[ "$ne" -gt 0 ] && pass "$ne wire.md examples decode and encode back" ||
	    fail "wire.md: no examples found"
fi

# --- the same octets back: --verify (docs/wire.md 7.1) --------------------
# Every message of the fixture's pcap, and every message of the MH fuzz
# corpus that decodes (other encoders' orders, pads, unknown options and
# reserved bits, as the fuzzer found them), encoded again from its JSON
# gives the octets it came in.
"$CATSCTL" pkt encode --pcap "$T/v.pcap" "$DATA/every-kind.json" 2>"$T/err" ||
	fail "verify: encode the fixture: $(cat "$T/err")"
ok "decode --verify the fixture" "$CATSCTL" pkt decode --verify -r "$T/v.pcap"
[ "$(grep -c '"verify": "identical"' "$T/out")" -eq "$N" ] ||
	fail "verify: not $N of the fixture identical"
nv=0; nbad=0
while read -r _name hex; do
	"$CATSCTL" pkt decode "$hex" >/dev/null 2>&1 || continue
	nv=$((nv + 1))
	if ! "$CATSCTL" pkt decode --verify "$hex" >"$T/v.json" 2>"$T/err" ||
	    ! grep -q '"verify": "identical"' "$T/v.json"; then
		nbad=$((nbad + 1))
		echo "not the same octets: $hex: $(cat "$T/err")"
	fi
	"$CATSCTL" pkt decode "$hex" | "$CATSCTL" pkt encode >"$T/again" ||
		{ nbad=$((nbad + 1)); continue; }
	[ "$(cat "$T/again")" = "$hex" ] || { nbad=$((nbad + 1));
		echo "encode differs: $hex"; }
done <tests/fuzz/corpus/mh.hex
[ "$nv" -ge 20 ] && [ "$nbad" -eq 0 ] &&
	pass "$nv valid messages of the fuzz corpus come back the same" ||
	fail "fuzz corpus: $nbad of $nv do not come back the same (at least 20 wanted)"
# A layout the message does not fit is refused with the option named.
printf '%s' '{"kind":"msg-ack","seq":1,"layout":["pad1"]}' >"$T/badlay.json"
check_fails "layout without the message's options" 1 \
	"layout disagree (type 200, cats-msg)" "$CATSCTL" pkt encode "$T/badlay.json"
printf '%s' '{"kind":"pbu","seq":1,"layout":[{"padn":6}]}' >"$T/badlay.json"
check_fails "padn over 5" 1 "key layout[0].padn: 6 octets: at most 5" \
	"$CATSCTL" pkt encode "$T/badlay.json"
printf '%s' '{"kind":"pbu","seq":1,"layout":[{"type":22,"data":"00"}]}' >"$T/badlay.json"
check_fails "known type as unknown" 1 "key layout[0].type: 22 is a known option" \
	"$CATSCTL" pkt encode "$T/badlay.json"

# --- signing: pkt encode --key (docs/wire.md 6.1) ------------------------
# The example of wire.md 6.1 (a msg-ack from 2001:db8::1 to 2001:db8::2,
# key 00..1f, SPI 256), decoded, its authenticator dropped and signed again
# by catsctl: the same octets as auth.c's auth_encode builds and its
# auth_verify accepts (tests/unit/test_auth.c test_vector).
AUTH_HEX=3b0806001acc00010a0b0000c802880001001b0800006ab13b8080000009250100000100d32eca3426488c62eb407f708bde302ed976faf6f4c09067a8b4671999d80a8801020000
AUTH_KEY=256:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
ok "decode the signed example" "$CATSCTL" pkt decode -s 2001:db8::1 \
	-d 2001:db8::2 "$AUTH_HEX"
cp "$T/out" "$T/example.json"
jq 'del(.options.authentication)' "$T/example.json" >"$T/unsigned.json"
ok "encode --key" "$CATSCTL" pkt encode --key "$AUTH_KEY" "$T/unsigned.json"
if [ "$(cat "$T/out")" = "$AUTH_HEX" ]; then
	pass "catsctl signs as auth.c does: the wire.md 6.1 example octet for octet"
else
	fail "encode --key: $(cat "$T/out"), want $AUTH_HEX"
fi
ok "encode --key over an authenticator present" "$CATSCTL" pkt encode \
	--key "$AUTH_KEY" "$T/example.json"
[ "$(cat "$T/out")" = "$AUTH_HEX" ] ||
	fail "encode --key over an authenticator: $(cat "$T/out")"
# without a timestamp one of now is added (catsd's clock, RFC 5213 8.8)
echo '{"kind":"msg-ack","src":"2001:db8::1","dst":"2001:db8::2","seq":1}' \
	>"$T/nots.json"
ok "encode --key adds a timestamp" "$CATSCTL" pkt encode --key "$AUTH_KEY" \
	"$T/nots.json"
"$CATSCTL" pkt decode -s 2001:db8::1 -d 2001:db8::2 "$(cat "$T/out")" \
	>"$T/signed.json" 2>"$T/err"
now=$(date +%s)
if jq -e --argjson now "$now" '.checksum == "ok" and
    .options.authentication.spi == 256 and
    (.options.timestamp.seconds - $now | fabs) <= 5' "$T/signed.json" >/dev/null; then
	pass "signed: checksum ok, SPI 256, timestamp now"
else
	fail "signed message: $(cat "$T/signed.json" "$T/err")"
fi
"$CATSCTL" pkt encode "$T/nots.json" >"$T/out" 2>"$T/err"
case $(cat "$T/out") in
*0925*) fail "without --key an authenticator is added: $(cat "$T/out")";;
*) pass "without --key nothing is signed";;
esac
bad "--key: reserved SPI" 2 "SPI 255: want 256" "$CATSCTL" pkt encode \
	--key 255:000102030405060708090a0b0c0d0e0f "$T/nots.json"
bad "--key: short key" 2 "want 16 to 64 octets" "$CATSCTL" pkt encode \
	--key 256:0001 "$T/nots.json"
bad "--key: no SPI" 2 "want SPI:HEX" "$CATSCTL" pkt encode \
	--key 000102030405060708090a0b0c0d0e0f "$T/nots.json"
echo '{"kind":"msg-ack","seq":1}' >"$T/noaddr.json"
bad "--key without addresses" 1 "--key needs the message's src and dst" \
	"$CATSCTL" pkt encode --key "$AUTH_KEY" "$T/noaddr.json"

# --- malformed input ------------------------------------------------------
hex=$(cat "$DATA/pbu.hex")
short=$(echo "$hex" | cut -c1-40)
bad "truncated hex" 1 "offset 1: header length runs past the end" \
	"$CATSCTL" pkt decode "$short"
bad "shorter than fixed part" 1 "offset 4: shorter than" \
	"$CATSCTL" pkt decode 3b000500
bad "bad hex digit" 1 "hex: character 3: not a hex digit" \
	"$CATSCTL" pkt decode 3b0g
bad "odd hex" 1 "hex: odd number of digits" "$CATSCTL" pkt decode 3b0
# HNP option (offset 52, type 22) claims 127 octets
long=$(echo "$hex" | sed 's/1612004020/167f004020/')
bad "option past the end" 1 "offset 52: option runs past the end (type 22" \
	"$CATSCTL" pkt decode "$long"
bad "bad checksum" 1 "offset 4: checksum does not verify" \
	"$CATSCTL" pkt decode -s 2001:db8:100::10 -d 2001:db8:200::2 "$hex"
grep -q '"checksum": "bad"' "$T/out" || fail "bad checksum: JSON not printed"
bad "bad JSON key" 1 "key sequence: unknown key" sh -c \
	"echo '{\"kind\":\"pbu\",\"sequence\":1}' | \"$CATSCTL\" pkt encode"
bad "bad JSON key in an option" 1 \
	"message 2: key options.mn-id.name: unknown key" sh -c \
	"echo '[{\"kind\":\"pbu\"},{\"kind\":\"pbu\",\"options\":{\"mn-id\":{\"name\":\"x\"}}}]' | \"$CATSCTL\" pkt encode"
bad "JSON out of range" 1 "key seq: 65536 out of range" sh -c \
	"echo '{\"kind\":\"pbu\",\"seq\":65536}' | \"$CATSCTL\" pkt encode"
bad "JSON bad address" 1 'key options.client-addr: not an IPv6 address' sh -c \
	"echo '{\"kind\":\"loc-query\",\"options\":{\"client-addr\":\"::g\"}}' | \"$CATSCTL\" pkt encode"
bad "JSON syntax" 1 "<stdin>:" sh -c "echo '{\"kind\":' | \"$CATSCTL\" pkt encode"
bad "JSON duplicate key" 1 "duplicate object key" sh -c \
	"echo '{\"kind\":\"pbu\",\"kind\":\"pba\"}' | \"$CATSCTL\" pkt encode"
[ -s "$T/out" ] && fail "a failed encode wrote output"

# A capture with one broken packet: reported by number, the rest decoded.
len1=$(( $(head -n 1 "$T/every.hex" | tr -d '\n' | wc -c) / 2 + 40 ))
# packet 2's MH header length octet: file header, record 1, record 2 header,
# IPv6 header, then offset 1 of the MH
off=$((24 + 16 + len1 + 16 + 40 + 1))
cp "$T/a.pcap" "$T/broken.pcap"
printf '\377' | dd of="$T/broken.pcap" bs=1 seek=$off conv=notrunc 2>/dev/null
bad "broken packet in a capture" 1 "packet 2: offset 1: header length" \
	"$CATSCTL" pkt decode -r "$T/broken.pcap"
[ "$(grep -c '"mh_type"' "$T/out")" -eq $((N - 1)) ] ||
	fail "broken capture: not $((N - 1)) messages"
bad "not a capture" 1 "catsctl:" "$CATSCTL" pkt decode -r "$DATA/pbu.hex"

# Without -s: the one socket in /run/catsd, else the list (docs/man/catsctl.8).
if [ "$(id -u)" -ne 0 ] || [ -e /run/catsd ]; then
	skip "default socket: /run/catsd exists or not root (left alone)"
else
	trap 'rm -rf "$T" /run/catsd' EXIT
	mkdir /run/catsd
	check_fails "no -s, no catsd" 1 "no catsd socket in /run/catsd" \
		"$CATSCTL" show sessions
	python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.bind("/run/catsd/one.sock")'
	check_fails "no -s, one socket" 1 "/run/catsd/one.sock: Connection refused" \
		"$CATSCTL" show sessions
	python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.bind("/run/catsd/two.sock")'
	check_fails "no -s, two sockets" 1 "several catsd, choose one with -s" \
		"$CATSCTL" show sessions
	rm -rf /run/catsd
fi

check_done "catsctl"
