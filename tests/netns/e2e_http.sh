#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Most functions below are called through vp_check / vp_wait:
# shellcheck disable=SC2317
#
# End-to-end test: a client namespace talks HTTP (curl) to nginx in a server namespace,
# through vpatchd running inline (NFQUEUE) in the server namespace.  See README.
#
# usage: tests/netns/e2e_http.sh [VPATCHD]
#   VPATCHD: $1, else $VPATCHD, else ./vpatchd.  When it is missing, only the namespace,
#   nginx and curl part runs (a self-check of this harness) and the script exits 77.
# environment: VP_E2E_NS_PREFIX (namespace name prefix, default vp-e2e), VP_E2E_QUEUE
#   (-q value, default 0:2), VP_E2E_THREADS (-t value, default 2), KEEP=1 (keep the temp dir).
#
# Prints "PASS: x" / "FAIL: x" per check and "N passed, N failed" at the end.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (not root, no ip netns, no nginx/curl,
# or no vpatchd), 99 the test bed could not be set up.

# Run by bash even when a test harness starts it with sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

vpatchd=${1:-${VPATCHD:-./vpatchd}}
prefix=${VP_E2E_NS_PREFIX:-vp-e2e}
queue=${VP_E2E_QUEUE:-0:2}
threads=${VP_E2E_THREADS:-2}
python=/usr/bin/python3
[ -x "$python" ] || python=python3

CLI=$prefix-cli-$$
SRV=$prefix-srv-$$
CLI4=10.203.0.1 SRV4=10.203.0.2
CLI6=fd20:3::1 SRV6=fd20:3::2
SID=1000100
READY_SECS=15
VPATCHD_PID=
NGINX_PID=

vp_require_netns
for tool in nginx curl nft; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
vp_find_vpatchd		# sets vpatchd (absolute) and have_vpatchd

trap vp_cleanup EXIT
trap 'exit 130' INT TERM HUP

vp_tmpdir vp-e2e || exit 99
T=$VP_TMP
chmod 755 "$T"	# nginx workers (nobody) read the docroot below it

# --- test bed -------------------------------------------------------------------------------

setup_net()
{
	vp_ns_add "$CLI" && vp_ns_add "$SRV" &&
	vp_ns_veth "$CLI" veth-cli "$SRV" veth-srv &&
	vp_ns_addr "$CLI" veth-cli $CLI4/24 && vp_ns_addr "$SRV" veth-srv $SRV4/24 &&
	vp_ns_addr "$CLI" veth-cli $CLI6/64 && vp_ns_addr "$SRV" veth-srv $SRV6/64
}

nginx_has()
{
	! nginx -V 2>&1 | grep -q -- "--without-http_$1_module"
}

write_nginx_conf()
{
	local m
	mkdir -p "$T/www" "$T/nginx" && echo "vpatch e2e index" >"$T/www/index.html" || return 1
	chmod -R a+rX "$T/www"
	{
		echo "daemon off;"
		echo "worker_processes 1;"
		echo "pid $T/nginx/nginx.pid;"
		echo "error_log $T/nginx/error.log;"
		echo "events { worker_connections 64; }"
		echo "http {"
		echo "  access_log $T/nginx/access.log;"
		echo "  client_body_temp_path $T/nginx/body;"
		for m in proxy fastcgi uwsgi scgi; do
			nginx_has $m && echo "  ${m}_temp_path $T/nginx/$m;"
		done
		echo "  default_type text/plain;"
		echo "  server {"
		echo "    listen $SRV4:80;"
		echo "    listen [$SRV6]:80;"
		echo "    root $T/www;"
		echo "    location / { }"
		echo "  }"
		echo "}"
	} >"$T/nginx/nginx.conf"
}

start_nginx()
{
	write_nginx_conf || return 1
	if ! vp_ns "$SRV" nginx -t -q -e "$T/nginx/error.log" -p "$T/nginx" -c "$T/nginx/nginx.conf"; then
		cat "$T/nginx/error.log"
		return 1
	fi
	vp_bg_start "$SRV" "$T/nginx/stderr.log" \
		nginx -e "$T/nginx/error.log" -p "$T/nginx" -c "$T/nginx/nginx.conf"
	NGINX_PID=$VP_BG_PID
	vp_pid_alive "$NGINX_PID" &&
	vp_wait 5 http_ok "http://$SRV4/" && vp_wait 5 http_ok "http://[$SRV6]/"
}

