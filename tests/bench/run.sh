#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Detection-engine benchmark (README next to this file): the CPU time vpatchd spends per HTTP
# request of a capture of benign traffic with no rules, with the first 1,000 and 10,000
# loadable ET Open rules and with all of them, as ratios to the no-rule run of the same
# invocation.  It measures and reports; the 2x target is "met" or "missed", never a failure.
#
# usage: tests/bench/run.sh [VPATCHD]
#   VPATCHD              the daemon: $1, else $VPATCHD, else ./vpatchd
# environment:
#   REPEAT=3             runs of each configuration; the medians are reported
#   REQUESTS=3000        HTTP requests in the generated capture
#   SEED=20261128        seed of the capture generator
#   SIZES="1000 10000"   the rule-set sizes besides none and all
#   ET_OPEN=DIR          the ET Open rules (default <repo>/../shared/corpora/et-open)
#   BENCH_CACHE=DIR      keep the generated capture (about 50 MB) there and reuse it
#   RUN_TIMEOUT=900      seconds one vpatchd run may take
#   KEEP=1               keep the temporary directory (rule sets, config, raw results)
#   PYTHON=/usr/bin/python3  an interpreter with scapy (Debian's python3-scapy)
#
# Exit status: 0 every figure was measured, whatever the figures are; 1 a vpatchd run failed,
# so some figures are missing; 77 (automake: skipped) vpatchd, the ET Open rules or scapy is
# missing; 99 the harness itself broke.

set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd) || exit 99
top=$(cd "$here/../.." && pwd) || exit 99
vpatchd=${1:-${VPATCHD:-./vpatchd}}
python=${PYTHON:-/usr/bin/python3}
repeat=${REPEAT:-3}
requests=${REQUESTS:-3000}
seed=${SEED:-20261128}
sizes=${SIZES:-1000 10000}
et_open=${ET_OPEN:-$top/../shared/corpora/et-open}
run_timeout=${RUN_TIMEOUT:-900}

die() {	# the harness broke
	echo "ERROR: $*" >&2
	exit 99
}

skip() {
	echo "SKIP: $*"
	exit 77
}

