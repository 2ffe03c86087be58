#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# End-to-end test of the kernel-facing modules (daemon/nft.c, daemon/nfq.c, daemon/reset.c)
# through tests/netns/kern_smoke in two network namespaces:
#
#   hkern-c 10.99.0.1/24 fd99::1/64 (+ 10.99.0.101-116)
#      |  veth
#   hkern-s 10.99.0.2/24 fd99::2/64: HTTP server :8080, UDP sink :9999, kern_smoke (table+queues)
#
# Checks: the probe picks a backend and leaves nothing behind; benign HTTP passes over IPv4 and
# IPv6; a request or a response carrying the attack string is dropped and both ends are reset;
# both directions of every flow use the same queue and several queues are used; fragmented UDP
# reaches the queue reassembled; the table is gone after a clean exit; when the server socket
# was reset the request never reaches the server even if the client ignores RSTs and keeps
# retransmitting and the driver then dies; with bypass traffic flows after SIGKILL (table
# left), without bypass it does not.
#
# Usage: kern_smoke.sh            (needs root; KERN_SMOKE=path/to/kern_smoke, else it is
#                                  built from the sources next to this script)
# Exit: 0 all passed, 1 a check failed, 77 cannot run here (not root, tools missing).
#
# The checks pass single-quoted expressions to eval on purpose: they expand when run.
# shellcheck disable=SC2016
set -u

NS_C=hkern-c
NS_S=hkern-s
PY=/usr/bin/python3
NEEDLE=VPATCH-ATTACK-hkern
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
PASS=0
FAIL=0
DRV_PID=
HTTP_PID=
UDP_PID=
CURL_PID=
TMP=

cleanup() {
	local p
	for p in $DRV_PID $HTTP_PID $UDP_PID $CURL_PID; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
}

skip() {
	echo "SKIP: $*"
	exit 77
}

ok() {
	PASS=$((PASS + 1))
	echo "ok - $*"
}

nok() {
	FAIL=$((FAIL + 1))
	echo "not ok - $*"
}

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds; returns its status
check() {
	local desc=$1
	shift
	if "$@"; then
		ok "$desc"
		return 0
	fi
	nok "$desc"
	return 1
}

in_c() { ip netns exec "$NS_C" "$@"; }
in_s() { ip netns exec "$NS_S" "$@"; }

[ "${VP_SKIP_NETNS:-}" = 1 ] && skip "VP_SKIP_NETNS=1 (the netns tests ran in another build)"
[ "$(id -u)" = 0 ] || skip "needs root"
for t in ip nft curl ss "$PY"; do
	command -v "$t" >/dev/null 2>&1 || skip "$t not found"
done

TMP=$(mktemp -d /tmp/hkern-smoke.XXXXXX) || exit 1
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

BIN=${KERN_SMOKE:-}
if [ -z "$BIN" ]; then
	BIN=$TMP/kern_smoke
	# shellcheck disable=SC2046
	gcc -std=gnu11 -O1 -g -I"${BUILDDIR:-$SRCDIR}" -I"$SRCDIR" -o "$BIN" \
		"$SRCDIR/tests/netns/kern_smoke.c" "$SRCDIR/daemon/nft.c" \
		"$SRCDIR/daemon/nfq.c" "$SRCDIR/daemon/reset.c" \
		$(pkg-config --cflags --libs libnftnl libmnl libnetfilter_queue) ||
		skip "cannot build kern_smoke"
fi