# --- client side ----------------------------------------------------------------------------

# http_code URL: prints the HTTP status the client gets ("000" when the request failed).
http_code()
{
	vp_ns "$CLI" curl -g -s -o /dev/null -w '%{http_code}' --path-as-is --noproxy '*' \
		--connect-timeout 3 --max-time 3 "$1"
	return 0
}

http_ok()
{
	[ "$(http_code "$1")" = 200 ]
}

http_fails()
{
	[ "$(http_code "$1")" = 000 ]
}

# access_logged TAG: the request carrying TAG reached nginx (polls up to 2 s).
access_logged()
{
	vp_wait 2 grep -qF "/vp-e2e/$1/" "$T/nginx/access.log"
}

# eve_has ACTION DEST_IP: an alert of sid $SID with this action towards DEST_IP:80 is in the
# current eve file (polls up to 3 s: the event writer may flush later).
eve_has()
{
	vp_wait 3 "$python" "$T/eve_has.py" "$EVE" "$SID" "$1" "$2"
}

write_eve_checker()
{
	cat >"$T/eve_has.py" <<'EOF'
import json, sys
path, sid, action, dest = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
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
	    and al.get("action") == action and ev.get("dest_ip") == dest
	    and ev.get("dest_port") == 80 and ev.get("proto") == "TCP"):
		sys.exit(0)
sys.exit(1)
EOF
}

# --- vpatchd --------------------------------------------------------------------------------

vpatch_table()
{
	vp_ns "$SRV" nft list tables 2>/dev/null | grep -Eq '^table (inet|ip|ip6) vpatch$'
}

queue_bound()
{
	local f=/proc/net/netfilter/nfnetlink_queue
	vp_ns "$SRV" test -e "$f" || return 0	# no way to tell: the table is enough
	[ "$(vp_ns "$SRV" cat "$f" | wc -l)" -gt 0 ]
}

no_vpatch_table()
{
	! vpatch_table
}

delete_vpatch_tables()
{
	local fam
	for fam in inet ip ip6; do
		vp_ns "$SRV" nft delete table $fam vpatch 2>/dev/null
	done
	! vpatch_table
}

vpatchd_ready()
{
	vp_pid_alive "$VPATCHD_PID" && vpatch_table && queue_bound
}

# start_vpatchd NAME MODE FAIL_OPEN: runs vpatchd in the server namespace and waits until its
# nftables table exists and its queues are bound.
start_vpatchd()
{
	local name=$1 mode=$2 fail_open=$3 extra=${4:-}
	EVE=$T/$name.eve.json
	LOG=$T/$name.vpatchd.log
	cat >"$T/rules" <<EOF
drop tcp any any -> any 80 (msg:"test attack"; flow:to_server; content:"/etc/passwd"; sid:$SID; rev:1;)
EOF
	cat >"$T/$name.conf" <<EOF
mode = $mode
fail_open = $fail_open
eve = $EVE
$extra
EOF
	vp_bg_start "$SRV" "$LOG" "$vpatchd" -c "$T/$name.conf" -S "$T/rules" -l "$EVE" \
		-m "$mode" -q "$queue" -t "$threads"
	VPATCHD_PID=$VP_BG_PID
	if vp_wait $READY_SECS vpatchd_ready; then
		sleep 0.3
		return 0
	fi
	echo "  vpatchd ($name) not ready after ${READY_SECS}s; its output:"
	sed -e 's/^/  | /' "$LOG" | head -n 20
	vp_pid_stop "$VPATCHD_PID" TERM 5
	delete_vpatch_tables
	return 1
}

# --- the tests ------------------------------------------------------------------------------

test_baseline()
{
	vp_check "baseline: benign request over IPv4 without vpatchd" http_ok "http://$SRV4/"
	vp_check "baseline: benign request over IPv6 without vpatchd" http_ok "http://[$SRV6]/"
	vp_check "baseline: attack request reaches nginx (404) without vpatchd" \
		attack_passes base-v4 "http://$SRV4"
}

# attack_passes TAG BASE: the attack request gets nginx's 404 and is in its access log.
attack_passes()
{
	[ "$(http_code "$2/vp-e2e/$1/etc/passwd")" = 404 ] && access_logged "$1"
}