case $vpatchd in
*/*) ;;
*) found=$(command -v "$vpatchd" 2>/dev/null) && vpatchd=$found ;;
esac
if [ ! -x "$vpatchd" ] || [ -d "$vpatchd" ]; then
	skip "vpatchd not found or not executable: $vpatchd"
fi
vpatchd=$(cd "$(dirname "$vpatchd")" && pwd)/$(basename "$vpatchd")
[ -d "$et_open" ] || skip "no ET Open rules at $et_open (see ../shared/corpora/README.md)"
et_open=$(cd "$et_open" && pwd)
ls "$et_open"/emerging-*.rules >/dev/null 2>&1 || skip "no emerging-*.rules in $et_open"
"$python" -c 'import scapy.layers.inet' 2>/dev/null ||
	skip "$python cannot import scapy (apt-get install python3-scapy)"
for n in "$repeat" "$requests" "$seed" "$run_timeout" $sizes; do
	case $n in '' | *[!0-9]*) die "not a number: '$n'" ;; esac
done
if [ "$repeat" -lt 1 ] || [ "$requests" -lt 1 ]; then
	die "REPEAT and REQUESTS must be at least 1"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vpatch-bench.XXXXXX") || die "mktemp failed"
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	if [ -n "${KEEP:-}" ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 99' INT TERM

# --- helpers in Python: a child's CPU time (wait4) and the report -----------------------------
cat >"$tmp/bench.py" <<'EOF'
import os
import signal
import statistics
import sys


def cpu(out, err, timeout, argv):
    """Runs argv, its output to files; prints user_s sys_s maxrss_kb exit_code."""
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
            os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
    signal.alarm(timeout)
    _, status, ru = os.wait4(pid, 0)
    signal.alarm(0)
    print("%.6f %.6f %d %d" % (ru.ru_utime, ru.ru_stime, ru.ru_maxrss,
                               os.waitstatus_to_exitcode(status)))


def report(results, sets, requests, packets):
    """results: "set kind cpu_s maxrss_kb alerts packet_cpu_s" lines (packet_cpu_s: what
    vpatchd reports for the packets alone, -1 when it does not); sets: "set rules label"
    lines.  Prints the table; on stderr "ratio SET R" for every set measured."""
    runs = {}
    for line in open(results):
        name, kind, cpu_s, rss, alerts, pkt_s = line.split()
        runs.setdefault((name, kind), []).append(
            (float(cpu_s), int(rss), int(alerts), float(pkt_s)))
    print("%-14s %6s %8s %8s %7s %6s %8s %7s %6s %6s %6s" % (
        "rule set", "rules", "load ms", "run ms", "packets", "reqs", "us/req", "ratio",
        "spread", "alerts", "RSS MB"))
    base = None
    for line in open(sets):
        name, rules, label = line.rstrip("\n").split(" ", 2)
        run, load = runs.get((name, "run")), runs.get((name, "load"))
        if not run or not load:
            print("%-14s %6s   (a vpatchd run failed: no figures)" % (label, rules))
            continue
        run_s = statistics.median(r[0] for r in run)
        load_s = statistics.median(r[0] for r in load)
        if all(r[3] >= 0 for r in run):
            pkts = [r[3] for r in run]      # vpatchd's own figure: packets only
        else:
            pkts = [max(0.0, r[0] - load_s) for r in run]
        pkt_s = statistics.median(pkts)
        us_req = pkt_s * 1e6 / requests
        spread = (max(pkts) - min(pkts)) / pkt_s if pkt_s else 0
        if name == "none":
            base = us_req
        ratio = us_req / base if base else float("nan")
        print("%-14s %6s %8.1f %8.1f %7d %6d %8.2f %6.2fx %5.0f%% %6d %6.1f" % (
            label, rules, load_s * 1e3, run_s * 1e3, packets, requests, us_req, ratio,
            spread * 100, max(r[2] for r in run), max(r[1] for r in run) / 1024))
        print("ratio %s %.2f" % (name, ratio), file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1] == "cpu":
        cpu(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:])
    else:
        report(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
EOF

# measure SET KIND ARGV...: runs ARGV once and appends "SET KIND cpu_s rss_kb alerts" to
# $tmp/results; for KIND "run" also sets $packets from vpatchd's summary line.
measure() {
	local name=$1 kind=$2 fig user sys rss rc alerts=0 pkt=-1
	shift 2
	fig=$("$python" "$tmp/bench.py" cpu "$tmp/out" "$tmp/err" "$run_timeout" "$@") ||
		die "cannot measure $*"
	read -r user sys rss rc <<<"$fig"
	if [ "$rc" -ne 0 ] || { [ "$kind" = run ] && ! grep -q ' packets, ' "$tmp/err"; }; then
		echo "vpatchd failed (exit $rc) with rule set '$name': $*" >&2
		tail -n 5 "$tmp/err" >&2
		failed=1
		return 1
	fi
	if [ "$kind" = run ]; then
		alerts=$(sed -nE 's/.* packets, ([0-9]+) alerts,.*/\1/p' "$tmp/err" | tail -n 1)
		packets=$(sed -nE 's/.*: [0-9]+ frames, ([0-9]+) packets,.*/\1/p' "$tmp/err" |
			tail -n 1)
		pkt=$(sed -nE 's/.* ([0-9]+\.[0-9]+) s CPU$/\1/p' "$tmp/err" | tail -n 1)
	fi
	echo "$name $kind $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.6f", u + s }')" \
		"$rss ${alerts:-0} ${pkt:--1}" >>"$tmp/results"
}

# --- configuration: Suricata's default variables, $EXTERNAL_NET any, $HTTP_PORTS 80 ----------
cat >"$tmp/vpatchd.conf" <<'EOF'
mode = detect
home_net = [192.168.0.0/16, 10.0.0.0/8, 172.16.0.0/12]
external_net = any
http_servers = $HOME_NET
smtp_servers = $HOME_NET
sql_servers = $HOME_NET
dns_servers = $HOME_NET
telnet_servers = $HOME_NET
aim_servers = $EXTERNAL_NET
dc_servers = $HOME_NET
dnp3_server = $HOME_NET
dnp3_client = $HOME_NET
modbus_client = $HOME_NET
modbus_server = $HOME_NET
enip_client = $HOME_NET
enip_server = $HOME_NET
http_ports = 80
shellcode_ports = !80
oracle_ports = 1521
ssh_ports = 22
dnp3_ports = 20000
modbus_ports = 502
file_data_ports = [$HTTP_PORTS, 110, 143]
ftp_ports = 21
geneve_ports = 6081
vxlan_ports = 4789
teredo_ports = 3544
EOF
conf=$tmp/vpatchd.conf

