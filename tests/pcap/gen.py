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
}


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
