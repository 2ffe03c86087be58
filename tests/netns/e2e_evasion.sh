#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Most functions below are called through vp_check / vp_wait:
# shellcheck disable=SC2317
#
# End-to-end evasion test: the tricks an attacker plays with TCP and IP against vpatchd running
# inline (NFQUEUE) in a server namespace, with real kernels on both ends.
#
#   client namespace  PREFIX-cli-PID             server namespace  PREFIX-srv-PID
#     veth-cli 10.204.0.1/24  <---- veth ---->     veth-srv 10.204.0.2/24
#     python clients (one byte per send,           nginx :80 (access log), a python server
#     TCP_NODELAY; scapy for IP fragments;         :8080 (records every byte it receives,
#     300 held connections)                        answers 200) and :9000 (echo) + vpatchd
#
# Checks:
#  baseline (no vpatchd): every attack below does reach its server (so the checks can fail);
#  prevent mode, rules 1010101 (http.uri "/etc/passwd", port 80) and 1010102 (raw stream
#  "/etc/passwd", port 8080):
#   - an attack written one byte per send (TCP_NODELAY) is blocked: nginx never logs it, the
#     recording server never receives the completing bytes, eve has the alerts (blocked);
#   - the same one-byte pattern with a benign request gets its answer (200) on both ports;
#   - the attack sent as IPv4 fragments (scapy) is blocked: the kernel defragments before the
#     queue once vpatchd's table is in place, so vpatchd sees the whole segment;
#   - the attack right after a RST that is not exactly in sequence (scapy) is blocked: Linux
#     ignores such a RST (RFC 5961), so the connection and the attack go on;
#   - the attack with an urgent (MSG_OOB) byte inside its path is blocked: Linux takes the
#     urgent byte out of the stream, so the server reads the attack without it;
#  flow cap, max_tcp_flows = 300: 300 connections held open, the 301st fails, the 300 still
#  answer, and eve has 9000006.
#
# usage: tests/netns/e2e_evasion.sh [VPATCHD]
#   VPATCHD: $1, else $VPATCHD, else ./vpatchd.  Without it only the baseline runs (exit 77).
# environment: VP_E2E_NS_PREFIX (namespace name prefix, default vp-eva), VP_E2E_QUEUE (-q,
#   default 0:2), VP_E2E_THREADS (-t, default 2), KEEP=1 (keep the temporary directory).
#
# Prints "PASS: x" / "FAIL: x" per check and "N passed, N failed" at the end.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (VP_SKIP_NETNS=1, not root, no ip
# netns, nginx, nft or scapy, or no vpatchd), 99 the test bed could not be set up.
# Every wait is bounded; a full run takes about 20 s.