# --- rule sets -------------------------------------------------------------------------------
# test_load FILE: vpatchd -T over FILE; sets $loaded and $nfailed and writes the numbers of
# the failing lines of FILE to $tmp/bad.  A problem that is not a rule line's ends the harness.
test_load() {
	local file=$1 summary
	"$vpatchd" -T -c "$conf" -S "$file" >"$tmp/t.out" 2>"$tmp/t.err"
	summary=$(grep -E '^[0-9]+ rules loaded, [0-9]+ failed' "$tmp/t.out" | tail -n 1)
	if [ -z "$summary" ]; then
		cat "$tmp/t.out" "$tmp/t.err" >&2
		die "vpatchd -T printed no summary"
	fi
	loaded=${summary%% rules loaded*}
	nfailed=${summary#*loaded, }
	nfailed=${nfailed%% failed*}
	awk -v f="$file:" 'index($0, f) == 1 && match(substr($0, length(f) + 1), /^[0-9]+:/) {
		print substr($0, length(f) + 1, RLENGTH - 1)
		next
	}
	{ print "vpatchd -T: " $0 >"/dev/stderr"; other = 1 }
	END { exit other }' "$tmp/t.err" | sort -un >"$tmp/bad"
	[ "${PIPESTATUS[0]}" -eq 0 ] || die "vpatchd -T reported a problem that is not a rule's"
}

# drop_lines FILE: removes the lines numbered in $tmp/bad from FILE.
drop_lines() {
	awk 'NR == FNR { bad[$1] = 1; next } !(FNR in bad)' "$tmp/bad" "$1" >"$1.new" &&
		mv "$1.new" "$1"
}

# settle FILE: removes failing rules until every rule of FILE loads (removing a rule only
# matters to rules that depend on it, so a few rounds are enough).
settle() {
	for _ in 1 2 3 4 5; do
		test_load "$1"
		[ "$nfailed" -eq 0 ] && return 0
		drop_lines "$1"
	done
	die "rules of $1 still fail to load after 5 rounds"
}

# Enabled rules: not commented out, protocol ip, tcp, udp, icmp or http; files in name order.
awk 'BEGIN { split("ip tcp udp icmp http", p, " "); for (i in p) ok[p[i]] = 1 }
	{ sub(/\r$/, "") }
	/^[ \t]*#/ || NF < 2 { next }
	$2 in ok' "$et_open"/emerging-*.rules >"$tmp/enabled.rules" || die "cannot read $et_open"
enabled=$(wc -l <"$tmp/enabled.rules")
cp "$tmp/enabled.rules" "$tmp/loadable.rules"
test_load "$tmp/loadable.rules"
# Why the others fail, most frequent first: what to implement next.
sed -E 's/^[^:]*:[0-9]+: //; s/got .*/got .../' "$tmp/t.err" | sort | uniq -c | sort -rn |
	head -n 8 >"$tmp/reasons"
if [ "$nfailed" -ne 0 ]; then
	drop_lines "$tmp/loadable.rules"
	settle "$tmp/loadable.rules"
fi
loadable=$loaded
[ "$loadable" -eq "$(wc -l <"$tmp/loadable.rules")" ] || die "rules loaded != lines of the set"

: >"$tmp/none.rules"
echo "none 0 none" >"$tmp/sets"
notes=()
for k in $sizes; do
	if [ "$k" -gt "$loadable" ]; then
		notes+=("$k-rule set: not run, only $loadable rules load")
		continue
	fi
	set_file=$tmp/first$k.rules
	head -n "$k" "$tmp/loadable.rules" >"$set_file"
	settle "$set_file"
	# A prefix can lose rules that depended on later ones: top it up from the rest.
	next=$((k + 1))
	while [ "$loaded" -lt "$k" ] && [ "$next" -le "$loadable" ]; do
		sed -n "$next,$((next + k - loaded - 1))p" "$tmp/loadable.rules" >>"$set_file"
		next=$((next + k - loaded))
		settle "$set_file"
	done
	echo "first$k $loaded first $k" >>"$tmp/sets"
