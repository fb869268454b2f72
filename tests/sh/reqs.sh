#!/bin/sh
# Requirements through real catsd (issue [10]; anchoring 3 steps 1, 3, 6):
# the domain of tests/sh/catsd.sh (tests/lib/domain.sh), option 2.  A
# CATS-aware client sends svc-request over UDP 5436 with requirements:
#   - a latency bound its nearest path (5 ms) cannot meet: the controller
#     answers 200, the client gets svc-reply 200, nothing is steered, and
#     the controller counts requirements-unmet;
#   - "needs tpu" (anchoring 3 step 1.d: a computing resource no instance
#     has): 200, nothing steered, the controller counts it unmet by the
#     reason "resources";
#   - "avoid gpu" (only instance 101, behind the nearer egress1, runs it)
#     and latency and loss bounds egress2 meets: 100, steered to egress2;
#   - a second client that "needs gpu" (only instance 201, behind the
#     farther egress2, has one; egress2 judges it again before its ACK):
#     100, steered to egress2.
# Needs root and ip netns; exits 77 otherwise.
DOMAIN_TAG=rq
. "$(dirname "$0")/../lib/domain.sh"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
configure_all
# instance 101 runs "gpu" (docs/config.md: functions): the controller
# gives it to its C-PS, egress1 judges its own instance on it; instance
# 201 has a gpu (resources), the same way at the controller and egress2
sed 's/"id": 101, "service": "video.cats", "egress": "egress1" }/"id": 101, "service": "video.cats", "egress": "egress1", "functions": ["gpu"] }/
    s/"id": 201, "service": "video.cats", "egress": "egress2" }/"id": 201, "service": "video.cats", "egress": "egress2", "resources": ["gpu"] }/' \
    "$T/K.json" >"$T/K.new" && mv "$T/K.new" "$T/K.json"
sed 's/"id": 101, "service": "video.cats", "edge": "2001:db8:d1::100" }/"id": 101, "service": "video.cats", "edge": "2001:db8:d1::100", "functions": ["gpu"] }/' \
    "$T/E1.json" >"$T/E1.new" && mv "$T/E1.new" "$T/E1.json"
sed 's/"id": 201, "service": "video.cats", "edge": "2001:db8:d2::100" }/"id": 201, "service": "video.cats", "edge": "2001:db8:d2::100", "resources": ["gpu"] }/' \
    "$T/E2.json" >"$T/E2.new" && mv "$T/E2.new" "$T/E2.json"
for n in K E1; do
	if grep -q '"functions"' "$T/$n.json" &&
	    in_ns "$n" "$CATSD" -n -f "$T/$n.json" >/dev/null 2>"$T/$n.err"; then
		pass "catsd -n accepts $(name_of "$n")'s instance functions"
	else
		fail "catsd -n $(name_of "$n") with functions: $(cat "$T/$n.err")"
	fi
done
for n in K E2; do
	check_has "catsd -n prints $(name_of "$n")'s instance resources" \
	    '"gpu"' in_ns "$n" "$CATSD" -n -f "$T/$n.json"
done

for n in $NODES; do start_node "$n"; done
for n in $NODES; do wait_sock "$n"; done
set_metrics
# the path metrics catsd could not feed before: bandwidth, variation, loss
if ctl K raw <<EOF | grep -c '"ok":true' | grep -q '^2$'
{"cmd":"metric","ingress":0,"egress":0,"bandwidth":100000000,"delay_var_ns":1000000,"loss_ppb":1000}
{"cmd":"metric","ingress":0,"egress":1,"bandwidth":100000000,"delay_var_ns":1000000,"loss_ppb":1000}
EOF
then
	pass "metric: bandwidth, delay variation and loss set on a path"
else
	fail "metric: bandwidth, delay_var_ns, loss_ppb refused"
fi

ctl I1 client attach 2001:db8:a::10 02:00:5e:10:00:01 >/dev/null || fail "attach"

