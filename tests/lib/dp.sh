#!/bin/sh
# tests/lib/dp.sh: what a node's data plane holds, whichever backend runs
# (docs/dataplane.md), for the shell tests and the testbed.  Sourced; the
# caller sets CTL (catsctl).
#
#   dp_routes NETNS SOCK   the routes of the catsd at SOCK in NETNS, one a
#       line, in ip-route(8)'s words: the kernel's own dump where catsd runs
#       seg6 routes; catsd's dump of its eBPF maps (and of the plain routes
#       it put in the kernel) otherwise.  It fails, printing nothing, when
#       catsd does not answer.
#   dp_kernel_view NETNS   what the kernel itself holds of ours, without
#       asking catsd (which may be dead): our routes (protocol 252), then each
#       tc program of ours with the entries of its maps, e.g.
#       "tc acc0 cats_eth: steer6_exact=2 route6_exact=1 steer6=0 route6=0 sid6=1".  Empty when nothing
#       of ours is left; fails when the namespace cannot be read.
#   dp_segment             (a filter) the first segment of each route line

dp_routes() {
	_dk=$(ip netns exec "$1" "$CTL" -s "$2" -j show dataplane | jq -r .backend) ||
		return 1
	case $_dk in
	kernel) ip -n "$1" -6 route show proto 252 table all;;
	bpf) ip netns exec "$1" "$CTL" -s "$2" -j show routes |
		jq -r '.routes[]' | sed 's#/128##g';;
	*) echo "dp_routes: no data plane in $1 ($_dk)" >&2; return 1;;
	esac
}

dp_kernel_view() {
	# (a namespace that is gone must not read as "nothing left")
	ip -n "$1" -6 route show proto 252 table all || return 1
	for _dif in $(ip -n "$1" -o link show | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p'); do
		tc -n "$1" filter show dev "$_dif" ingress 2>/dev/null |
		    sed -n 's/.* id \([0-9]*\) name \(cats_[a-z0-9]*\) .*/\2 \1/p' |
		while read -r _dprog _did; do
			printf 'tc %s %s:' "$_dif" "$_dprog"
			for _dm in $(bpftool -j prog show id "$_did" | jq -r '.map_ids[]'); do
				_dn=$(bpftool -j map show id "$_dm" | jq -r .name)
				case $_dn in steer6*|route6*|sid6) ;; *) continue;; esac
				printf ' %s=%s' "$_dn" "$(bpftool -j map dump id "$_dm" | jq length)"
			done
			printf '\n'
		done
	done
}

# "segs 1 [ SID ]" (ip) or "segs SID" (catsd) -> SID
dp_segment() {
	sed -n -e 's/.*segs 1 \[ \([^ ]*\) \].*/\1/p' -e 't' -e 's/.*segs \([^ ,]*\).*/\1/p'
}