done
echo "loadable $loadable all loadable" >>"$tmp/sets"

# --- the capture ---------------------------------------------------------------------------
capture=$tmp/http-mix.pcap
if [ -n "${BENCH_CACHE:-}" ]; then
	mkdir -p "$BENCH_CACHE" || die "cannot create $BENCH_CACHE"
	gen_sum=$(cksum <"$here/gen_http_mix.py" | cut -d' ' -f1)
	capture=$BENCH_CACHE/http-mix-$requests-$seed-$gen_sum.pcap
fi
if [ ! -s "$capture" ] || [ ! -s "$capture.txt" ]; then
	echo "generating the capture ($requests requests, seed $seed) ..."
	"$python" "$here/gen_http_mix.py" --requests "$requests" --seed "$seed" "$capture" \
		>"$capture.txt" || die "gen_http_mix.py failed"
fi
creq=$(sed -nE 's/(^|.* )requests=([0-9]+).*/\2/p' "$capture.txt")
[ "${creq:-0}" -gt 0 ] || die "no request count from gen_http_mix.py"

# --- measurements: the sets take turns, so that drift spreads over all of them --------------
failed=0
packets=0
: >"$tmp/results"
cat "$capture" >/dev/null	# into the page cache
"$vpatchd" -r "$capture" -S "$tmp/none.rules" -c "$conf" -l /dev/null 2>/dev/null	# warm-up
echo "measuring: $repeat rounds of $(wc -l <"$tmp/sets") rule sets ..."
for _ in $(seq "$repeat"); do
	while read -r name _; do
		file=$tmp/$name.rules
		measure "$name" load "$vpatchd" -T -c "$conf" -S "$file" || continue
		measure "$name" run "$vpatchd" -r "$capture" -S "$file" -c "$conf" -l /dev/null \
			--mode=detect
	done <"$tmp/sets"
done

# --- report --------------------------------------------------------------------------------
cpu_model=$(sed -nE 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "vpatch detection benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "vpatchd:  $("$vpatchd" -V 2>&1 | head -n 1) ($vpatchd)"
echo "machine:  $(nproc) CPUs, ${cpu_model:-unknown CPU}, Linux $(uname -r)"
echo "capture:  $(cat "$capture.txt")"
echo "ET Open:  $enabled enabled rules (ip/tcp/udp/icmp/http): $loadable load," \
	"$((enabled - loadable)) fail"
echo "runs:     $repeat of each set, medians; CPU = user + sys of the whole vpatchd process"
echo
"$python" "$tmp/bench.py" report "$tmp/results" "$tmp/sets" "$creq" "$packets" \
	2>"$tmp/ratios" || die "the report failed"
for n in "${notes[@]}"; do
	echo "$n"
done
echo
echo "load ms: vpatchd -T with the set; run ms: vpatchd -r over the capture with the set;"
echo "us/req: CPU vpatchd reports for the packets (reading the capture to the last event"
echo "written, every thread) / requests; ratio: us/req over that of no rules;"
echo "spread: (slowest - fastest) / median of the runs."
echo
echo "Most frequent reasons why rules fail to load:"
sed 's/^/  /' "$tmp/reasons"
echo
ratio10k=$(sed -n 's/^ratio first10000 //p' "$tmp/ratios")
ratio_all=$(sed -n 's/^ratio loadable //p' "$tmp/ratios")
if [ -n "$ratio10k" ]; then
	if awk -v r="$ratio10k" 'BEGIN { exit !(r <= 2) }'; then
		verdict="target met"
	else
		verdict="target missed"
	fi
	echo "$verdict: with 10,000 rules vpatchd spends ${ratio10k}x the CPU per request of" \
		"no rules (target: at most 2x)"
else
	echo "target not measured: the 10,000-rule set needs 10,000 loadable rules, $loadable" \
		"load (all $loadable: ${ratio_all:-?}x)"
fi
[ "$failed" -eq 0 ] || exit 1
exit 0
