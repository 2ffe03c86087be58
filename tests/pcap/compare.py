#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Compares the alert events of an EVE file with a case's expected.json.

usage: compare.py EXPECTED.json EVE.json

expected.json is a JSON array with one object per expected alert event, in the order the
events must appear in the EVE file.  Every field an object lists must be present in the event
with an equal value; nested objects (e.g. "alert") are compared the same way, key by key, so
fields not listed are not checked.  Lists and scalars must be equal exactly (1 is not true).
Special keys:
  "same_flow_as": N       flow_id equals the flow_id of expected event N (0-based)
  "other_flow_than": N    flow_id differs from that of event N (or a list of indices)
  "_anything":            keys starting with "_" are comments, ignored
Only events whose event_type is "alert" are compared; there must be exactly as many of them as
expected objects (no missing and no extra alerts).  Other event types are ignored.

Exit status: 0 all matched, 1 mismatch (a readable diff is printed), 2 unusable input.
Only the standard library is used, so any python3 can run it.
"""

import json
import sys

SPECIAL = ("same_flow_as", "other_flow_than")


def load_eve(path):
	"""The alert events of an EVE (JSON lines) file; raises ValueError on a bad line."""
	alerts = []
	with open(path, encoding="utf-8") as f:
		for n, line in enumerate(f, 1):
			if not line.strip():
				continue
			try:
				ev = json.loads(line)
			except ValueError as e:
				raise ValueError("%s:%d: not JSON: %s" % (path, n, e))
			if not isinstance(ev, dict):
				raise ValueError("%s:%d: not a JSON object" % (path, n))
			if ev.get("event_type") == "alert":
				alerts.append(ev)
	return alerts


def same(a, b):
	"""Equality that tells booleans from numbers."""
	if is_num(a) and is_num(b):
		return a == b
	return type(a) is type(b) and a == b


def is_num(v):
	return isinstance(v, (int, float)) and not isinstance(v, bool)


def subset_diff(exp, act, path=""):
	"""Yields (field, expected, actual-or-MISSING) for every listed field that differs."""
	for key, want in exp.items():
		if key.startswith("_") or (not path and key in SPECIAL):
			continue
		field = path + key
		if not isinstance(act, dict) or key not in act:
			yield field, want, MISSING
			continue
		got = act[key]
		if isinstance(want, dict) and isinstance(got, dict):
			yield from subset_diff(want, got, field + ".")
		elif not same(want, got):
			yield field, want, got


class Missing:
	def __repr__(self):
		return "<missing>"


MISSING = Missing()


def flow_diffs(i, exp, alerts):
	"""Checks same_flow_as / other_flow_than of expected event i against the actual alerts."""
	out = []
	fid = alerts[i].get("flow_id", MISSING)
	for key in SPECIAL:
		if key not in exp:
			continue
		refs = exp[key] if isinstance(exp[key], list) else [exp[key]]
		for ref in refs:
			if not isinstance(ref, int) or ref < 0 or ref >= len(alerts) or ref == i:
				out.append("%s: bad reference %r" % (key, ref))
				continue
			other = alerts[ref].get("flow_id", MISSING)
			if fid is MISSING or other is MISSING:
				out.append("%s %d: flow_id missing (this %r, #%d %r)" % (key, ref, fid, ref, other))
			elif (key == "same_flow_as") != (fid == other):
				out.append("%s %d: flow_id %r vs #%d's %r" % (key, ref, fid, ref, other))
	return out


def summary(ev):
	"""One line describing an event (expected or actual)."""
	al = ev.get("alert", {}) if isinstance(ev.get("alert"), dict) else {}
	src = "%s:%s" % (ev.get("src_ip", "?"), ev.get("src_port", "-"))
	dst = "%s:%s" % (ev.get("dest_ip", "?"), ev.get("dest_port", "-"))
	return "%s %s:%s %-7s %s -> %s %s flow=%s" % (
		ev.get("timestamp", "?"), al.get("gid", "?"), al.get("signature_id", "?"),
		al.get("action", "?"), src, dst, ev.get("proto", "?"), ev.get("flow_id", "?"))


def compare(expected, alerts):
	"""Returns a list of problem lines (empty: match)."""
	problems = []
	for i, exp in enumerate(expected):
		if i >= len(alerts):
			problems.append("#%d missing: expected %s" % (i, summary(exp)))
			continue
		for field, want, got in subset_diff(exp, alerts[i]):
			problems.append("#%d %s: expected %s, got %s" % (
				i, field, json.dumps(want), "<missing>" if got is MISSING else json.dumps(got)))
		for line in flow_diffs(i, exp, alerts):
			problems.append("#%d %s" % (i, line))
	for i in range(len(expected), len(alerts)):
		problems.append("#%d extra alert: %s" % (i, summary(alerts[i])))
	return problems


def main(argv):
	if len(argv) != 3:
		print("usage: compare.py EXPECTED.json EVE.json", file=sys.stderr)
		return 2
	try:
		with open(argv[1], encoding="utf-8") as f:
			expected = json.load(f)
		if not isinstance(expected, list) or not all(isinstance(e, dict) for e in expected):
			raise ValueError("%s: not a JSON array of objects" % argv[1])
		alerts = load_eve(argv[2])
	except (OSError, ValueError) as e:
		print("compare: %s" % e, file=sys.stderr)
		return 2
	problems = compare(expected, alerts)
	if not problems:
		return 0
	print("  %d alert(s) expected, %d in the EVE file" % (len(expected), len(alerts)))
	for line in problems:
		print("  " + line)
	print("  expected:")
	for i, e in enumerate(expected):
		print("    #%d %s" % (i, summary(e)))
	print("  actual:")
	for i, e in enumerate(alerts):
		print("    #%d %s" % (i, summary(e)))
	return 1


if __name__ == "__main__":
	sys.exit(main(sys.argv))
