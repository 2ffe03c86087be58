#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generates the capture (input.pcap) of every capture-regression case.

Run with Debian's interpreter (it has python3-scapy):

    /usr/bin/python3 tests/pcap/gen.py            # (re)write every case's input.pcap
    /usr/bin/python3 tests/pcap/gen.py --list     # also print each packet: index, UTC time, summary
    /usr/bin/python3 tests/pcap/gen.py 0003 0011  # only these cases

The output is deterministic (fixed timestamps, addresses, ports, sequence numbers, IP ids), so
regenerating an unchanged case rewrites identical bytes and the committed captures only change
when a case here changes.  The test.rules, args, vpatchd.conf and expected.json of each case are
written by hand next to the capture; when you change a case here, redo its expected.json by
reasoning (the --list output gives every packet's timestamp), never by running the daemon.

Timestamps: case N starts at 2026-11-28 12:NN:00 UTC and packet i (0-based, in file order) is
at start + i * 10001 microseconds, e.g. packet 3 of case 2 is 2026-11-28T12:02:00.030003+0000.

Scapy only builds the packets; the pcap file is written here (classic little-endian pcap,
microsecond resolution, snaplen 65535) so the link type and timestamps are exactly as given.
"""

import calendar
import os
import struct
import sys

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest, IPv6
from scapy.layers.l2 import Dot1Q, Ether

HERE = os.path.dirname(os.path.abspath(__file__))
EPOCH = calendar.timegm((2026, 11, 28, 12, 0, 0))
STEP_US = 10001

LINK_ETHERNET = 1
LINK_RAW = 101
LINK_SLL = 113

CLI4, SRV4 = "203.0.113.5", "192.0.2.10"
CLI6, SRV6 = "2001:db8::5", "2001:db8::10"
MAC_CLI, MAC_SRV = "02:00:00:00:00:01", "02:00:00:00:00:02"


class Capture:
	"""The packets of one case, in order, wrapped in the case's link layer."""

	def __init__(self, number, linktype=LINK_ETHERNET, vlan=None):
		self.number = number
		self.linktype = linktype
		self.vlan = vlan
		self.frames = []	# (ts_sec, ts_usec, bytes, summary)

	def _frame(self, pkt, from_client):
		if isinstance(pkt, bytes):
			raw, ethertype = pkt, 0x0800
		else:
			raw, ethertype = bytes(pkt), 0x86DD if pkt.haslayer(IPv6) else 0x0800
		if self.linktype == LINK_RAW:
			return raw
		if self.linktype == LINK_SLL:
			# Linux cooked v1: packet type (0 to us, 4 outgoing), ARPHRD_ETHER, address.
			mac = bytes.fromhex((MAC_CLI if from_client else MAC_SRV).replace(":", ""))
			hdr = struct.pack(">HHH8sH", 0 if from_client else 4, 1, 6,
					  mac + b"\0\0", ethertype)
			return hdr + raw
		src, dst = (MAC_CLI, MAC_SRV) if from_client else (MAC_SRV, MAC_CLI)
		if self.vlan is not None:
			eth = Ether(src=src, dst=dst, type=0x8100) / Dot1Q(vlan=self.vlan, type=ethertype)
		else:
			eth = Ether(src=src, dst=dst, type=ethertype)
		return bytes(eth) + raw

	def add(self, pkt, from_client=True, summary=None):
		i = len(self.frames)
		us = i * STEP_US
		sec = EPOCH + self.number * 60 + us // 1000000
		if summary is None:
			summary = pkt.summary() if not isinstance(pkt, bytes) else "raw bytes"
		self.frames.append((sec, us % 1000000, self._frame(pkt, from_client), summary))
		return i

	def write(self, path):
		with open(path, "wb") as f:
			f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, self.linktype))
			for sec, usec, data, _ in self.frames:
				f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
				f.write(data)

	def listing(self):
		import time
		for i, (sec, usec, data, summary) in enumerate(self.frames):
			stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
			print("  %2d %s.%06d+0000 %4dB %s" % (i, stamp, usec, len(data), summary))


class TcpSession:
	"""One TCP connection with correct sequence numbers; the peer ACKs every data segment."""

	def __init__(self, cap, cli, cport, srv, sport, cseq=1000, sseq=500000):
		self.cap = cap
		self.cli, self.cport, self.srv, self.sport = cli, cport, srv, sport
		self.v6 = ":" in cli
		self.seq = {True: cseq, False: sseq}	# next seq, keyed by from_client
		self.ipid = {True: 0x100 + cport % 256, False: 0x4000 + cport % 256}

	def _ip(self, from_client):
		src, dst = (self.cli, self.srv) if from_client else (self.srv, self.cli)
		if self.v6:
			return IPv6(src=src, dst=dst, hlim=64)
		self.ipid[from_client] += 1
		return IP(src=src, dst=dst, ttl=64, id=self.ipid[from_client], flags="DF")

	def segment(self, from_client, flags, payload=b"", seq=None, ack=True, summary=None):
		"""Sends one segment; seq=None: the next one (advances); else a retransmission."""
		sp, dp = (self.cport, self.sport) if from_client else (self.sport, self.cport)
		s = self.seq[from_client] if seq is None else seq
		a = self.seq[not from_client] if ack else 0
		tcp = TCP(sport=sp, dport=dp, seq=s, ack=a, flags=flags, window=64240)
		pkt = self._ip(from_client) / tcp
		if payload:
			pkt = pkt / payload
		if seq is None:
			self.seq[from_client] += len(payload) + (1 if ("S" in flags or "F" in flags) else 0)
		if summary is None:
			summary = "%s %s:%d > %s:%d [%s] %r" % ("TCP", pkt.src if self.v6 else pkt[IP].src,
				sp, pkt.dst if self.v6 else pkt[IP].dst, dp, flags, payload[:60])
		return self.cap.add(pkt, from_client, summary)

	def handshake(self):
		self.segment(True, "S", ack=False)
		self.segment(False, "SA")
		self.segment(True, "A")

	def data(self, from_client, payload, ack_it=True):
		"""A data segment and the peer's pure ACK; returns the data packet's index."""
		i = self.segment(from_client, "PA", payload)
		if ack_it:
			self.segment(not from_client, "A")
		return i

	def close(self):
		self.segment(True, "FA")
		self.segment(False, "FA")
		self.segment(True, "A")


