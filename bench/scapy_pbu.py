#!/usr/bin/env python3
"""codec.decode.scapy: the baseline of codec.decode_vs_scapy, measured.

Usage: scapy_pbu.py FILE [SECONDS]
FILE holds the PBUs bench_codec decodes, one a line: "SEQ HEX" (the
sequence number it encoded, the Mobility Header's octets).  They are
dissected with scapy's MIPv6 layer, picked by MH type as scapy's IPv6
layer picks it for next header 135, in rounds over the whole set until
SECONDS (2) have passed.  Every dissection must give a Binding Update with
the sequence number encoded and nothing left undecoded, so the rate is of
work done.  scapy does not verify the checksum (bench_codec does).

Prints "rate MSG_PER_S DECODES SCAPY_VERSION"; without scapy, "skip:
REASON" and exit 77.
"""
import sys
import time

try:
    import scapy
    from scapy.layers.inet6 import MIP6MH_BU, MIP6MH_Generic, \
        _mip6_mhtype2cls
    from scapy.packet import Raw, Padding
except ImportError as e:
    print("skip: scapy not importable: %s; Debian: python3-scapy" % e)
    sys.exit(77)


def load(path):
    with open(path) as f:
        return [(int(seq), bytes.fromhex(hx))
                for seq, hx in (line.split() for line in f)]


def dissect(mh):
    return _mip6_mhtype2cls.get(mh[2], MIP6MH_Generic)(mh)


# Once before timing: a mis-dissection would make the rate meaningless.
def check(msgs):
    for seq, mh in msgs:
        p = dissect(mh)
        if not isinstance(p, MIP6MH_BU) or p.seq != seq or \
                p.haslayer(Raw) or p.haslayer(Padding):
            sys.exit("scapy_pbu: PBU seq %d dissected as %r" % (seq, p))


def rate(msgs, seconds):
    n = 0
    acc = 0
    t0 = time.perf_counter()
    while True:
        for _, mh in msgs:
            acc += dissect(mh).seq
        n += len(msgs)
        t = time.perf_counter() - t0
        if t >= seconds:
            return n / t, n


def main():
    msgs = load(sys.argv[1])
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    check(msgs)
    r, n = rate(msgs, seconds)
    print("rate %.0f %d %s" % (r, n, scapy.__version__))


main()