# attack_blocked TAG BASE: the attack request fails and never reaches nginx.
attack_blocked()
{
	local code
	code=$(http_code "$2/vp-e2e/$1/etc/passwd")
	[ "$code" = 000 ] || { echo "  got HTTP $code"; return 1; }
	sleep 1
	! grep -qF "/vp-e2e/$1/" "$T/nginx/access.log"
}

stop_vpatchd_checks()
{
	local mode=$1
	vp_pid_stop "$VPATCHD_PID" TERM 10
	VPATCHD_PID=
	vp_check "$mode: vpatchd exits 0 on SIGTERM" [ "$VP_STOP_STATUS" -eq 0 ]
	vp_check "$mode: vpatch table removed on exit" no_vpatch_table
	delete_vpatch_tables
	vp_check "$mode: benign request works after vpatchd stopped" http_ok "http://$SRV4/"
}

test_detect()
{
	if ! start_vpatchd detect detect yes; then
		vp_fail "detect: vpatchd starts and installs its table"
		return
	fi
	vp_pass "detect: vpatchd starts and installs its table"
	vp_check "detect: benign request over IPv4" http_ok "http://$SRV4/"
	vp_check "detect: benign request over IPv6" http_ok "http://[$SRV6]/"
	vp_check "detect: IPv4 attack reaches nginx (404, logged)" attack_passes det-v4 "http://$SRV4"
	vp_check "detect: IPv4 alert logged with action allowed" eve_has allowed $SRV4
	vp_check "detect: IPv6 attack reaches nginx (404, logged)" attack_passes det-v6 "http://[$SRV6]"
	vp_check "detect: IPv6 alert logged with action allowed" eve_has allowed $SRV6
	kill -USR1 "$VPATCHD_PID"
	vp_check "detect: SIGUSR1 reports the rule's checks, matches and time" \
		vp_wait 3 grep -Eq "rule 1:$SID \(.*\): [0-9]+ checks, [1-9][0-9]* matches" "$LOG"
	vp_check "detect: SIGUSR1 reports the inspection counters (HTTP requests parsed)" \
		vp_wait 3 grep -Eq "vpatchd: inspection: http requests [1-9][0-9]* " "$LOG"
	stop_vpatchd_checks detect
}

test_prevent()
{
	if ! start_vpatchd prevent prevent yes; then
		vp_fail "prevent: vpatchd starts and installs its table"
		return
	fi
	vp_pass "prevent: vpatchd starts and installs its table"
	vp_check "prevent: benign request over IPv4" http_ok "http://$SRV4/"
	vp_check "prevent: benign request over IPv6" http_ok "http://[$SRV6]/"
	vp_check "prevent: IPv4 attack blocked (request fails, not in nginx log)" \
		attack_blocked prev-v4 "http://$SRV4"
	vp_check "prevent: IPv4 alert logged with action blocked" eve_has blocked $SRV4
	vp_check "prevent: IPv6 attack blocked (request fails, not in nginx log)" \
		attack_blocked prev-v6 "http://[$SRV6]"
	vp_check "prevent: IPv6 alert logged with action blocked" eve_has blocked $SRV6
	vp_check "prevent: benign request after a blocked attack" http_ok "http://$SRV4/"
	stop_vpatchd_checks prevent
}

# test_kill9 FAIL_OPEN: SIGKILL leaves the table behind; traffic then passes (fail_open=yes)
# or not (fail_open=no).
test_kill9()
{
	local fo=$1 name=fail_open_$1
	if ! start_vpatchd "$name" prevent "$fo"; then
		vp_fail "fail_open=$fo: vpatchd starts and installs its table"
		return
	fi
	vp_pass "fail_open=$fo: vpatchd starts and installs its table"
	vp_check "fail_open=$fo: benign request while running" http_ok "http://$SRV4/"
	vp_pid_stop "$VPATCHD_PID" KILL 5
	VPATCHD_PID=
	vp_check "fail_open=$fo: table left behind after kill -9" vpatch_table
	if [ "$fo" = yes ]; then
		vp_check "fail_open=yes: benign request passes after kill -9" http_ok "http://$SRV4/"
	else
		vp_check "fail_open=no: request fails after kill -9" http_fails "http://$SRV4/"
	fi
	vp_check "fail_open=$fo: table deleted by hand" delete_vpatch_tables
	vp_check "fail_open=$fo: benign request works after the table is gone" http_ok "http://$SRV4/"
}