[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

vpatchd=${1:-${VPATCHD:-./vpatchd}}
prefix=${VP_E2E_NS_PREFIX:-vp-eva}
queue=${VP_E2E_QUEUE:-0:2}
threads=${VP_E2E_THREADS:-2}
python=/usr/bin/python3	# Debian's: it has scapy

CLI=$prefix-cli-$$
SRV=$prefix-srv-$$
CLI4=10.204.0.1 SRV4=10.204.0.2
SID_URI=1010101 SID_RAW=1010102 SID_CAP=9000006
FLOW_CAP=300
READY_SECS=15
VPATCHD_PID=
EVE=
LOG=

vp_require_netns
for tool in nginx nft; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
if ! "$python" -c 'import scapy.all' >/dev/null 2>&1; then
	echo "SKIP: $python cannot import scapy (Debian: python3-scapy)"
	exit 77
fi
vp_find_vpatchd		# sets vpatchd (absolute) and have_vpatchd

trap vp_cleanup EXIT
trap 'exit 130' INT TERM HUP

vp_tmpdir vp-eva || exit 99
T=$VP_TMP
chmod 755 "$T"	# nginx workers (nobody) read the docroot below it

# --- helper programs (standard library, but scapy for the fragments) ------------------------

write_helpers()
{
	# server.py DIR: :8080 records each connection's bytes in DIR/conn-N.bin and answers
	# 200 to each complete header block; :9000 echoes.  Prints "ready" once listening.
	cat >"$T/server.py" <<'EOF'
import os, resource, selectors, socket, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
out, host = sys.argv[1], sys.argv[2]
sel = selectors.DefaultSelector()
for port in (8080, 9000):
	ls = socket.socket()
	ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	ls.bind((host, port))
	ls.listen(1024)
	ls.setblocking(False)
	sel.register(ls, selectors.EVENT_READ, ("listen", port))
conns = 0
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
print("ready", flush=True)
while True:
	for key, _ in sel.select():
		kind, data = key.data[0], key.data[1]
		if kind == "listen":
			try:
				c, _ = key.fileobj.accept()
			except OSError:
				continue
			c.setblocking(False)
			conns += 1
			path = os.path.join(out, "conn-%d.bin" % conns) if data == 8080 else None
			sel.register(c, selectors.EVENT_READ, ("conn", [data, path, b""]))
			continue
		port, path, buf = data
		try:
			got = key.fileobj.recv(65536)
		except OSError:
			got = b""
		if not got:
			sel.unregister(key.fileobj)
			key.fileobj.close()
			continue
		if port == 9000:
			try:
				key.fileobj.sendall(got)
			except OSError:
				pass
			continue
		with open(path, "ab") as f:
			f.write(got)
		buf += got
		while b"\r\n\r\n" in buf:
			buf = buf.split(b"\r\n\r\n", 1)[1]
			try:
				key.fileobj.sendall(OK)
			except OSError:
				pass
		data[2] = buf
EOF
	# bytewise.py HOST PORT PATH: a request written one byte per send with TCP_NODELAY and a
	# short pause; prints the status code of the answer, or 000 (reset, timeout, no answer).
	cat >"$T/bytewise.py" <<'EOF'
import socket, sys, time
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
req = ("GET %s HTTP/1.1\r\nHost: vp-eva.test\r\nConnection: close\r\n\r\n" % path).encode()
code, sent = "000", 0
try:
	s = socket.create_connection((host, port), timeout=3)
	s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
	for i in range(len(req)):
		s.send(req[i:i + 1])
		sent += 1
		time.sleep(0.005)
	s.settimeout(3)
	ans = s.recv(64)
	if ans.startswith(b"HTTP/1.") and len(ans) >= 12:
		code = ans[9:12].decode("ascii", "replace")
except OSError:
	pass
print(code, "%d/%d" % (sent, len(req)))
EOF
	# urgent.py HOST PORT PATH: the request with an urgent (MSG_OOB) byte "X" sent before its
	# last path byte.  A Linux server (no SO_OOBINLINE) takes the urgent byte out of the
	# stream, so it reads PATH; an inspector that keeps it inline reads it with an "X" in it.
	# Prints the status code of the answer, or 000.
	cat >"$T/urgent.py" <<'EOF'
import socket, sys, time
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
tail = (" HTTP/1.1\r\nHost: vp-eva.test\r\nConnection: close\r\n\r\n").encode()
code = "000"
try:
	s = socket.create_connection((host, port), timeout=3)
	s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
	s.send(("GET " + path[:-1]).encode())
	time.sleep(0.05)
	s.send(b"X", socket.MSG_OOB)
	time.sleep(0.05)
	s.send(path[-1:].encode() + tail)
	s.settimeout(3)
	ans = s.recv(64)
	if ans.startswith(b"HTTP/1.") and len(ans) >= 12:
		code = ans[9:12].decode("ascii", "replace")
except OSError:
	pass
print(code)
EOF
	# crafted.py MODE HOST PATH SPORT: a TCP handshake from scapy, then the request to port 80
	#   frag:   in IPv4 fragments of 24 data bytes (the first holds the TCP header and "GET ");
	#   badrst: whole, right after a RST 5000 bytes ahead of the next sequence number, which
	#           Linux ignores (RFC 5961: only a RST exactly in sequence resets).
	# The caller drops the client kernel's resets.  Prints what it sent, or why not.
	cat >"$T/crafted.py" <<'EOF'
import sys
from scapy.all import IP, TCP, conf, fragment, send, sr1
conf.verb = 0
mode, host, path, sport = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
req = ("GET %s HTTP/1.1\r\nHost: vp-eva.test\r\n\r\n" % path).encode()
syn = IP(dst=host) / TCP(sport=sport, dport=80, flags="S", seq=1000, window=64240)
sa = sr1(syn, timeout=3)
if sa is None or not sa.haslayer(TCP) or (int(sa[TCP].flags) & 0x12) != 0x12:
	print("no SYN-ACK")
	sys.exit(1)
ack = sa[TCP].seq + 1
send(IP(dst=host) / TCP(sport=sport, dport=80, flags="A", seq=1001, ack=ack, window=64240))
data = IP(dst=host, id=0x4567, flags=0) / TCP(sport=sport, dport=80, flags="PA", seq=1001,
						ack=ack, window=64240) / req
if mode == "frag":
	frags = fragment(data, fragsize=24)
	send(frags)
	print("sent %d fragments" % len(frags))
else:
	send(IP(dst=host) / TCP(sport=sport, dport=80, flags="R", seq=1001 + 5000, window=0))
	send(data)
	print("sent a RST out of sequence and the request")
EOF
	# hold.py HOST PORT N: opens N connections and keeps them, tries one more, then checks the
	# N still echo a byte.  Prints "opened K", "extra ok|failed", "alive K".
	cat >"$T/hold.py" <<'EOF'
import resource, socket, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = []
try:
	for i in range(n):
		socks.append(socket.create_connection((host, port), timeout=3))
except OSError as e:
	print("open failed at %d: %s" % (len(socks), e))
print("opened %d" % len(socks), flush=True)
try:
	x = socket.create_connection((host, port), timeout=3)
	x.sendall(b"y")
	x.settimeout(2)
	print("extra ok" if x.recv(1) == b"y" else "extra failed")
except OSError as e:
	print("extra failed (%s)" % e.__class__.__name__)
alive = 0
for s in socks:
	try:
		s.settimeout(3)
		s.sendall(b"x")
		if s.recv(1) == b"x":
			alive += 1
	except OSError:
		pass
print("alive %d" % alive, flush=True)
EOF
	# eve_has.py EVE SID ACTION DPORT [SPORT]: an alert with these fields is in the eve file.
	cat >"$T/eve_has.py" <<'EOF'
import json, sys
path, sid, action, dport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
sport = int(sys.argv[5]) if len(sys.argv) > 5 else None
try:
	lines = open(path, encoding="utf-8").read().splitlines()
except OSError:
	sys.exit(1)
for line in lines:
	try:
		ev = json.loads(line)
	except ValueError:
		continue
	al = ev.get("alert") or {}
	if (ev.get("event_type") == "alert" and al.get("signature_id") == sid
	    and al.get("action") == action and ev.get("dest_port") == dport
	    and (sport is None or ev.get("src_port") == sport)):
		sys.exit(0)
sys.exit(1)
EOF
}

# --- test bed -------------------------------------------------------------------------------

setup_net()
{
	vp_ns_add "$CLI" && vp_ns_add "$SRV" &&
	vp_ns_veth "$CLI" veth-cli "$SRV" veth-srv &&
	vp_ns_addr "$CLI" veth-cli $CLI4/24 && vp_ns_addr "$SRV" veth-srv $SRV4/24
}

nginx_has()
{
	! nginx -V 2>&1 | grep -q -- "--without-http_$1_module"
}

start_nginx()
{
	local m
	mkdir -p "$T/www/vp-eva" "$T/nginx" && echo "vpatch evasion ok" >"$T/www/vp-eva/ok.txt" ||
		return 1
	chmod -R a+rX "$T/www"
	{
		echo "daemon off;"
		echo "worker_processes 1;"
		echo "pid $T/nginx/nginx.pid;"
		echo "error_log $T/nginx/error.log;"
		echo "events { worker_connections 256; }"
		echo "http {"
		echo "  access_log $T/nginx/access.log;"
		echo "  client_body_temp_path $T/nginx/body;"
		for m in proxy fastcgi uwsgi scgi; do
			nginx_has $m && echo "  ${m}_temp_path $T/nginx/$m;"
		done
		echo "  default_type text/plain;"
		echo "  server {"
		echo "    listen $SRV4:80;"
		echo "    root $T/www;"
		echo "    location / { }"
		echo "  }"
		echo "}"
	} >"$T/nginx/nginx.conf"
	vp_ns "$SRV" nginx -t -q -e "$T/nginx/error.log" -p "$T/nginx" -c "$T/nginx/nginx.conf" ||
		return 1
	vp_bg_start "$SRV" "$T/nginx/stderr.log" \
		nginx -e "$T/nginx/error.log" -p "$T/nginx" -c "$T/nginx/nginx.conf"
	vp_wait 5 bytewise_code 200 80 /vp-eva/ok.txt
}

start_server()
{
	mkdir -p "$T/rec" || return 1
	vp_bg_start "$SRV" "$T/server.log" "$python" -u "$T/server.py" "$T/rec" "$SRV4"
	vp_wait 5 grep -q ready "$T/server.log"
}

# --- client side ----------------------------------------------------------------------------

# bytewise PORT PATH: prints "CODE SENT/TOTAL" for a request written one byte per send.
bytewise()
{
	vp_ns "$CLI" "$python" "$T/bytewise.py" "$SRV4" "$1" "$2"
}

# bytewise_code CODE PORT PATH: the one-byte request gets HTTP CODE (000: no answer).
bytewise_code()
{
	local got
	got=$(bytewise "$2" "$3")
	[ "${got%% *}" = "$1" ] || { echo "  $2$3: got '$got', expected $1"; return 1; }
}

# nginx_got TAG: nginx processed a request carrying TAG (an access log line that is not a
# 400 for a request cut short).  Polls up to 2 s.
nginx_got()
{
	vp_wait 2 nginx_line "$1"
}

nginx_line()
{
	grep -F "$1" "$T/nginx/access.log" 2>/dev/null | grep -vq '" 400 '
}

nginx_never_got()
{
	sleep 1
	! nginx_line "$1"
}

# recorded_complete TAG: a connection to :8080 delivered TAG followed by etc/passwd.
recorded_complete()
{
	vp_wait 2 grep -lqF "/vp-eva/$1/etc/passwd" "$T"/rec/conn-*.bin
}

recorded_cut_short()
{
	sleep 1
	grep -lqF "/vp-eva/$1/" "$T"/rec/conn-*.bin 2>/dev/null || {
		echo "  the start of the request never arrived either (was it sent?)"
		return 1
	}
	! grep -lqF "/vp-eva/$1/etc/passwd" "$T"/rec/conn-*.bin
}

eve_has()
{
	vp_wait 3 "$python" "$T/eve_has.py" "$EVE" "$@"
}

# The client's kernel answers scapy's SYN-ACK with a reset: drop resets to port 80.
client_drop_resets()
{
	vp_ns "$CLI" nft -f - <<'EOF'
table inet vp_eva_cli {
	chain output {
		type filter hook output priority 0; policy accept;
		tcp dport 80 tcp flags & rst == rst drop
	}
}
EOF
}

client_allow_resets()
{
	vp_ns "$CLI" nft delete table inet vp_eva_cli 2>/dev/null
	return 0
}

# crafted MODE PATH SPORT: crafted.py's request (see there) from source port SPORT.
crafted()
{
	local out rc
	client_drop_resets || return 1
	out=$(vp_ns "$CLI" "$python" "$T/crafted.py" "$1" "$SRV4" "$2" "$3" 2>&1)
	rc=$?
	client_allow_resets
	[ "$rc" -eq 0 ] || echo "  crafted.py $1: $out"
	return "$rc"
}

# crafted_reaches_nginx MODE TAG SPORT / crafted_blocked MODE TAG SPORT
crafted_reaches_nginx()
{
	crafted "$1" "/vp-eva/$2/etc%2fpasswd" "$3" && nginx_got "/vp-eva/$2/"
}

crafted_blocked()
{
	crafted "$1" "/vp-eva/$2/etc%2fpasswd" "$3" && nginx_never_got "/vp-eva/$2/"
}

# --- vpatchd --------------------------------------------------------------------------------

vpatch_table()
{
	vp_ns "$SRV" nft list tables 2>/dev/null | grep -Eq '^table (inet|ip|ip6) vpatch$'
}

queue_bound()
{
	local f=/proc/net/netfilter/nfnetlink_queue
	vp_ns "$SRV" test -e "$f" || return 0
	[ "$(vp_ns "$SRV" cat "$f" | wc -l)" -gt 0 ]
}

vpatchd_ready()
{
	vp_pid_alive "$VPATCHD_PID" && vpatch_table && queue_bound
}

delete_vpatch_tables()
{
	local fam
	for fam in inet ip ip6; do
		vp_ns "$SRV" nft delete table $fam vpatch 2>/dev/null
	done
	! vpatch_table
}

# start_vpatchd NAME [EXTRA-CONF-LINE]: prevent mode, waits for the table and queues.
start_vpatchd()
{
	local name=$1 extra=${2:-}
	EVE=$T/$name.eve.json
	LOG=$T/$name.vpatchd.log
	cat >"$T/rules" <<EOF
drop http any any -> any 80 (msg:"evasion test: passwd in http.uri"; flow:established,to_server; http.uri; content:"/etc/passwd"; sid:$SID_URI; rev:1;)
drop tcp any any -> any 8080 (msg:"evasion test: passwd in the stream"; flow:established,to_server; content:"/etc/passwd"; sid:$SID_RAW; rev:1;)
EOF
	cat >"$T/$name.conf" <<EOF
mode = prevent
fail_open = yes
eve = $EVE
$extra
EOF
	vp_bg_start "$SRV" "$LOG" "$vpatchd" -c "$T/$name.conf" -S "$T/rules" -l "$EVE" \
		-m prevent -q "$queue" -t "$threads"
	VPATCHD_PID=$VP_BG_PID
	if vp_wait $READY_SECS vpatchd_ready; then
		sleep 0.3
		return 0
	fi
	echo "  vpatchd ($name) not ready after ${READY_SECS}s; its output:"
	sed -e 's/^/  | /' "$LOG" | head -n 20
	stop_vpatchd
	return 1
}

stop_vpatchd()
{
	vp_pid_stop "$VPATCHD_PID" TERM 10
	VPATCHD_PID=
	delete_vpatch_tables >/dev/null
}

# --- the tests ------------------------------------------------------------------------------

test_baseline()
{
	vp_check "baseline: one-byte benign request to nginx gets 200" \
		bytewise_code 200 80 /vp-eva/ok.txt
	vp_check "baseline: one-byte attack reaches nginx (404, logged)" \
		base_bytewise_attack_80 base-b80
	vp_check "baseline: one-byte attack reaches the recording server whole" \
		base_bytewise_attack_8080 base-b8080
	vp_check "baseline: fragmented attack reaches nginx (kernel reassembles)" \
		crafted_reaches_nginx frag base-frag 45001
	vp_check "baseline: attack after an out-of-sequence RST reaches nginx (RST ignored)" \
		crafted_reaches_nginx badrst base-rst 45003
	vp_check "baseline: urgent byte is out of band: nginx reads the attack path (404)" \
		base_urgent_80 base-u80
	vp_check "baseline: urgent byte is out of band: :8080 reads the attack path" \
		base_urgent_8080 base-u8080
	vp_check "baseline: $((FLOW_CAP + 1)) held connections all work" base_hold
}

base_hold()
{
	local out
	out=$(VP_CMD_TIMEOUT=40 vp_ns "$CLI" "$python" "$T/hold.py" "$SRV4" 9000 "$FLOW_CAP")
	grep -qx "opened $FLOW_CAP" <<<"$out" && grep -qx "extra ok" <<<"$out" &&
		grep -qx "alive $FLOW_CAP" <<<"$out" && return 0
	printf '  hold: %s\n' "${out//$'\n'/ | }"
	return 1
}

base_bytewise_attack_80()
{
	bytewise_code 404 80 "/vp-eva/$1/etc%2fpasswd" && nginx_got "/vp-eva/$1/"
}

base_bytewise_attack_8080()
{
	bytewise_code 200 8080 "/vp-eva/$1/etc/passwd" && recorded_complete "$1"
}

# urgent_code CODE PORT PATH: the request with an urgent byte gets HTTP CODE (000: none).
urgent_code()
{
	local got
	got=$(vp_ns "$CLI" "$python" "$T/urgent.py" "$SRV4" "$2" "$3")
	[ "$got" = "$1" ] || { echo "  urgent $2$3: got '$got', expected $1"; return 1; }
}

base_urgent_80()
{
	urgent_code 404 80 "/vp-eva/$1/etc%2fpasswd" && nginx_got "/vp-eva/$1/etc%2fpasswd"
}

base_urgent_8080()
{
	urgent_code 200 8080 "/vp-eva/$1/etc/passwd" && recorded_complete "$1"
}

prev_urgent_80()
{
	urgent_code 000 80 "/vp-eva/$1/etc%2fpasswd" && nginx_never_got "/vp-eva/$1/"
}

prev_urgent_8080()
{
	urgent_code 000 8080 "/vp-eva/$1/etc/passwd" && ! recorded_complete "$1"
}

prev_bytewise_attack_80()
{
	bytewise_code 000 80 "/vp-eva/$1/etc%2fpasswd" && nginx_never_got "/vp-eva/$1/"
}

prev_bytewise_attack_8080()
{
	bytewise_code 000 8080 "/vp-eva/$1/etc/passwd" && recorded_cut_short "$1"
}

test_prevent()
{
	if ! start_vpatchd prevent; then
		vp_fail "prevent: vpatchd starts and installs its table"
		return
	fi
	vp_pass "prevent: vpatchd starts and installs its table"
	vp_check "prevent: one-byte benign request to nginx gets 200" \
		bytewise_code 200 80 /vp-eva/ok.txt
	vp_check "prevent: one-byte benign request to :8080 gets 200" \
		bytewise_code 200 8080 /vp-eva/ok.txt
	vp_check "prevent: one-byte attack on http.uri blocked (nginx never gets it)" \
		prev_bytewise_attack_80 prev-b80
	vp_check "prevent: http.uri alert logged, action blocked" eve_has $SID_URI blocked 80
	vp_check "prevent: one-byte attack on the stream blocked (completing bytes never arrive)" \
		prev_bytewise_attack_8080 prev-b8080
	vp_check "prevent: stream alert logged, action blocked" eve_has $SID_RAW blocked 8080
	vp_check "prevent: fragmented attack blocked (nginx never gets it)" \
		crafted_blocked frag prev-frag 45002
	vp_check "prevent: fragmented attack alert logged, action blocked" \
		eve_has $SID_URI blocked 80 45002
	vp_check "prevent: attack after an out-of-sequence RST blocked (nginx never gets it)" \
		crafted_blocked badrst prev-rst 45004
	vp_check "prevent: attack after an out-of-sequence RST: alert logged, action blocked" \
		eve_has $SID_URI blocked 80 45004
	vp_check "prevent: urgent-byte attack blocked on http.uri (nginx never gets it)" \
		prev_urgent_80 prev-u80
	vp_check "prevent: urgent-byte attack blocked on the stream (:8080 never reads it whole)" \
		prev_urgent_8080 prev-u8080
	vp_check "prevent: one-byte benign request after the attacks gets 200" \
		bytewise_code 200 80 /vp-eva/ok.txt
	stop_vpatchd
}

# max_tcp_flows = $FLOW_CAP: hold.py keeps $FLOW_CAP connections to the echo port open, tries
# one more, and checks the held ones still echo.
test_flow_cap()
{
	local out
	if ! start_vpatchd flowcap "max_tcp_flows = $FLOW_CAP"; then
		vp_fail "flow cap: vpatchd starts with max_tcp_flows = $FLOW_CAP"
		return
	fi
	vp_pass "flow cap: vpatchd starts with max_tcp_flows = $FLOW_CAP"
	out=$(VP_CMD_TIMEOUT=40 vp_ns "$CLI" "$python" "$T/hold.py" "$SRV4" 9000 "$FLOW_CAP")
	printf '  hold: %s\n' "${out//$'\n'/ | }"
	vp_check "flow cap: $FLOW_CAP connections open" grep -qx "opened $FLOW_CAP" <<<"$out"
	vp_check "flow cap: connection $((FLOW_CAP + 1)) fails" grep -q "^extra failed" <<<"$out"
	vp_check "flow cap: the first $FLOW_CAP still answer" grep -qx "alive $FLOW_CAP" <<<"$out"
	vp_check "flow cap: alert $SID_CAP logged, action blocked" eve_has $SID_CAP blocked 9000
	stop_vpatchd
}

# --- main -----------------------------------------------------------------------------------

write_helpers || exit 99
if ! setup_net; then
	echo "ERROR: could not set up the namespaces"
	exit 99
fi
if ! start_server; then
	echo "ERROR: the python server did not start in $SRV"
	sed -e 's/^/  | /' "$T/server.log" 2>/dev/null | head -n 20
	exit 99
fi
if ! start_nginx; then
	echo "ERROR: nginx did not start in $SRV; its log:"
	sed -e 's/^/  | /' "$T/nginx/error.log" "$T/nginx/stderr.log" 2>/dev/null | head -n 20
	exit 99
fi
test_baseline
if [ $have_vpatchd = no ]; then
	vp_skip "vpatchd tests" "no vpatchd at $vpatchd"
	vp_summary || exit 1
	exit 77
fi
test_prevent
test_flow_cap
vp_summary || exit 1
exit 0
