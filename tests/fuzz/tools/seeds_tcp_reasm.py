#!/usr/bin/python3
# Regenerates the seed corpus of fuzz_tcp_reasm (tests/fuzz/corpus/tcp_reasm).
# Format: see the comment at the top of tests/fuzz/fuzz_tcp_reasm.c.
import os, struct
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'corpus', 'tcp_reasm')
os.makedirs(OUT, exist_ok=True)
FIN, SYN, RST, PSH, ACK, URG = 1, 2, 4, 8, 16, 32
TO_SRV, HAS_ACK, OWN, RELEASE = 1, 2, 4, 8

def hdr(prevent=True, win=3, chunks=3, depth=False, ws=False, hs=True, segs=31, ooo=7, maxseg=15, isn=0):
    b0 = (1 if prevent else 0) | win << 1 | chunks << 3 | (0x20 if depth else 0) | (0x40 if ws else 0) | (0x80 if hs else 0)
    return bytes([b0, segs, ooo | maxseg << 4, isn])

def rec(off, ln, to_srv=True, flags=ACK | PSH, ack=0, win=255, own=None, release=False, has_ack=True):
    c = (TO_SRV if to_srv else 0) | (HAS_ACK if has_ack else 0) | (OWN if own is not None else 0) | (RELEASE if release else 0)
    r = bytes([c]) + struct.pack('>h', off) + bytes([flags & 0xff & ~ACK if not has_ack else flags & 0xff, ack, win, ln])
    return r + (own if own is not None else b'')

def put(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)

put('in_order', hdr() + rec(0, 20) + rec(20, 20) + rec(40, 5))
put('reverse', hdr() + rec(40, 20) + rec(20, 20) + rec(0, 20))
put('permute', hdr() + rec(20, 10) + rec(0, 10) + rec(30, 10) + rec(10, 10))
put('one_byte', hdr() + b''.join(rec(i, 1) for i in (5, 3, 1, 0, 2, 4, 6)))
put('overlap_same', hdr() + rec(10, 20) + rec(5, 10) + rec(25, 10) + rec(0, 40) + rec(12, 4))
put('conflict_ooo', hdr() + rec(10, 8) + rec(12, 4, own=b'EVIL') + rec(0, 10))
put('conflict_inorder', hdr() + rec(0, 8) + rec(4, 8, own=b'XXXXXXXX'))
put('conflict_detect', hdr(prevent=False) + rec(16, 8) + rec(12, 8, own=b'abcdefgh') + rec(20, 8, own=b'ABCDEFGH') + rec(0, 16))
put('replace_cover_detect', hdr(prevent=False) + rec(16, 8) + rec(16, 12, own=b'0123456789ab') + rec(10, 30, own=b'z' * 30) + rec(0, 10))
put('wrap', hdr(isn=0x7f) + rec(0, 100) + rec(100, 100) + rec(300, 50) + rec(200, 100))
put('syn_data', hdr(hs=False) + rec(-1, 5, flags=SYN, has_ack=False) + rec(0, 9) + rec(-1, 5, flags=SYN, own=b'PUT /', has_ack=False))
put('rst_valid', hdr() + rec(0, 10) + rec(10, 0, flags=RST, has_ack=False) + rec(10, 10) + rec(0, 5, to_srv=False))
put('rst_invalid', hdr() + rec(0, 10) + rec(50, 0, flags=RST, has_ack=False) + rec(10, 10))
put('fin', hdr() + rec(0, 10, flags=ACK | FIN) + rec(10, 10) + rec(5, 10) + rec(0, 4, to_srv=False, ack=2, flags=ACK | FIN))
put('fin_queued', hdr() + rec(20, 0, flags=ACK | FIN) + rec(10, 10, flags=ACK | FIN) + rec(30, 5) + rec(0, 10))
put('zero_window', hdr() + rec(0, 16) + rec(0, 0, to_srv=False, ack=2, win=0) + rec(16, 1) + rec(0, 0, to_srv=False, ack=2, win=4) + rec(16, 40))
put('urgent', hdr() + rec(0, 12, flags=ACK | PSH | URG))
put('midstream', hdr(hs=False) + rec(1000, 20) + rec(990, 20) + rec(0, 8, to_srv=False, ack=128) + rec(1020, 3))
put('memcap', hdr(chunks=0) + b''.join(rec(100 + 200 * i, 100) for i in range(10)) + rec(0, 100, release=True) + rec(0, 50))
put('depth', hdr(depth=True) + b''.join(rec(60 * i, 60) for i in range(7)) + rec(0, 0, to_srv=False, flags=ACK | FIN, ack=40))
put('gap_ack', hdr() + rec(0, 8) + rec(16, 8) + rec(0, 0, to_srv=False, ack=3) + rec(24, 8))
put('release', hdr() + rec(10, 10) + rec(0, 5, release=True) + rec(5, 5))
put('limits', hdr(segs=1, ooo=0, maxseg=0) + rec(5, 4) + rec(12, 4) + rec(30, 4) + rec(0, 17) + rec(0, 16))
put('wscale', hdr(ws=True) + rec(0, 0, to_srv=False, ack=0, win=1) + rec(0, 20) + rec(50, 20) + rec(200, 20))
put('small_window', hdr(win=1) + b''.join(rec(i * 3, 3) for i in range(12)))
put('no_window', hdr(win=0) + rec(0, 10) + rec(5, 10) + rec(20, 5) + rec(15, 5))
put('server_dir', hdr() + rec(0, 0) + rec(0, 30, to_srv=False) + rec(40, 10, to_srv=False) + rec(30, 10, to_srv=False))
put('truncated', hdr() + rec(0, 20) + rec(20, 40, own=b'short'))
put('short_header', b'\x81\x01')
put('empty', b'')
put('big_payload', hdr(maxseg=3) + rec(0, 255, own=bytes(range(255))) + rec(0, 64))
put('negative_seq', hdr() + rec(-200, 50) + rec(-20, 40) + rec(0, 10))