# The client ignores resets, so it keeps retransmitting the blocked request; vpatchd is then
# killed with fail_open=yes, so the retransmissions reach the server's stack.  With the
# default reset_blocked=yes the server's socket is already gone and nothing arrives; with
# reset_blocked=no (the control) the request does arrive, which shows the check can fail.
client_ignores_resets()
{
	vp_ns "$CLI" nft -f - <<'EOF'
table inet vp_e2e_cli {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp flags & rst == rst drop
	}
}
EOF
}

client_takes_resets()
{
	vp_ns "$CLI" nft delete table inet vp_e2e_cli 2>/dev/null
	return 0
}

not_logged()
{
	! grep -qF "/vp-e2e/$1/" "$T/nginx/access.log"
}

test_no_leak()
{
	local reset=$1 tag=leak-$1 name=leak_$1 curl_pid
	if ! start_vpatchd "$name" prevent yes "reset_blocked = $reset"; then
		vp_fail "reset_blocked=$reset: vpatchd starts and installs its table"
		return
	fi
	client_ignores_resets
	vp_ns "$CLI" curl -g -s -o /dev/null --path-as-is --noproxy '*' --max-time 9 \
		"http://$SRV4/vp-e2e/$tag/etc/passwd" &
	curl_pid=$!
	sleep 1.5
	vp_pid_stop "$VPATCHD_PID" KILL 5
	VPATCHD_PID=
	sleep 5	# retransmissions at about 2 s and 4 s after the first send go through now
	if [ "$reset" = yes ]; then
		vp_check "reset_blocked=yes: blocked request never reaches nginx after kill -9" \
			not_logged "$tag"
	else
		vp_check "reset_blocked=no (control): retransmitted request reaches nginx" \
			access_logged "$tag"
	fi
	wait "$curl_pid" 2>/dev/null
	client_takes_resets
	delete_vpatch_tables
}

# SIGHUP reloads the rule files: the new rules apply, a broken file never replaces the
# running set, and requests made during the reloads all succeed.
shadow_blocked()
{
	attack_blocked_path "$1" "http://$SRV4" etc/shadow
}

attack_blocked_path()
{
	local code
	code=$(http_code "$2/vp-e2e/$1/$3")
	[ "$code" = 000 ] || { echo "  got HTTP $code"; return 1; }
	sleep 1
	! grep -qF "/vp-e2e/$1/" "$T/nginx/access.log"
}

reloaded()
{
	grep -q "reload: $1" "$LOG"
}

benign_loop()
{
	local i fails=0
	for i in $(seq 1 40); do
		http_ok "http://$SRV4/" || fails=$((fails + 1))
	done
	echo "$fails" >"$T/loop.fails"
}

test_reload()
{
	local loop_pid
	if ! start_vpatchd reload prevent yes; then
		vp_fail "reload: vpatchd starts and installs its table"
		return
	fi
	benign_loop &
	loop_pid=$!
	cat >"$T/rules" <<EOF
drop tcp any any -> any 80 (msg:"shadow"; flow:to_server; content:"/etc/shadow"; sid:1000200;)
EOF
	kill -HUP "$VPATCHD_PID"
	vp_check "reload: new rule set active after SIGHUP" vp_wait 5 reloaded "1 rules active"
	vp_check "reload: old rule gone (passwd request reaches nginx)" \
		attack_passes reload-old "http://$SRV4"
	vp_check "reload: new rule blocks" shadow_blocked reload-new
	echo 'drop tcp any any -> any 80 (msg:"broken"; content:"|zz|"; sid:1000300;)' >>"$T/rules"
	kill -HUP "$VPATCHD_PID"
	vp_check "reload: a broken rule file is refused" vp_wait 5 reloaded "1 rules failed"
	vp_check "reload: the running rules stay after a refused reload" \
		shadow_blocked reload-kept
	wait "$loop_pid"
	vp_check "reload: no benign request failed during the reloads" [ "$(cat "$T/loop.fails")" = 0 ]
	vp_pid_stop "$VPATCHD_PID" TERM 10
	VPATCHD_PID=
	delete_vpatch_tables
}

# --- main -----------------------------------------------------------------------------------

write_eve_checker || exit 99
if ! setup_net; then
	echo "ERROR: could not set up the namespaces"
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
test_detect
test_prevent
test_kill9 yes
test_kill9 no
test_no_leak yes
test_no_leak no
test_reload
vp_summary || exit 1
exit 0