# ---- setup -------------------------------------------------------------------------------
setup() {
	local i
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	ip netns add "$NS_C" && ip netns add "$NS_S" || return 1
	ip link add hkern-vc netns "$NS_C" type veth peer name hkern-vs netns "$NS_S" || return 1
	in_c ip link set lo up && in_s ip link set lo up || return 1
	in_c ip link set hkern-vc up && in_s ip link set hkern-vs up || return 1
	in_c ip addr add 10.99.0.1/24 dev hkern-vc || return 1
	in_s ip addr add 10.99.0.2/24 dev hkern-vs || return 1
	in_c ip addr add fd99::1/64 dev hkern-vc nodad || return 1
	in_s ip addr add fd99::2/64 dev hkern-vs nodad || return 1
	for i in $(seq 101 116); do
		in_c ip addr add "10.99.0.$i/24" dev hkern-vc || return 1
	done
	mkdir -p "$TMP/www"
	echo hello >"$TMP/www/index.html"
	echo "response with $NEEDLE inside" >"$TMP/www/resp.txt"
	head -c 300000 /dev/zero | tr '\0' 'z' >"$TMP/www/big.txt"
	cat >"$TMP/udp_sink.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 9999))
s.settimeout(300)
with open(sys.argv[1], "a", buffering=1) as f:
    while True:
        try:
            d, a = s.recvfrom(65535)
        except socket.timeout:
            break
        f.write("%d %s\n" % (len(d), d[:8].decode(errors="replace")))
EOF
	# send.py FAMILY ADDR TAG [OFFSET NEEDLE]: one 3000-byte datagram (fragmented on the
	# 1500-byte veth), with NEEDLE at OFFSET so that it straddles the first fragment boundary
	cat >"$TMP/udp_send.py" <<'EOF'
import socket, sys
fam, addr, tag = sys.argv[1], sys.argv[2], sys.argv[3]
data = bytearray(tag.encode().ljust(8, b"_") + b"A" * 2992)
if len(sys.argv) > 5:
    off, needle = int(sys.argv[4]), sys.argv[5].encode()
    data[off:off + len(needle)] = needle
s = socket.socket(socket.AF_INET if fam == "4" else socket.AF_INET6, socket.SOCK_DGRAM)
s.sendto(bytes(data), (addr, 9999))
EOF
	# started without the in_s function: $! must be the server itself, not a subshell
	ip netns exec "$NS_S" "$PY" -m http.server -b :: -d "$TMP/www" 8080 >"$TMP/http.log" 2>&1 &
	HTTP_PID=$!
	ip netns exec "$NS_S" "$PY" "$TMP/udp_sink.py" "$TMP/udp.log" &
	UDP_PID=$!
	for i in $(seq 50); do
		[ "$(http http://10.99.0.2:8080/)" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}

# http ARGS...: prints the HTTP status (000 on failure); returns curl's exit code
http() {
	in_c curl -s -o /dev/null -m "${T:-4}" -w '%{http_code}' "$@"
}

# expect_http CODE RC DESCRIPTION ARGS...
expect_http() {
	local want=$1 want_rc=$2 desc=$3 got rc
	shift 3
	got=$(http "$@")
	rc=$?
	if [ "$got" = "$want" ] && [ "$rc" = "$want_rc" ]; then
		ok "$desc (http $got, curl $rc)"
	else
		nok "$desc (http $got, curl $rc; wanted http $want, curl $want_rc)"
	fi
}

start_driver() {
	local i
	: >"$TMP/drv.out"
	ip netns exec "$NS_S" "$BIN" -t 120 -s "$NEEDLE" "$@" >"$TMP/drv.out" 2>"$TMP/drv.err" &
	DRV_PID=$!
	for i in $(seq 100); do
		grep -q '^ready' "$TMP/drv.out" && return 0
		kill -0 "$DRV_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$TMP/drv.err"
	return 1
}

# stop_driver SIGNAL: returns the driver's exit status
stop_driver() {
	local rc
	kill "-$1" "$DRV_PID"
	{ wait "$DRV_PID"; } 2>/dev/null	# no "Killed" job notice
	rc=$?
	DRV_PID=
	return $rc
}

# stat KEY: the value of KEY in the driver's last summary line
stat() {
	grep '^summary' "$TMP/drv.out" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

tables() { in_s nft list tables 2>/dev/null | grep -c 'vpatch'; }
no_tables() { [ "$(tables)" = 0 ]; }
has_tables() { [ "$(tables)" -ge 1 ]; }
ge() { [ "${1:-0}" -ge "$2" ]; }
eq() { [ "${1:-x}" = "$2" ]; }

# ---- tests -------------------------------------------------------------------------------
test_probe() {
	local out
	out=$(in_s "$BIN" -P)
	check "probe: $out" [ -n "$out" ]
	check "probe leaves no table behind" no_tables
}

test_filtering() {
	local i rc=0 got
	# somebody else's table: install and remove must leave it alone
	in_s nft add table ip hkern_other
	in_s nft add chain ip hkern_other keep
	check "driver starts (2 queues, bypass)" start_driver -n 2 -b || return
	check "table installed" has_tables
	in_s nft list ruleset >"$TMP/ruleset" 2>&1
	echo "# nft list ruleset (server namespace):"
	sed 's/^/#   /' "$TMP/ruleset"
	expect_http 200 0 "benign request over IPv4" http://10.99.0.2:8080/
	expect_http 200 0 "benign request over IPv6" "http://[fd99::2]:8080/"
	expect_http 000 56 "attack request over IPv4 blocked and reset" \
		"http://10.99.0.2:8080/?q=$NEEDLE"
	expect_http 000 56 "attack request over IPv6 blocked and reset" \
		"http://[fd99::2]:8080/?q=$NEEDLE"
	# the headers go out in a packet of their own: the status is 200, the body never comes
	expect_http 200 56 "attack in a response (output direction) blocked and reset" \
		http://10.99.0.2:8080/resp.txt
	got=$(in_c curl -s -m 5 http://10.99.0.2:8080/big.txt | wc -c)
	check "300 kB download passes intact ($got bytes)" [ "$got" = 300000 ]
	for i in $(seq 101 116); do
		[ "$(http --interface "10.99.0.$i" http://10.99.0.2:8080/)" = 200 ] || rc=1
	done
	check "benign requests from 16 more client addresses" [ $rc = 0 ]
	in_c "$PY" "$TMP/udp_send.py" 4 10.99.0.2 b4
	in_c "$PY" "$TMP/udp_send.py" 6 fd99::2 b6
	in_c "$PY" "$TMP/udp_send.py" 4 10.99.0.2 a4 1465 "$NEEDLE"
	in_c "$PY" "$TMP/udp_send.py" 6 fd99::2 a6 1430 "$NEEDLE"
	sleep 0.5
	check "driver exits 0 on SIGTERM" stop_driver TERM
	check "table removed on exit" no_tables
	check "other tables untouched" eval 'in_s nft list chain ip hkern_other keep >/dev/null'
	echo "# $(grep '^summary' "$TMP/drv.out")"
	check "both directions queued (in=$(stat in) out=$(stat out))" \
		eval 'ge "$(stat in)" 1 && ge "$(stat out)" 1'
	check "both directions of the 22 TCP connections queued (bidir=$(stat bidir))" \
		ge "$(stat bidir)" 22
	check "every flow kept to one queue (flows=$(stat flows) asym=$(stat asym))" \
		eval 'ge "$(stat flows)" 22 && eq "$(stat asym)" 0'
	check "both queues used" eq "$(stat queues_used)" 2
	check "matches dropped: 3 TCP + 2 UDP (matched=$(stat matched))" ge "$(stat matched)" 5
	check "resets sent without error (resets=$(stat resets))" \
		eval 'ge "$(stat resets)" 3 && eq "$(stat reset_errors)" 0'
	check "no verdict or receive errors" \
		eval 'eq "$(stat verdict_errors)" 0 && eq "$(stat recv_errors)" 0'
	check "fragmented UDP reassembled before the queue (udp_max_len=$(stat udp_max_len))" \
		ge "$(stat udp_max_len)" 3028
	check "attack split across UDP fragments matched (udp_matched=$(stat udp_matched))" \
		eq "$(stat udp_matched)" 2
	check "GSO packets queued unsegmented (max_len=$(stat max_len))" ge "$(stat max_len)" 3000
	check "benign fragmented UDP delivered (IPv4, IPv6)" \
		eval 'grep -q "^3000 b4" "$TMP/udp.log" && grep -q "^3000 b6" "$TMP/udp.log"'
	check "attack split across fragments never delivered" \
		eval '! grep -q " a[46]" "$TMP/udp.log"'
	check "the server never saw an attack request" eval '! grep -q "$NEEDLE" "$TMP/http.log"'
}

# The client drops every RST, so it keeps retransmitting the blocked request; the server side
# was reset, so even when the driver is gone (SIGKILL, bypass) the request reaches no one.
# test_retransmit LABEL HOST (HOST as in a URL: 10.99.0.2 or [fd99::2])
test_retransmit() {
	local label=$1 host=$2 est_s est_c rc
	in_c nft -f - <<'EOF'
table inet hkern_client {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp flags & rst == rst drop
	}
}
EOF
	check "$label: driver starts (bypass)" start_driver -n 2 -b || return
	ip netns exec "$NS_C" curl -s -o /dev/null -m 10 "http://$host:8080/?retransmit=$NEEDLE" &
	CURL_PID=$!
	sleep 2.5
	est_c=$(in_c ss -Htn state established '( dport = :8080 )' | wc -l)
	est_s=$(in_s ss -Htn state established '( sport = :8080 )' | wc -l)
	check "$label: client still established and retransmitting ($est_c)" [ "$est_c" -ge 1 ]
	check "$label: server socket was reset ($est_s established)" [ "$est_s" = 0 ]
	kill -USR1 "$DRV_PID"
	sleep 0.3
	check "$label: retransmissions dropped too (matched=$(stat matched))" ge "$(stat matched)" 2
	stop_driver KILL
	check "$label: table left after SIGKILL" has_tables
	expect_http 200 0 "$label: bypass: traffic flows while no one listens" "http://$host:8080/"
	wait "$CURL_PID"
	rc=$?
	CURL_PID=
	check "$label: blocked client gave up without an answer (curl $rc)" [ "$rc" != 0 ]
	check "$label: the server never saw the retransmitted request" \
		eval '! grep -q "$NEEDLE" "$TMP/http.log"'
	in_c nft delete table inet hkern_client
	check "$label: kern_smoke -R removes the table" in_s "$BIN" -R
	check "$label: table gone" no_tables
}

test_no_bypass() {
	check "driver starts (no bypass)" start_driver -n 1 || return
	expect_http 200 0 "benign request while running" http://10.99.0.2:8080/
	stop_driver KILL
	check "table left after SIGKILL" has_tables
	T=2 expect_http 000 28 "no bypass: traffic stops while no one listens" \
		http://10.99.0.2:8080/
	check "kern_smoke -R removes the table" in_s "$BIN" -R
	check "table gone" no_tables
	expect_http 200 0 "traffic flows again" http://10.99.0.2:8080/
}

if ! setup; then
	nok "namespace setup"
else
	ok "namespace setup"
	test_probe
	test_filtering
	test_retransmit IPv4 10.99.0.2
	test_retransmit IPv6 '[fd99::2]'
	check "kern_smoke -R with no table is no error" in_s "$BIN" -R
	test_no_bypass
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