def http_get(path, host="example.test", extra=""):
	return ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: vpatch-test/1.0\r\n%sAccept: */*\r\n\r\n"
		% (path, host, extra)).encode()


def http_resp(status="200 OK", body="ok\n"):
	return ("HTTP/1.1 %s\r\nServer: test\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
		% (status, len(body), body)).encode()


def exchange(cap, cli, cport, srv, sport, requests, close=True, **kw):
	"""A full connection: handshake, (request, response) pairs, close.  Returns the session and
	the indices of the request and response packets."""
	s = TcpSession(cap, cli, cport, srv, sport, **kw)
	s.handshake()
	idx = []
	for req, resp in requests:
		idx.append(s.data(True, req))
		if resp is not None:
			idx.append(s.data(False, resp))
	if close:
		s.close()
	return s, idx


# ---------------------------------------------------------------------------------------------
# The cases.  Each returns a Capture; the comment says what the case's rules and expected.json
# rely on (packet indices are those printed by --list).

def case_0001():
	"""Benign HTTP GET + 200 response; rules present (drop .%2e/, alert /etc/passwd); no alert."""
	cap = Capture(1)
	exchange(cap, CLI4, 40000, SRV4, 80, [(http_get("/index.html"), http_resp())])
	return cap


def case_0002():
	"""Attack GET (.%2e/ traversal) + 404; detect: 1 alert on packet 3 (the request)."""
	cap = Capture(2)
	exchange(cap, CLI4, 40000, SRV4, 80,
		 [(http_get("/cgi-bin/.%2e/.%2e/etc/passwd"), http_resp("404 Not Found", "nope\n"))])
	return cap


def case_0003():
	"""Prevent: flow A (cport 40000): attack request at 3 (blocked), its retransmission at 4,
	a second attack request at 5 and a response at 6: no further alert.  Flow B (40001):
	benign request, no alert.  Flow C (40002): attack, blocked (a different flow)."""
	cap = Capture(3)
	a = TcpSession(cap, CLI4, 40000, SRV4, 80)
	a.handshake()				# 0 1 2
	req = http_get("/cgi-bin/.%2e/.%2e/etc/passwd")
	seq0 = a.seq[True]
	a.segment(True, "PA", req)		# 3: alert, blocked
	a.segment(True, "PA", req, seq=seq0)	# 4: retransmission: flow blocked, no alert
	a.segment(True, "PA", http_get("/cgi-bin/.%2e/.%2e/.%2e/etc/shadow"))	# 5: no alert
	a.segment(False, "PA", http_resp("404 Not Found", "nope\n"))	# 6
	exchange(cap, CLI4, 40001, SRV4, 80, [(http_get("/index.html"), http_resp())])  # 7..16
	exchange(cap, CLI4, 40002, SRV4, 80, [(http_get("/a/.%2e/b"), None)], close=False)  # 17..21
	return cap


def case_0004():
	"""IPv6 TCP: benign request (flow 40000, 0..9) then attack /etc/passwd (flow 40001, request
	at 13); prevent: blocked; the later request on the same flow (14) gives no alert."""
	cap = Capture(4)
	exchange(cap, CLI6, 40000, SRV6, 80, [(http_get("/"), http_resp())])	# 0..9
	s = TcpSession(cap, CLI6, 40001, SRV6, 80)
	s.handshake()				# 10 11 12
	s.segment(True, "PA", http_get("/download?file=../../etc/passwd"))	# 13
	s.segment(True, "PA", http_get("/download?file=/etc/passwd"))	# 14
	return cap


def case_0005():
	"""UDP (Linux cooked capture): prevent, drop udp rule on dport 5060 content
	"INVITE sip|3a|evil".  Flow A (53000): benign 0, reply 1, attack 2 (blocked), attack 3
	(no alert: flow blocked).  Flow B (53001): attack 4 (blocked).  Reply from 5060 carrying
	the string at 5 (53001 flow, to_client; the rule's dport 5060 does not match)."""
	cap = Capture(5, LINK_SLL)

	def udp(src, sport, dst, dport, data, from_client=True):
		pkt = IP(src=src, dst=dst, ttl=64, id=0x200 + len(cap.frames)) / \
			UDP(sport=sport, dport=dport) / data
		summary = "UDP %s:%d > %s:%d %r" % (src, sport, dst, dport, data[:50])
		return cap.add(pkt, from_client, summary)

	udp(CLI4, 53000, SRV4, 5060, b"OPTIONS sip:ok@example.test SIP/2.0\r\n\r\n")
	udp(SRV4, 5060, CLI4, 53000, b"SIP/2.0 200 OK\r\n\r\n", False)
	udp(CLI4, 53000, SRV4, 5060, b"INVITE sip:evil@example.test SIP/2.0\r\n\r\n")
	udp(CLI4, 53000, SRV4, 5060, b"INVITE sip:evil@example.test SIP/2.0\r\nRetry\r\n\r\n")
	udp(CLI4, 53001, SRV4, 5060, b"INVITE sip:evil@example.test SIP/2.0\r\n\r\n")
	udp(SRV4, 5060, CLI4, 53001, b"SIP/2.0 400 INVITE sip:evil rejected\r\n\r\n", False)
	return cap


def case_0006():
	"""ICMP (raw IP link type): echo request with the marker (0), echo reply echoing it (1),
	echo request without it (2), reply (3).  alert icmp any any -> any any: alerts on 0 and 1."""
	cap = Capture(6, LINK_RAW)
	mark = b"VPATCH-PING-MARKER-0123456789abcdef"
	other = b"just an ordinary ping payload 0123456789"
	cap.add(IP(src=CLI4, dst=SRV4, id=0x300) / ICMP(type=8, id=0x77, seq=1) / mark)
	cap.add(IP(src=SRV4, dst=CLI4, id=0x301) / ICMP(type=0, id=0x77, seq=1) / mark, False)
	cap.add(IP(src=CLI4, dst=SRV4, id=0x302) / ICMP(type=8, id=0x77, seq=2) / other)
	cap.add(IP(src=SRV4, dst=CLI4, id=0x303) / ICMP(type=0, id=0x77, seq=2) / other, False)
	return cap


def syn_to(sport, dport):
	return TCP(sport=sport, dport=dport, seq=1, flags="S", window=64240)


def same_address(number):
	"""0: IPv4 TCP SYN 192.0.2.10:1234 -> 192.0.2.10:80; 1: normal SYN (no alert);
	2: IPv6 UDP 2001:db8::10:5000 -> itself:53."""
	cap = Capture(number)
	dns = bytes.fromhex("123401000001000000000000" "0000010001")	# query for the root, A
	cap.add(IP(src=SRV4, dst=SRV4, id=0x500) / syn_to(1234, 80))
	cap.add(IP(src=CLI4, dst=SRV4, id=0x501) / syn_to(40000, 80))
	cap.add(IPv6(src=SRV6, dst=SRV6) / UDP(sport=5000, dport=53) / dns)
	return cap


def case_0007():
	"""Source == destination in detect mode: builtin 9000002, blocked anyway (packets 0 and 2)."""
	return same_address(7)


def case_0008():
	"""Raw IP link type, no valid IP header: 0 IPv4 IHL 3; 1 version nibble 7; 2 a valid TCP
	SYN (no alert); 3 12 bytes of an IPv4 header; 4 IPv4 total length 2000 on a 40-byte packet;
	5 IPv4 IHL 15 on a 40-byte packet; 6 IPv6 header cut at 30 bytes.  Builtin 9000001 on
	0 1 3 4 5 6, blocked even in detect mode."""
	cap = Capture(8, LINK_RAW)

	def fixsum(b):
		"""Recomputes the checksum of the first 20 bytes so the only defect is the intended one."""
		b[10:12] = b"\0\0"
		total = sum(struct.unpack(">10H", bytes(b[:20])))
		while total >> 16:
			total = (total & 0xFFFF) + (total >> 16)
		struct.pack_into(">H", b, 10, ~total & 0xFFFF)
		return bytes(b)

	good = bytes(IP(src=CLI4, dst=SRV4, id=0x600) / syn_to(40000, 80))
	ihl3 = bytearray(good)
	ihl3[0] = 0x43
	cap.add(fixsum(ihl3), summary="IPv4 with IHL 3")
	ver7 = bytearray(good)
	ver7[0] = 0x75
	cap.add(fixsum(ver7), summary="version nibble 7")
	cap.add(good, summary="valid IPv4 TCP SYN")
	cap.add(good[:12], summary="IPv4 header truncated at 12 bytes")
	tot = bytearray(good)
	struct.pack_into(">H", tot, 2, 2000)
	cap.add(fixsum(tot), summary="IPv4 total length 2000 > 40 bytes")
	ihl15 = bytearray(good)
	ihl15[0] = 0x4F
	cap.add(fixsum(ihl15), summary="IPv4 IHL 15 (60 bytes) on a 40-byte packet")
	v6 = bytes(IPv6(src=CLI6, dst=SRV6) / syn_to(40000, 80))
	cap.add(v6[:30], summary="IPv6 header truncated at 30 bytes")
	return cap


def case_0009():
	"""pcre.  Flows (request index): A 40000 'GET /admin/users.php?id=1%20UNION...' (3):
	1000900; B 40001 id=x (13): none; C 40002 '?token=deadbeef&' (23): 1000901 (R after
	content); D 40003 'a=token=zzzzzzzz' (33): none; E 40004 POST with a 'Cookie: evil=1'
	header and body 'BEGIN\\nxx\\nEND' (43): 1000902 (s) and 1000904 (m), not 1000903."""
	cap = Capture(9)
	r = http_resp()
	exchange(cap, CLI4, 40000, SRV4, 80, [(http_get("/admin/users.php?id=1%20UNION%20select"), r)])
	exchange(cap, CLI4, 40001, SRV4, 80, [(http_get("/admin/users.php?id=x%20union%20select"), r)])
	exchange(cap, CLI4, 40002, SRV4, 80, [(http_get("/x?token=deadbeef&y=1"), r)])
	exchange(cap, CLI4, 40003, SRV4, 80, [(http_get("/x?a=token=zzzzzzzz"), r)])
	body = b"BEGIN\nxx\nEND"
	post = (b"POST /upload HTTP/1.1\r\nHost: example.test\r\nCookie: evil=1\r\nContent-Length: "
		+ str(len(body)).encode() + b"\r\n\r\n" + body)
	exchange(cap, CLI4, 40004, SRV4, 80, [(post, r)])
	return cap


def case_0010():
	"""Negated content and nocase.  Rule 1001000: content "/ADMIN" nocase, content
	!"Authorization:".  Rule 1001001: content "SeCrEt" (case-sensitive).
	A 40000 'GET /admin/' no auth (3): 1001000.  B 40001 'GET /Admin/' + 'Authorization:' (13):
	none.  C 40002 'GET /ADMIN/' + lower-case 'authorization:' (23): 1001000.
	D 40003 '/secret' (33): none.  E 40004 '/SeCrEt' (43): 1001001."""
	cap = Capture(10)
	r = http_resp()
	exchange(cap, CLI4, 40000, SRV4, 80, [(http_get("/admin/"), r)])
	auth = "Authorization: Basic dTpw\r\n"
	exchange(cap, CLI4, 40001, SRV4, 80, [(http_get("/Admin/", extra=auth), r)])
	exchange(cap, CLI4, 40002, SRV4, 80, [(http_get("/ADMIN/", extra=auth.lower()), r)])
	exchange(cap, CLI4, 40003, SRV4, 80, [(http_get("/secret"), r)])
	exchange(cap, CLI4, 40004, SRV4, 80, [(http_get("/SeCrEt"), r)])
	return cap


def case_0011():
	"""Address/port negation and variables (home_net = [192.0.2.0/24], http_ports = [80, 8080]).
	Every request payload is 'probe ...'; request indices 3, 13, 23, 33, 43, 53, 63:
	F1 203.0.113.5:40000->192.0.2.10:80   : 1001100
	F2 203.0.113.5:40001->192.0.2.10:8080 : 1001100
	F3 203.0.113.5:40002->192.0.2.10:22   : 1001101
	F4 192.0.2.20:40003->192.0.2.10:80    : none
	F5 203.0.113.5:40004->192.0.2.12:80   : 1001100 1001102 1001104
	F6 203.0.113.5:1000->192.0.2.10:22    : 1001101 1001103
	F7 203.0.113.5:40005->198.51.100.1:8080 : none"""
	cap = Capture(11)
	r = b"ok\r\n"
	flows = [(CLI4, 40000, SRV4, 80), (CLI4, 40001, SRV4, 8080), (CLI4, 40002, SRV4, 22),
		 ("192.0.2.20", 40003, SRV4, 80), (CLI4, 40004, "192.0.2.12", 80),
		 (CLI4, 1000, SRV4, 22), (CLI4, 40005, "198.51.100.1", 8080)]
	for n, (c, cp, s, sp) in enumerate(flows):
		exchange(cap, c, cp, s, sp, [(b"probe number %d\r\n" % (n + 1), r)])
	return cap


def case_0012():
	"""Bidirectional '<>'.  Flow A 40000 -> 192.0.2.10:80: request with marker (3): 1001200;
	response with marker (5): 1001200 then 1001201 (the one-way server->client rule).
	Flow B 40001 -> 192.0.2.11:80 with the marker both ways (13, 15): none."""
	cap = Capture(12)
	req = http_get("/marker-bidir")
	resp = http_resp(body="marker-bidir\n")
	exchange(cap, CLI4, 40000, SRV4, 80, [(req, resp)])
	exchange(cap, CLI4, 40001, "192.0.2.11", 80, [(req, resp)])
	return cap


def case_0013():
	"""flow:to_server / to_client / established.  Flow A 40000: request with ECHO-TOKEN (3):
	1001300; response echoing it (5): 1001301 only.  Flow B 40001: a SYN carrying SYN-TOKEN
	(10): 1001303 (to_server, no established) but not 1001302 (established,to_server)."""
	cap = Capture(13)
	exchange(cap, CLI4, 40000, SRV4, 80,
		 [(http_get("/echo?q=ECHO-TOKEN"), http_resp(body="you said ECHO-TOKEN\n"))])
	s = TcpSession(cap, CLI4, 40001, SRV4, 80)
	s.segment(True, "S", b"SYN-TOKEN", ack=False)
	s.segment(False, "SA")
	s.segment(True, "A")
	return cap


def case_0014():
	"""pass rule.  Prevent.  Flow A 203.0.113.5:40000 /etc/passwd (3): 1001400 blocked then
	1001402 allowed.  Flow B 203.0.113.50:40001 /etc/passwd (8): pass rule: nothing."""
	cap = Capture(14)
	exchange(cap, CLI4, 40000, SRV4, 80, [(http_get("/etc/passwd"), None)], close=False)
	exchange(cap, "203.0.113.50", 40001, SRV4, 80,
		 [(http_get("/etc/passwd"), http_resp("404 Not Found", "nope\n"))])
	return cap


def case_0015():
	"""alert rule in prevent mode: two requests with /etc/passwd on one flow (3 and 7): two
	alerts, both allowed (the flow is not blocked)."""
	cap = Capture(15)
	exchange(cap, CLI4, 40000, SRV4, 80,
		 [(http_get("/etc/passwd"), http_resp("404 Not Found", "nope\n")),
		  (http_get("/x/etc/passwd"), http_resp("404 Not Found", "nope\n"))])
	return cap


def multi(number):
	"""One request matched by several rules (3); a second flow with no match (12)."""
	cap = Capture(number)
	exchange(cap, CLI4, 40000, SRV4, 80, [(http_get("/multi/target"), http_resp())])
	exchange(cap, CLI4, 40001, SRV4, 80, [(http_get("/single/target"), http_resp())])
	return cap


def case_0016():
	"""Several rules on one packet, detect: order drop(file order), reject, alert(file order)."""
	return multi(16)


def case_0017():
	"""As 0016 in prevent mode: drops and reject blocked, alert rules allowed."""
	return multi(17)


def case_0018():
	"""Source == destination in prevent mode (same capture as 0007)."""
	return same_address(18)


def case_0019():
	"""802.1Q-tagged Ethernet (VLAN 42): detect, attack request (3) -> one alert."""
	cap = Capture(19, vlan=42)
	exchange(cap, CLI4, 40000, SRV4, 80,
		 [(http_get("/cgi-bin/.%2e/.%2e/etc/passwd"), http_resp("404 Not Found", "nope\n"))])
	return cap


def case_0020():
	"""ICMPv6 echo with marker (0) and its reply (1); a plain echo (2, 3).  alert icmp: proto
	IPv6-ICMP alerts on 0 and 1."""
	cap = Capture(20)
	mark = b"VPATCH-ICMP6-MARKER-0123456789"
	cap.add(IPv6(src=CLI6, dst=SRV6) / ICMPv6EchoRequest(id=0x55, seq=1, data=mark))
	cap.add(IPv6(src=SRV6, dst=CLI6) / ICMPv6EchoReply(id=0x55, seq=1, data=mark), False)
	cap.add(IPv6(src=CLI6, dst=SRV6) / ICMPv6EchoRequest(id=0x55, seq=2, data=b"plain"))
	cap.add(IPv6(src=SRV6, dst=CLI6) / ICMPv6EchoReply(id=0x55, seq=2, data=b"plain"), False)
	return cap


def bad_checksum(number, retransmit):
	"""Attack request with a wrong TCP checksum (3), then either its retransmission with a good
	checksum or a benign next request (4)."""
	cap = Capture(number)
	s = TcpSession(cap, CLI4, 40000, SRV4, 80)
	s.handshake()
	req = http_get("/etc/passwd")
	seq0 = s.seq[True]
	pkt = IP(src=CLI4, dst=SRV4, ttl=64, id=0x700, flags="DF") / TCP(
		sport=40000, dport=80, seq=seq0, ack=s.seq[False], flags="PA", window=64240) / req
	good = pkt.__class__(bytes(pkt))
	pkt[TCP].chksum = good[TCP].chksum ^ 0x5A5A
	cap.add(pkt, True, "TCP attack with bad checksum")
	if retransmit:
		s.segment(True, "PA", req, seq=seq0)
	else:
		s.seq[True] += len(req)
		s.segment(True, "PA", http_get("/index.html"))
	return cap


def case_0021():
	"""Default checksum_checks = yes: the bad-checksum packet (3) is skipped; the good
	retransmission (4) alerts."""
	return bad_checksum(21, True)


def case_0022():
	"""checksum_checks = no: the bad-checksum attack (3) alerts; the benign next request (4)
	does not (detect mode, alert rule)."""
	return bad_checksum(22, False)


def case_0023():
	"""classtype with a case-local classification file: category and severity from it."""
	cap = Capture(23)
	exchange(cap, CLI4, 40000, SRV4, 80,
		 [(http_get("/cgi-bin/.%2e/.%2e/etc/passwd"), http_resp("404 Not Found", "nope\n"))])
	return cap


def xff_capture(number):
	"""Requests through a reverse proxy (203.0.113.5): A (40000) says X-Forwarded-For
	198.51.100.7, 192.0.2.77 (request 3, response 5); B (40001) has no such header (13, 15);
	C (40002) an unusable one, "unknown" (23, 25).  Every request and response matches."""
	cap = Capture(number)
	body = "secret-token\n"
	for port, hdr in ((40000, "X-Forwarded-For: 198.51.100.7, 192.0.2.77\r\n"),
			  (40001, ""), (40002, "x-forwarded-for: unknown\r\n")):
		exchange(cap, CLI4, port, SRV4, 80,
			 [(http_get("/login.php", extra=hdr), http_resp("200 OK", body))])
	return cap


def case_0024():
	"""xff = overwrite, reverse: the client is the last address of the list."""
	return xff_capture(24)


def case_0025():
	"""xff = extra-data, forward: alert.xff is the first address of the list."""
	return xff_capture(25)


def case_0026():
	"""vpatchd restarted under traffic: a keep-alive connection is first seen with the
	server's reply (packet 0, from port 80), then its next request is an attack (2): it is
	inspected as an HTTP request (http.uri) and blocked."""
	cap = Capture(26)
	s = TcpSession(cap, CLI4, 45000, SRV4, 80)
	s.data(False, http_resp())				# 0, 1
	s.data(True, http_get("/shell.php?cmd=whoami"))		# 2, 3
	s.data(False, http_resp("404 Not Found", "nope\n"))	# 4, 5
	return cap


CASES = {
	"0001": ("0001-benign-http", case_0001),
	"0002": ("0002-http-attack-detect", case_0002),
	"0003": ("0003-http-attack-prevent", case_0003),
	"0004": ("0004-ipv6-tcp-attack", case_0004),
	"0005": ("0005-udp-content-sll", case_0005),
	"0006": ("0006-icmp-content-raw", case_0006),
	"0007": ("0007-same-address-detect", case_0007),
	"0008": ("0008-bad-ip-header-raw", case_0008),
	"0009": ("0009-pcre", case_0009),
	"0010": ("0010-negated-content-nocase", case_0010),
	"0011": ("0011-negation-and-variables", case_0011),
	"0012": ("0012-bidirectional", case_0012),
	"0013": ("0013-flow-direction", case_0013),
	"0014": ("0014-pass-rule", case_0014),
	"0015": ("0015-alert-rule-in-prevent", case_0015),
	"0016": ("0016-multi-match-detect", case_0016),
	"0017": ("0017-multi-match-prevent", case_0017),
	"0018": ("0018-same-address-prevent", case_0018),
	"0019": ("0019-vlan-ethernet", case_0019),
	"0020": ("0020-icmpv6-content", case_0020),
	"0021": ("0021-bad-checksum-skipped", case_0021),
	"0022": ("0022-bad-checksum-checks-off", case_0022),
	"0023": ("0023-classtype-category", case_0023),
	"0024": ("0024-xff-overwrite", case_0024),
	"0025": ("0025-xff-extra-data", case_0025),
	"0026": ("0026-midstream-reply-first", case_0026),
}


# ---------------------------------------------------------------------------------------------
# Evasion cases (issue #4): the same /etc/passwd attack delivered in ways meant to slip past
# an inspector.  Unless a case says otherwise its test.rules hold two rules:
#   1010001  drop http ... -> any 80    http.uri; content:"/etc/passwd"    (flows to port 80)
#   1010002  drop tcp  ... -> any 8080  content:"/etc/passwd" (raw stream)  (flows to port 8080)
# so a flow to port 80 shows what the HTTP layer sees and a flow to port 8080 what the
# reassembled stream shows; both ports are HTTP ports by default.  Client ports are 41000 and
# up; packet indices below are those printed by --list.

def short_get(path, host="example.test"):
	"""A small request (so that one-byte segmentation stays short); <path> may be bytes."""
	if isinstance(path, str):
		path = path.encode()
	return b"GET " + path + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n"


def pieces(s, from_client, payload, bounds, order=None):
	"""Sends payload[bounds[k]:bounds[k+1]] as segment k with its own sequence number, in
	<order> (default: in order); returns {k: packet index}.  Nothing is acknowledged."""
	base = s.seq[from_client]
	cuts = list(bounds) + [len(payload)]
	segs = [(cuts[k], cuts[k + 1]) for k in range(len(cuts) - 1)]
	idx = {}
	for k in (order if order is not None else range(len(segs))):
		a, b = segs[k]
		idx[k] = s.segment(from_client, "PA", payload[a:b], seq=base + a)
	s.seq[from_client] = base + len(payload)
	return idx


def byte_by_byte(s, payload):
	"""One segment per byte (what a client writing one byte at a time with TCP_NODELAY sends);
	returns the index of the first."""
	idx = pieces(s, True, payload, range(len(payload)))
	return idx[0]


def one_byte(number):
	"""Flow A 41000->80: handshake 0-2, the attack request one byte per segment (3..); the
	last byte completes the header block: 1010001.  Then the server's ACK, a 404 and the
	client's FIN: no alert (blocked in prevent).  Flow B 41001->8080: the same bytes; the
	segment carrying the 'd' of "/etc/passwd" (request offset 14) completes the string in the
	stream: 1010002; the later bytes: no alert.  Flow C 41002->80: a benign request one byte
	at a time: none."""
	cap = Capture(number)
	req = short_get("/etc/passwd")
	for cport, sport, r in ((41000, 80, req), (41001, 8080, req),
				(41002, 80, short_get("/index.html"))):
		s = TcpSession(cap, CLI4, cport, SRV4, sport)
		s.handshake()
		byte_by_byte(s, r)
		s.segment(False, "A")
		s.data(False, http_resp("404 Not Found", "nope\n"), ack_it=False)
		s.segment(True, "FA")
	return cap


def case_0101():
	"""One-byte segments, prevent: see one_byte()."""
	return one_byte(101)


def case_0102():
	"""One-byte segments, detect: see one_byte()."""
	return one_byte(102)


def case_0103():
	"""Reordered segments, prevent.  The request is cut at 0, 7, 20, 35 into P0 "GET /et",
	P1 "c/passwd HTTP", P2, P3 and sent P1 P0 P3 P2.  Flow A 41000->80 (3..6): P0 (4) makes
	P0+P1 available, P2 (6) the rest: the header block completes on 6: 1010001; then a server
	ACK and FIN (7, 8), client FIN (9): no alert.  Flow B 41001->8080 (13..16): the stream has
	"/etc/passwd" once P0 (14) arrives: 1010002 on 14; P3, P2 and the rest: no alert.
	Flow C 41002->80 (23..26): a benign request reordered the same way: none."""
	cap = Capture(103)
	req = short_get("/etc/passwd")
	for cport, sport, r in ((41000, 80, req), (41001, 8080, req),
				(41002, 80, short_get("/index.html/x"))):
		s = TcpSession(cap, CLI4, cport, SRV4, sport)
		s.handshake()
		pieces(s, True, r, [0, 7, 20, 35], order=[1, 0, 3, 2])
		s.segment(False, "A")
		s.segment(False, "FA")
		s.segment(True, "FA")
	return cap


def overlap(number):
	"""Overlapping segments with different bytes.  req = "GET /etc/passwd HTTP/1.1...".
	Flow A 41000->80 (out of order): 3 Q1 "pazzw" at offset 9 (queued), 4 Q2 req[9:20]
	"passwd HTTP" at offset 9 (starts where Q1 does and is longer: Linux keeps Q2, the attack),
	5 req[0:9], 6 req[20:], 7 server ACK, 8 client FIN.
	Flow B 41001->8080 (in order, old data wins): 12 req[0:12] "GET /etc/pas", 13 a 16-byte
	copy at offset 0, "GET /tmp/passwd " (its first 12 bytes differ; Linux keeps the old ones
	and appends "swd ", so the server reads /etc/passwd), 14 req[16:], 15 server ACK, 16 FIN.
	Flow C 41002->80 (same bytes overlapping: repacketisation, not an evasion): 20 req[0:10],
	21 req[5:30], 22 req[30:], 23 ACK, 24 FIN: no 9000009; the request completes on 22.
	Prevent (default violation.tcp_overlap_conflict = block): 9000009 blocked on 4 and on 13;
	1010001 blocked on 22.  Detect with the violation at log: the conflicting copies are
	applied as Linux does: 9000009 allowed on 4, 1010001 allowed on 6; 9000009 allowed and
	1010002 allowed on 13; 1010001 allowed on 22."""
	cap = Capture(number)
	req = short_get("/etc/passwd")
	s = TcpSession(cap, CLI4, 41000, SRV4, 80)
	s.handshake()
	base = s.seq[True]
	s.segment(True, "PA", b"pazzw", seq=base + 9)
	s.segment(True, "PA", req[9:20], seq=base + 9)
	s.segment(True, "PA", req[0:9], seq=base)
	s.segment(True, "PA", req[20:], seq=base + 20)
	s.seq[True] = base + len(req)
	s.segment(False, "A")
	s.segment(True, "FA")

	s = TcpSession(cap, CLI4, 41001, SRV4, 8080)
	s.handshake()
	base = s.seq[True]
	s.segment(True, "PA", req[0:12], seq=base)
	s.segment(True, "PA", b"GET /tmp/pas" + req[12:16], seq=base)
	s.segment(True, "PA", req[16:], seq=base + 16)
	s.seq[True] = base + len(req)
	s.segment(False, "A")
	s.segment(True, "FA")

	s = TcpSession(cap, CLI4, 41002, SRV4, 80)
	s.handshake()
	base = s.seq[True]
	s.segment(True, "PA", req[0:10], seq=base)
	s.segment(True, "PA", req[5:30], seq=base + 5)
	s.segment(True, "PA", req[30:], seq=base + 30)
	s.seq[True] = base + len(req)
	s.segment(False, "A")
	s.segment(True, "FA")
	return cap


def case_0104():
	"""Overlap conflicts, prevent: see overlap()."""
	return overlap(104)


def case_0105():
	"""Overlap conflicts, detect, violation.tcp_overlap_conflict = log: see overlap()."""
	return overlap(105)


def ip_fragments(cap, s, payload, fragsize):
	"""Sends <payload> as the next client segment of <s>, split into IPv4 fragments whose
	data (TCP header included) is <fragsize> bytes (a multiple of 8) but for the last."""
	sp, dp = s.cport, s.sport
	tcp = TCP(sport=sp, dport=dp, seq=s.seq[True], ack=s.seq[False], flags="PA", window=64240)
	s.ipid[True] += 1
	whole = bytes(IP(src=s.cli, dst=s.srv, ttl=64, id=s.ipid[True]) / tcp / payload)
	l4 = whole[20:]
	s.seq[True] += len(payload)
	for off in range(0, len(l4), fragsize):
		last = off + fragsize >= len(l4)
		frag = IP(src=s.cli, dst=s.srv, ttl=64, id=s.ipid[True], proto=6,
			  flags=0 if last else "MF", frag=off // 8) / l4[off:off + fragsize]
		cap.add(frag, True, "IPv4 fragment id %#x offset %d%s %r" % (
			s.ipid[True], off, "" if last else " MF", l4[off:off + fragsize][:40]))


def case_0106():
	"""IPv4 fragments, offline, prevent: vpatchd reassembles them (inspect/defrag.c; inline,
	the kernel's conntrack does it before the queue, see tests/netns/e2e_evasion.sh).
	Flow A 41000->80: handshake 0-2, the attack request as IPv4 fragments of 32 bytes (3..5,
	the first holds the TCP header and "GET /etc/pas"): 1010001 blocked on fragment 5, which
	completes the datagram.  Flow B 41001->80: the same request unfragmented (its index is
	printed by --list): 1010001 blocked (the control)."""
	cap = Capture(106)
	req = short_get("/etc/passwd")
	s = TcpSession(cap, CLI4, 41000, SRV4, 80)
	s.handshake()
	ip_fragments(cap, s, req, 32)
	s.data(False, http_resp("404 Not Found", "nope\n"), ack_it=False)
	s.close()
	exchange(cap, CLI4, 41001, SRV4, 80, [(req, http_resp("404 Not Found", "nope\n"))])
	return cap


# Request targets of the URI normalisation cases, one flow each (client port 41000 + n).
URI_ENCODINGS = [
	b"/cgi-bin/%252e%252e/%252e%252e/etc/passwd",	# 0 -> "/cgi-bin/%2e%2e/%2e%2e/etc/passwd"
	b"/%252e%252e%252fetc%252fpasswd",		# 1 -> "/%2e%2e%2fetc%2fpasswd": no match
	b"/vp/%u002e%u002e/etc%u002fpasswd",		# 2 %u: uri "/etc/passwd"
	b"/vp/%2E%2e%2F%65tc%2fpass%77d",		# 3 mixed-case escapes: "/etc/passwd"
	b"/./etc/./passwd",				# 4 dot segments
	b"//etc//passwd",				# 5 empty segments
	b"/etc%5cpasswd",				# 6 encoded backslash separator
	b"/etc%5Cpasswd",				# 7 the same, upper-case hex
	b"/vp/%c0%ae%c0%ae/etc/passwd",			# 8 overlong UTF-8 dots
	b"/vp/index.html",				# 9 benign
]


def uri_flows(number, targets):
	"""One flow per target (41000 + n -> 80): handshake, the request (4th packet of the flow),
	then a 404 from the server and the FINs.  Each flow is 10 packets: flow n's request is
	packet 10n + 3."""
	cap = Capture(number)
	for n, t in enumerate(targets):
		exchange(cap, CLI4, 41000 + n, SRV4, 80, [(short_get(t), http_resp("404 Not Found",
			"nope\n"))])
	return cap


def case_0107():
	"""URI encodings, prevent: one flow per URI_ENCODINGS entry (request n at 10n + 3)."""
	return uri_flows(107, URI_ENCODINGS)


def case_0108():
	"""URI encodings, detect: the capture of 0107."""
	return uri_flows(108, URI_ENCODINGS)


URI_LIMITS = [
	b"/vp/../../etc/passwd",			# 0 above the root: 9000005
	b"/a" * 101,					# 1 101 slashes: 9000004
	b"/a" * 100,					# 2 100 slashes: none (the limit is "> 100")
	b"/etc/pa sswd",				# 3 raw space: 9000003
	b"/etc/\x01passwd",				# 4 raw control character: 9000003
	b"/etc\\passwd",				# 5 raw backslash: 9000003
	b"/vp/../etc/passwd",				# 6 ".." that stays under the root: 1010001
]


def case_0109():
	"""URI limits, prevent: one flow per URI_LIMITS entry (request n at 10n + 3)."""
	return uri_flows(109, URI_LIMITS)


def case_0110():
	"""URI limits, detect: the capture of 0109 (violations at block drop in detect mode too)."""
	return uri_flows(110, URI_LIMITS)


def case_0111():
	"""Pipelined requests, prevent; req1 = GET /index.html, req2 = GET /etc/passwd.
	Flow A 41000->80: 3 req1 + req2[:11] ("GET /etc/pa"), 4 req2[11:]: req2's header block
	completes on 4: 1010001 (http.url "/etc/passwd"); 5 the server's answer to req1 and 6 the
	client's FIN: no alert.  Flow B 41001->8080: the same segments (10, 11): "/etc/passwd"
	completes in the stream on 11: 1010002.  Flow C 41002->80: req1 + req2 in one segment
	(17): 1010001 on 17 with the second request's url."""
	cap = Capture(111)
	req1, req2 = short_get("/index.html"), short_get("/etc/passwd")
	for cport, sport in ((41000, 80), (41001, 8080)):
		s = TcpSession(cap, CLI4, cport, SRV4, sport)
		s.handshake()
		pieces(s, True, req1 + req2, [0, len(req1) + 11])
		s.data(False, http_resp(), ack_it=False)
		s.segment(True, "FA")
	s = TcpSession(cap, CLI4, 41002, SRV4, 80)
	s.handshake()
	s.segment(True, "PA", req1 + req2)
	s.data(False, http_resp(), ack_it=False)
	s.segment(True, "FA")
	return cap


def smuggle_post(path, headers, body):
	return (b"POST " + path + b" HTTP/1.1\r\nHost: example.test\r\n" + headers +
		b"Content-Type: application/x-www-form-urlencoded\r\n\r\n" + body)


def smuggling(number):
	"""Request smuggling shapes; every request is one segment (packet 3 of its flow).
	Flows are 10 packets each: handshake, request (10n + 3), ACK, 404 (10n + 5), ACK, FINs.
	Flow A 41000->80 (3): POST /upload with Content-Length (the whole body) and
	Transfer-Encoding: chunked; the chunked body ends at once ("0"), and what a
	Content-Length reader takes for body is a second request, GET /etc/passwd: 9000013 (log)
	for the POST, then 1010001 for the smuggled GET, both on 3; no alert on 4-9.
	Flow B 41001->80 (13): Transfer-Encoding: chunked given twice (two fields): 9000013; the
	flow goes on: no alert on 14-19.
	Flow C 41002->80 (23): a plain POST with Content-Length: none.
	Flow D 41003->8080 (33): flow A's request: the stream rule finds /etc/passwd in it: 1010002
	first; in detect mode the HTTP layer then reports 9000013 too (1010002 is a port 8080 rule,
	1010001 a port 80 one)."""
	cap = Capture(number)
	smuggled = short_get("/etc/passwd")
	body_a = b"0\r\n\r\n" + smuggled
	req_a = smuggle_post(b"/upload", b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n"
			     % len(body_a), body_a)
	req_b = smuggle_post(b"/upload", b"Transfer-Encoding: chunked\r\n"
			     b"Transfer-Encoding: chunked\r\n", b"0\r\n\r\n")
	req_c = smuggle_post(b"/upload", b"Content-Length: 7\r\n", b"a=1&b=2")
	resp = http_resp("404 Not Found", "nope\n")
	for cport, sport, req in ((41000, 80, req_a), (41001, 80, req_b), (41002, 80, req_c),
				  (41003, 8080, req_a)):
		exchange(cap, CLI4, cport, SRV4, sport, [(req, resp)])
	return cap


def case_0112():
	"""Request smuggling, prevent: see smuggling()."""
	return smuggling(112)


def case_0113():
	"""Request smuggling, detect: see smuggling()."""
	return smuggling(113)


# Whole requests of case 0115: request-line shapes a lenient server accepts, each carrying the
# /etc/passwd target (or not, where said).
REQUEST_LINES = [
	b"GET /etc/passwd\r\n",						# 0 HTTP/0.9
	b"GET http://example.test/etc/passwd HTTP/1.1\r\nHost: example.test\r\n\r\n",	# 1 absolute
	b"\r\n\r\nGET /etc/passwd HTTP/1.1\r\nHost: example.test\r\n\r\n",	# 2 leading CRLFs
	b"GET  /etc/passwd  HTTP/1.1\r\nHost: example.test\r\n\r\n",		# 3 double spaces
	b"GET /etc/passwd HTTP/1.0\r\n\r\n",					# 4 1.0, no Host
	b"GET\t/etc/passwd\tHTTP/1.1\r\nHost: example.test\r\n\r\n",		# 5 tabs
	b"GET /etc/passwd HTTP/1.1\nHost: example.test\n\n",			# 6 bare LFs
	b"GET /etc/passwd%00.html HTTP/1.1\r\nHost: example.test\r\n\r\n",	# 7 %00
	b"GET /etc/passwd?x=1 HTTP/1.1\r\nHost: example.test\r\n\r\n",		# 8 query
	b"GET /ETC/PASSWD HTTP/1.1\r\nHost: example.test\r\n\r\n",		# 9 other case: none
	b"GET /etc/passwd;x HTTP/1.1\r\nHost: example.test\r\n\r\n",		# 10 ;params
	b"get /etc/passwd HTTP/1.1\r\nHost: example.test\r\n\r\n",		# 11 lower-case
	b"GET %2fetc%2fpasswd HTTP/1.1\r\nHost: example.test\r\n\r\n",		# 12 no leading '/'
	b"GET /etc/passwd HTTP/1.1\r\nHost: example.test\r\n",			# 13 no end: none
]


def case_0115():
	"""Request-line shapes, prevent: one flow per REQUEST_LINES entry (41000 + n -> 80):
	handshake, the request (8n + 3), the server's ACK, FINs (8 packets a flow).  1010001 on
	every request but 9 (the rule is case-sensitive); 13's header block never ends and the
	client's FIN comes first: its request line was sent, so the rules on it run at the FIN."""
	cap = Capture(115)
	for n, req in enumerate(REQUEST_LINES):
		exchange(cap, CLI4, 41000 + n, SRV4, 80, [(req, None)])
	return cap


def case_0116():
	"""Resets, prevent.  Linux (RFC 5961) accepts a RST only at exactly the next expected
	sequence number; any other RST is ignored (a challenge ACK at most), so the connection and
	the attack that follows go on.
	Flow A 41000->80: handshake 0-2, a RST 5000 bytes ahead (3, inside the window), the attack
	request (4): 1010001; the ACK (5), FINs (6-8): no alert.
	Flow B 41001->80: a RST far outside the window (12), the attack (13): 1010001.
	Flow C 41002->8080: a RST 5000 bytes ahead (21), the attack (22): 1010002.
	Flow D 41003->80: a valid RST (30) ends the connection; a new one on the same ports with
	another ISN (31-33) carries the attack (34): 1010001.
	Flow E 41004->80: the same after a valid RST from the server (42): the attack (46):
	1010001."""
	cap = Capture(116)
	req = short_get("/etc/passwd")
	for cport, sport, ahead in ((41000, 80, 5000), (41001, 80, 0x40000000),
				   (41002, 8080, 5000)):
		s = TcpSession(cap, CLI4, cport, SRV4, sport)
		s.handshake()
		s.segment(True, "R", seq=(s.seq[True] + ahead) & 0xFFFFFFFF, ack=False)
		s.data(True, req)
		s.close()
	for cport, from_client in ((41003, True), (41004, False)):
		s = TcpSession(cap, CLI4, cport, SRV4, 80)
		s.handshake()
		s.segment(from_client, "R", ack=False)
		s = TcpSession(cap, CLI4, cport, SRV4, 80, cseq=900000, sseq=7700000)
		s.handshake()
		s.data(True, req)
		s.close()
	return cap


PASSWD = (b"root:x:0:0:root:/root:/bin/bash\n"
	  b"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	  b"bin:x:2:2:bin:/bin:/usr/sbin/nologin\n") * 4


def gzip_resp(body, encoding="gzip"):
	"""A 200 whose body is <body> gzip-compressed (fixed mtime, so the bytes are stable)."""
	import gzip
	data = gzip.compress(body, compresslevel=9, mtime=0) if encoding else body
	head = b"HTTP/1.1 200 OK\r\nServer: test\r\nContent-Type: text/plain\r\n"
	if encoding:
		head += b"Content-Encoding: " + encoding.encode() + b"\r\n"
	return head + b"Content-Length: %d\r\n\r\n" % len(data) + data


def case_0114():
	"""A to_client rule on the decoded response body (file.data) against a gzip response,
	prevent.  Rules: 1010003 drop http any any -> any any, to_client, file.data; content
	"root:x:0:0:"; 1010004 drop tcp any 8080 -> any any, to_client, raw content "root:x:0:0:".
	Flows are 11 packets each: handshake 11n + 0-2, GET /download (11n + 3), ACK, the response
	in two segments (11n + 5, 11n + 6; the body completes on the second), client ACK (11n + 7),
	FINs (11n + 8-10).
	Flow A 41000->80: gzip'd passwd: 1010003 on 6 (http.url "/download"); 7-10 no alert.
	Flow B 41001->80: gzip'd benign text: none.
	Flow C 41002->8080: gzip'd passwd: the raw rule cannot see it compressed; 1010003 on 28.
	Flow D 41003->8080: the passwd text uncompressed: the stream rule 1010004 on 38 (the
	string is in its first body segment), which blocks the flow before the HTTP layer runs."""
	cap = Capture(114)
	benign = b"just some ordinary text, nothing to see here\n" * 8
	for cport, sport, body, enc in ((41000, 80, PASSWD, "gzip"), (41001, 80, benign, "gzip"),
					(41002, 8080, PASSWD, "gzip"), (41003, 8080, PASSWD, None)):
		s = TcpSession(cap, CLI4, cport, SRV4, sport)
		s.handshake()
		s.data(True, short_get("/download"))
		resp = gzip_resp(body, enc)
		cut = resp.index(b"\r\n\r\n") + 4 + 40
		pieces(s, False, resp, [0, cut])
		s.segment(True, "A")
		s.close()
	return cap


def coded_resp(data, coding, chunked=False):
	"""A 200 with body <data> (already encoded) and Content-Encoding <coding>; chunked in
	7-byte chunks or with a Content-Length."""
	head = b"HTTP/1.1 200 OK\r\nServer: test\r\nContent-Encoding: " + coding + b"\r\n"
	if not chunked:
		return head + b"Content-Length: %d\r\n\r\n" % len(data) + data
	body = b"".join(b"%x\r\n" % len(data[i:i + 7]) + data[i:i + 7] + b"\r\n"
			for i in range(0, len(data), 7))
	return head + b"Transfer-Encoding: chunked\r\n\r\n" + body + b"0\r\n\r\n"


def case_0117():
	"""Compressed response variants, prevent, rules of 0114.  Flows 41000 + n -> 80, each:
	handshake, GET /download (10n + 3), ACK, the response (10n + 5), ACK, FINs.
	0 gzip in 7-byte chunks (chunked framing, then decoding), 1 deflate with the zlib wrapper
	(RFC 9110), 2 deflate without it (raw, as some servers send), 3 "GZIP", 4 "x-gzip":
	1010003 on the response.  Flow 5 (41005): gzip, the response one byte per segment (55..):
	1010003 on its last byte."""
	import gzip
	import zlib
	cap = Capture(117)
	gz = gzip.compress(PASSWD, compresslevel=9, mtime=0)
	co = zlib.compressobj(9, zlib.DEFLATED, -15)
	raw = co.compress(PASSWD) + co.flush()
	variants = [coded_resp(gz, b"gzip", True), coded_resp(zlib.compress(PASSWD, 9), b"deflate"),
		    coded_resp(raw, b"deflate"), coded_resp(gz, b"GZIP"), coded_resp(gz, b"x-gzip")]
	for n, resp in enumerate(variants):
		exchange(cap, CLI4, 41000 + n, SRV4, 80, [(short_get("/download"), resp)])
	s = TcpSession(cap, CLI4, 41005, SRV4, 80)
	s.handshake()
	s.data(True, short_get("/download"))
	resp = coded_resp(gz, b"gzip")
	pieces(s, False, resp, range(len(resp)))
	s.segment(True, "A")
	s.close()
	return cap


CASES.update({
	"0101": ("0101-one-byte-segments-prevent", case_0101),
	"0102": ("0102-one-byte-segments-detect", case_0102),
	"0103": ("0103-reordered-segments-prevent", case_0103),
	"0104": ("0104-overlap-conflict-prevent", case_0104),
	"0105": ("0105-overlap-conflict-detect-log", case_0105),
	"0106": ("0106-ipv4-fragments-offline", case_0106),
	"0107": ("0107-uri-encodings-prevent", case_0107),
	"0108": ("0108-uri-encodings-detect", case_0108),
	"0109": ("0109-uri-limits-prevent", case_0109),
	"0110": ("0110-uri-limits-detect", case_0110),
	"0111": ("0111-pipelined-prevent", case_0111),
	"0112": ("0112-smuggling-prevent", case_0112),
	"0113": ("0113-smuggling-detect", case_0113),
	"0114": ("0114-gzip-response-prevent", case_0114),
	"0115": ("0115-request-line-variants", case_0115),
	"0116": ("0116-tcp-resets", case_0116),
	"0117": ("0117-compressed-response-variants", case_0117),
})


def main(argv):
	listing = "--list" in argv
	wanted = [a for a in argv if not a.startswith("-")] or sorted(CASES)
	for key in wanted:
		if key not in CASES:
			print("gen.py: unknown case %s" % key, file=sys.stderr)
			return 2
		name, fn = CASES[key]
		cap = fn()
		os.makedirs(os.path.join(HERE, name), exist_ok=True)
		cap.write(os.path.join(HERE, name, "input.pcap"))
		print("%s: %d packets, linktype %d" % (name, len(cap.frames), cap.linktype))
		if listing:
			cap.listing()
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