# One svc-request with these requirements (JSON, docs/wire.md) from the
# client ($3, else 2001:db8:a::10) to ingress1's signaling address;
# prints the decoded svc-reply.
ask() {
	_src=${3:-2001:db8:a::10}
	cat >"$T/req.json" <<EOF
[ { "src": "$_src", "dst": "$CORE_I1", "kind": "svc-request",
    "seq": $1, "flags": "CX", "options": { "service-id": "video.cats",
    "cats-requirements": $2 } } ]
EOF
	hex=$("$CTL" pkt encode "$T/req.json") || { fail "pkt encode: $hex"; return; }
	rm -f "$T/reply.hex"
	in_ns C python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[3], 5436))
s.settimeout(5)
s.sendto(bytes.fromhex(sys.argv[1]), (sys.argv[2], 5436))
print(s.recvfrom(4096)[0].hex())' "$hex" "$CORE_I1" "$_src" >"$T/reply.hex" 2>"$T/reply.err" ||
	    { fail "no svc-reply: $(cat "$T/reply.err")"; return; }
	"$CTL" pkt decode "$(cat "$T/reply.hex")"
}
# steered_to CLIENT SID: ingress1 steers the client to that egress's SID
steered_to() { dproutes I1 | grep "from $1 .*$2"; }

# ---- unmet: 1 ms, and the nearest path alone is 5 ms
out=$(ask 1 '{ "max_lat": 1000000 }')
check_has "unmet latency: svc-reply status 200 (no CATS sites available)" \
    '"status": *200' echo "$out"
sleep 0.5	# lint: sleep-ok: time for a wrong route to appear, if one would
check_absent "unmet latency: nothing steered at ingress1" \
	"from 2001:db8:a::10 " dproutes I1
check_has "unmet latency: the controller counted requirements-unmet" \
	'"requirements-unmet":1' ctl K -j show counters

# ---- unmet: a computing resource nobody has (anchoring 3 step 1.d)
out=$(ask 2 '{ "affinity": [ { "kind": "needs", "name": "tpu" } ] }')
check_has "needs tpu: svc-reply status 200 (no CATS sites available)" \
    '"status": *200' echo "$out"
sleep 0.5	# lint: sleep-ok: time for a wrong route to appear, if one would
check_absent "needs tpu: nothing steered at ingress1" \
	"from 2001:db8:a::10 " dproutes I1
check_json "needs tpu: the controller counted it unmet, reason resources" \
	'.unmet.resources == 1' ctl K -j show counters

# ---- met: "avoid gpu", and loss and latency bounds egress2 meets
out=$(ask 3 '{ "max_lat": 30000000, "max_loss": 100000, "affinity": [ { "kind": "avoid", "name": "gpu" } ] }')
check_has "met requirements: svc-reply status 100" '"status": *100' echo "$out"
if wait_for 10 out_has "fc00:e2::" dproutes I1; then
	pass "affinity honoured: ingress1 steers the client to egress2: $(dproutes I1 | grep "from 2001:db8:a::10 ")"
else
	fail "affinity: no steering to egress2: $(dproutes I1)"
fi

# ---- met: a second client needs a gpu, which only instance 201 has
x C addr add 2001:db8:a::11/64 dev a1 nodad || fail "second client address"
ctl I1 client attach 2001:db8:a::11 02:00:5e:10:00:02 >/dev/null || fail "attach"
out=$(ask 4 '{ "affinity": [ { "kind": "needs", "name": "gpu" } ] }' 2001:db8:a::11)
check_has "needs gpu: svc-reply status 100" '"status": *100' echo "$out"
if wait_for 10 steered_to 2001:db8:a::11 fc00:e2::; then
	pass "needs gpu: ingress1 steers the client to egress2, whose instance has one: $(steered_to 2001:db8:a::11 fc00:e2::)"
else
	fail "needs gpu: not steered to egress2: $(dproutes I1)"
fi
check_json "needs gpu: egress2 judged it met before its ACK (nothing unmet there)" \
	'(.unmet.resources // 0) == 0' ctl E2 -j show counters
check_json "the controller counted the one resource nobody has, not this one" \
	'.unmet.resources == 1' ctl K -j show counters
stop_nodes
check_absent "no sanitizer report in the logs" "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" cat "$T"/*.log
check_done "reqs"
