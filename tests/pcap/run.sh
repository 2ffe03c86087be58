#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Capture-regression suite: runs every case directory of tests/pcap/ through
# `vpatchd -r` (offline) and compares the alerts it writes with the case's expected.json.
#
# usage: tests/pcap/run.sh [VPATCHD]
#   VPATCHD            the daemon to test: $1, else $VPATCHD, else ./vpatchd
#   CASES="0003 0011"  environment: run only the cases whose names start with these
#   VPATCHD_WRAPPER    environment: command put before vpatchd (e.g. "valgrind -q")
#   KEEP=1             environment: keep the temporary directory (eve files, logs)
#   CASE_TIMEOUT=60    environment: seconds a single vpatchd run may take
#
# A case directory NNNN-slug/ holds input.pcap (made by gen.py), test.rules, expected.json
# (see compare.py), and optionally vpatchd.conf (else -c /dev/null: built-in defaults) and
# args (extra vpatchd options, split on white space; e.g. --mode=prevent).  vpatchd runs in
# the case directory with TZ=UTC, so relative paths in vpatchd.conf name files of the case.
#
# Prints "PASS: name" / "FAIL: name" per case, then "N passed, N failed".  Exit status 0 if
# none failed, 1 otherwise, 77 (automake: skipped) if vpatchd is missing, 99 on a harness error.

here=$(cd "$(dirname "$0")" && pwd) || exit 99
vpatchd=${1:-${VPATCHD:-./vpatchd}}
python=${PYTHON:-/usr/bin/python3}
case_timeout=${CASE_TIMEOUT:-60}

case $vpatchd in
*/*) ;;
*) found=$(command -v "$vpatchd" 2>/dev/null) && vpatchd=$found ;;
esac
if [ ! -x "$vpatchd" ] || [ -d "$vpatchd" ]; then
	echo "SKIP: vpatchd not found or not executable: $vpatchd"
	exit 77
fi
vpatchd=$(cd "$(dirname "$vpatchd")" && pwd)/$(basename "$vpatchd")
[ -x "$python" ] || python=python3
command -v timeout >/dev/null 2>&1 || { echo "ERROR: timeout(1) is required"; exit 99; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vpatch-pcap.XXXXXX") || exit 99
cleanup()
{
	if [ -n "$KEEP" ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

selected()
{
	[ -z "$CASES" ] && return 0
	for c in $CASES; do
		case $1 in
		"$c"*) return 0 ;;
		esac
	done
	return 1
}

# run_case DIR NAME: 0 pass, 1 fail; explains a failure on stdout.
run_case()
{
	dir=$1
	out=$tmp/$2
	mkdir -p "$out" || return 1
	for f in input.pcap test.rules expected.json; do
		if [ ! -f "$dir/$f" ]; then
			echo "  missing $f"
			return 1
		fi
	done
	conf=/dev/null
	[ -f "$dir/vpatchd.conf" ] && conf=$dir/vpatchd.conf
	args=
	[ -f "$dir/args" ] && args=$(sed -e 's/#.*//' "$dir/args" | tr '\n' ' ')
	# $args and $VPATCHD_WRAPPER are split on white space on purpose.
	# shellcheck disable=SC2086
	(cd "$dir" && TZ=UTC exec timeout -k 5 "$case_timeout" $VPATCHD_WRAPPER "$vpatchd" \
		-r "$dir/input.pcap" -S "$dir/test.rules" -c "$conf" -l "$out/eve.json" $args) \
		>"$out/stdout" 2>"$out/stderr"
	rc=$?
	if [ $rc -ne 0 ]; then
		[ $rc -eq 124 ] && echo "  vpatchd timed out after ${case_timeout}s"
		echo "  vpatchd exited with status $rc:" \
			"$vpatchd -r input.pcap -S test.rules -c $conf -l eve.json $args"
		sed -e 's/^/  stderr: /' "$out/stderr" | head -n 20
		return 1
	fi
	if [ ! -f "$out/eve.json" ]; then
		echo "  vpatchd wrote no eve file"
		return 1
	fi
	"$python" "$here/compare.py" "$dir/expected.json" "$out/eve.json"
	rc=$?
	if [ $rc -ne 0 ] && [ -s "$out/stderr" ]; then
		sed -e 's/^/  stderr: /' "$out/stderr" | head -n 10
	fi
	return $rc
}

passed=0
failed=0
for dir in "$here"/[0-9][0-9][0-9][0-9]-*/; do
	[ -d "$dir" ] || continue
	dir=${dir%/}
	name=$(basename "$dir")
	selected "$name" || continue
	if run_case "$dir" "$name"; then
		echo "PASS: $name"
		passed=$((passed + 1))
	else
		echo "FAIL: $name"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
if [ $((passed + failed)) -eq 0 ]; then
	echo "ERROR: no case ran"
	exit 99
fi
[ $failed -eq 0 ]
