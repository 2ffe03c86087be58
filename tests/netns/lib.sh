# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers for the network-namespace end-to-end tests (sourced by tests/netns/*.sh; bash).
#
# Everything a test creates is registered here (namespaces, background processes by PID,
# temporary directories) and vp_cleanup, which the test installs as its EXIT trap, removes all
# of it: processes are stopped by PID only, namespaces by the names the test made.  Every wait
# is bounded.
#
#   vp_require_netns                 exit 77 unless root with a working `ip netns`
#   vp_tmpdir NAME                   make a temporary directory, registered; sets VP_TMP
#   vp_ns_add NAME                   create a namespace (lo up), registered
#   vp_ns NAME CMD...                run CMD inside the namespace (bounded by VP_CMD_TIMEOUT)
#   vp_ns_veth NS1 IF1 NS2 IF2       a veth pair between two namespaces, both ends up
#   vp_ns_addr NS IF ADDR/LEN        add an address (IPv6: nodad)
#   vp_bg_start NS LOG CMD...        start CMD in NS in the background; sets VP_BG_PID
#   vp_pid_alive PID                 true while PID runs
#   vp_pid_stop PID [SIG] [SECS]     send SIG (TERM), wait up to SECS (10), then KILL;
#                                    sets VP_STOP_STATUS to the exit status (or 255)
#   vp_wait SECS CMD...              poll CMD every 0.1 s until it succeeds or SECS pass
#   vp_pass NAME / vp_fail NAME [WHY] / vp_skip NAME [WHY]     record and print one result
#   vp_summary                       print "N passed, N failed"; false if any failed
#   vp_cleanup                       stop registered processes, delete namespaces and dirs

VP_PASSED=0
VP_FAILED=0
VP_SKIPPED=0
VP_NAMESPACES=()
VP_PIDS=()
VP_TMPDIRS=()
VP_CMD_TIMEOUT=${VP_CMD_TIMEOUT:-10}

vp_require_netns()
{
	if [ "${VP_SKIP_NETNS:-}" = 1 ]; then
		echo "SKIP: VP_SKIP_NETNS=1 (the netns tests ran in another build)"
		exit 77
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: must run as root"
		exit 77
	fi
	if ! command -v ip >/dev/null 2>&1 || ! ip netns list >/dev/null 2>&1; then
		echo "SKIP: 'ip netns' is not available"
		exit 77
	fi
	if ! command -v timeout >/dev/null 2>&1; then
		echo "SKIP: timeout(1) is not available"
		exit 77
	fi
}

vp_tmpdir()
{
	VP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || return 1
	VP_TMPDIRS+=("$VP_TMP")
}

vp_ns_add()
{
	ip netns add "$1" || return 1
	VP_NAMESPACES+=("$1")
	ip -n "$1" link set lo up
}

vp_ns()
{
	local ns=$1
	shift
	timeout -k 2 "$VP_CMD_TIMEOUT" ip netns exec "$ns" "$@"
}

vp_ns_veth()
{
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" || return 1
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

vp_ns_addr()
{
	case $3 in
	*:*) ip -n "$1" -6 addr add "$3" dev "$2" nodad ;;
	*) ip -n "$1" addr add "$3" dev "$2" ;;
	esac
}

# `ip netns exec` execs the command in place, so $! is the PID of CMD itself.
vp_bg_start()
{
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$@" >"$log" 2>&1 </dev/null &
	VP_BG_PID=$!
	VP_PIDS+=("$VP_BG_PID")
}

vp_pid_alive()
{
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null
}

# stderr is dropped so that bash's "Killed" job notice does not clutter the output.
vp_pid_stop()
{
	pid_stop "$@" 2>/dev/null
}

pid_stop()
{
	local pid=$1 sig=${2:-TERM} secs=${3:-10} i=0
	VP_STOP_STATUS=255
	[ -n "$pid" ] || return 0
	if vp_pid_alive "$pid"; then
		kill -s "$sig" "$pid" 2>/dev/null
		while vp_pid_alive "$pid" && [ $i -lt $((secs * 10)) ]; do
			# A zombie child still answers kill -0; reap it as soon as it exits.
			if [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ]; then
				break
			fi
			sleep 0.1
			i=$((i + 1))
		done
		if vp_pid_alive "$pid" && [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != Z ]; then
			echo "  pid $pid ignored SIG$sig for ${secs}s: SIGKILL"
			kill -s KILL "$pid" 2>/dev/null
		fi
	fi
	wait "$pid"
	# shellcheck disable=SC2034	# read by the tests
	VP_STOP_STATUS=$?
	return 0
}

vp_wait()
{
	local secs=$1 i=0
	shift
	while [ $i -lt $((secs * 10)) ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	"$@"
}

vp_pass()
{
	VP_PASSED=$((VP_PASSED + 1))
	echo "PASS: $1"
}

vp_fail()
{
	VP_FAILED=$((VP_FAILED + 1))
	echo "FAIL: $1${2:+ ($2)}"
}

vp_skip()
{
	VP_SKIPPED=$((VP_SKIPPED + 1))
	echo "SKIP: $1${2:+ ($2)}"
}

# vp_check NAME CMD...: PASS if CMD succeeds, else FAIL.
vp_check()
{
	local name=$1
	shift
	if "$@"; then
		vp_pass "$name"
	else
		vp_fail "$name"
	fi
}

vp_summary()
{
	echo "$VP_PASSED passed, $VP_FAILED failed"
	[ "$VP_FAILED" -eq 0 ]
}

vp_cleanup()
{
	local pid ns dir
	for pid in "${VP_PIDS[@]}"; do
		vp_pid_alive "$pid" && vp_pid_stop "$pid" TERM 5
	done
	for ns in "${VP_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	for dir in "${VP_TMPDIRS[@]}"; do
		if [ -n "${KEEP:-}" ]; then
			echo "kept $dir"
		else
			rm -rf "$dir"
		fi
	done
	VP_PIDS=()
	VP_NAMESPACES=()
	VP_TMPDIRS=()
}

# vp_find_vpatchd: resolves $vpatchd (a path, or a name on PATH) to an absolute path and
# sets have_vpatchd=yes, or have_vpatchd=no when there is no such executable.
vp_find_vpatchd()
{
	local found
	have_vpatchd=yes
	case $vpatchd in
	*/*) ;;
	*) found=$(command -v "$vpatchd" 2>/dev/null) && vpatchd=$found ;;
	esac
	if [ ! -x "$vpatchd" ] || [ -d "$vpatchd" ]; then
		have_vpatchd=no
	else
		vpatchd=$(cd "$(dirname "$vpatchd")" && pwd)/$(basename "$vpatchd")
	fi
}
