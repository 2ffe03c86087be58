#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Conformance runner: measures vpatchd against Suricata's own regression suite.

Reads the suricata-verify corpus (tests/<name>/ with a capture, a rule file and test.yaml),
decides for every test whether vpatch can take it (the scope rules are in README next to
this file and in the tables below), runs the ones in scope through `vpatchd -r` and
evaluates the test's alert checks over the events vpatchd wrote.  The pass rate is a
measure, not a gate: the exit status is 0 when the run completed, whatever the rate, unless
--min-pass-rate says otherwise.

Exit status: 0 run completed, 1 internal error or pass rate below --min-pass-rate,
2 usage error, 77 (automake: skipped) when the corpus or vpatchd is absent.
"""

import argparse
import collections
import concurrent.futures
import glob
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback

import yaml

SKIP = 77

# The Suricata release whose behaviour the corpus describes: test-level and check-level
# version requirements are evaluated against it.  The corpus follows Suricata's main branch
# (it has "min-version: 9" tests), so min-version is in effect ignored and checks that only
# hold for older releases ("lt-version: 8") are not applied.
EMULATED_VERSION = (9, 0, 0)

# Suricata build features (requires: features / skip: feature) that vpatch counts as
# having: it writes JSON events and compiles PCRE with JIT.  Every other feature (HAVE_LUA,
# MAGIC, LIBNET1.1, GeoIP2, HAVE_JA3, ASAN, QA_SIMULATION, RUST, ...) puts a test out of scope.
FEATURES = {"HAVE_LIBJANSSON", "PCRE_JIT", "PCRE2"}

# Event fields vpatchd writes (DESIGN.md, "Events (contract)", and the opt-in event types of
# vpatchd.conf eve_types).  A check whose match (or has-key / not-has-key) names any other
# field is out of scope: there is nothing in vpatch's events to compare it with (flow.*,
# verdict.*, fileinfo.md5, ...).
ALERT_FIELDS = {
    "event_type", "src_ip", "src_port", "dest_ip", "dest_port", "proto", "pcap_cnt", "tx_id",
    "app_proto",
    "alert.action", "alert.gid", "alert.signature_id", "alert.rev", "alert.signature",
    "alert.category", "alert.severity", "alert.metadata", "alert.xff",
    "http.hostname", "http.url", "http.http_method", "http.http_user_agent",
    "http.http_content_type", "http.http_refer", "http.protocol", "http.status", "http.length",
    "fileinfo.filename", "fileinfo.gaps", "fileinfo.state", "fileinfo.stored", "fileinfo.size",
    "fileinfo.tx_id",
}
# Event types vpatchd writes when vpatchd.conf eve_types names them (the runner names all).
EVENT_TYPES = ("alert", "http", "fileinfo")
ALERT_FIELD_PREFIXES = ("alert.metadata.",)

# Suricata's default suricata.yaml "vars", which suricata-verify runs with, except
# EXTERNAL_NET: the corpus notes give the harness's value "any".  A test's own suricata.yaml
# may override them.
SURICATA_VARS = [
    ("HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"),
    ("EXTERNAL_NET", "any"),
    ("HTTP_SERVERS", "$HOME_NET"),
    ("SMTP_SERVERS", "$HOME_NET"),
    ("SQL_SERVERS", "$HOME_NET"),
    ("DNS_SERVERS", "$HOME_NET"),
    ("TELNET_SERVERS", "$HOME_NET"),
    ("AIM_SERVERS", "$EXTERNAL_NET"),
    ("DC_SERVERS", "$HOME_NET"),
    ("DNP3_SERVER", "$HOME_NET"),
    ("DNP3_CLIENT", "$HOME_NET"),
    ("MODBUS_CLIENT", "$HOME_NET"),
    ("MODBUS_SERVER", "$HOME_NET"),
    ("ENIP_CLIENT", "$HOME_NET"),
    ("ENIP_SERVER", "$HOME_NET"),
    ("HTTP_PORTS", "80"),
    ("SHELLCODE_PORTS", "!80"),
    ("ORACLE_PORTS", "1521"),
    ("SSH_PORTS", "22"),
    ("DNP3_PORTS", "20000"),
    ("MODBUS_PORTS", "502"),
    ("FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"),
    ("FTP_PORTS", "21"),
    ("GENEVE_PORTS", "6081"),
    ("VXLAN_PORTS", "4789"),
    ("TEREDO_PORTS", "3544"),
    ("SIP_PORTS", "[5060,5061]"),
]

# vpatch's configuration can only name variables with these suffixes (vpatchd.conf(5)).
VAR_SUFFIXES = ("_NET", "_SERVERS", "_SERVER", "_CLIENT", "_PORTS")

# vpatch's built-in protocol-violation checks have no Suricata counterpart: they are turned
# off so that they neither add alerts nor drop packets Suricata would inspect.  The resource
# limits (flow caps, memory exhaustion) keep their defaults, like Suricata's own memcaps.
VIOLATIONS_OFF = ("bad_ip_header", "same_address", "uri_bad_char", "uri_too_many_slashes",
                  "uri_above_root", "tcp_overlap_conflict", "uri_double_encoding",
                  "uri_u_encoding", "uri_overlong_utf8", "http_smuggling", "http_malformed",
                  "tcp_urgent")

# Suricata settings (from `--set key=value` or the test's suricata.yaml) that do not change
# what a test expects of an engine like vpatch: output, logging, statistics, performance,
# or behaviour vpatch has anyway.  Every other setting puts the test out of scope.
HARMLESS_SETTINGS = {
    "default-log-dir", "classification-file", "reference-config-file", "runmode",
    "max-pending-packets", "pid-file",
    # where Suricata looks for rule files: vpatchd is given the test's rule file by path.
    "default-rule-path", "rule-files", "mpm-algo", "spm-algo", "detect.profile",
    "detect.prefilter.default", "detect.sgh-mpm-context",
    # vpatch always reassembles inline (DESIGN.md: "Inline reassembly").
    "stream.inline",
}
# libhtp's limit of response content-coding layers, as vpatchd.conf http_decompress_layers.
DECOMPRESS_LAYER_LIMIT = \
    "app-layer.protocols.http.libhtp.default-config.response-body-decompress-layer-limit"
DECOMPRESS_LAYERS_MAX = 8
HARMLESS_SECTIONS = {"outputs", "logging", "stats", "unix-command", "profiling", "coredump",
                     "plugins", "host-mode", "engine-analysis"}
DEFAULT_ACTION_ORDER = ["pass", "drop", "reject", "alert"]

# Command-line options that change nothing for vpatch (verbosity, Suricata's own run mode).
HARMLESS_OPTIONS = {"-v", "-vv", "-vvv", "-vvvv", "--no-random", "--init-errors-fatal"}

# Keys of a check "filter" this runner understands.
FILTER_KEYS = {"count", "match", "requires", "filename", "comment", "version", "min-version",
               "lt-version", "feature"}


class OutOfScope(Exception):
    """The test (or one of its checks) is outside what vpatch can be measured on."""


# ---- versions and requirements ----

def parse_version(text):
    """'7.0.12' / 8 / '8.0' -> (major, minor, patch); absent parts are None."""
    m = re.search(r"(\d+)\.?(\d+)?\.?(\d+)?", str(text).strip())
    if not m:
        raise OutOfScope("unparsable version %r" % (text,))
    return tuple(int(g) if g is not None else None for g in m.groups())


def version_cmp(required):
    """Compares EMULATED_VERSION with <required>, absent parts counting as 0: -1, 0, 1."""
    req = tuple(p or 0 for p in parse_version(required))
    return (EMULATED_VERSION > req) - (EMULATED_VERSION < req)


def version_equal(required):
    """True if EMULATED_VERSION is <required> (absent parts match anything)."""
    return all(r is None or r == e for r, e in zip(parse_version(required), EMULATED_VERSION))


def check_requires(req, where):
    """Raises OutOfScope unless every requirement of <req> (a test's or a check's) holds."""
    if not req:
        return
    if not isinstance(req, dict):
        raise OutOfScope("%s: unreadable requires" % where)
    for key, val in req.items():
        if key == "min-version":
            ok = version_cmp(val) >= 0
        elif key == "lt-version":
            ok = version_cmp(val) < 0
        elif key == "gt-version":
            ok = version_cmp(val) > 0
        elif key == "version":
            ok = version_equal(val)
        elif key == "features":
            missing = [f for f in (val if isinstance(val, list) else [val]) if f not in FEATURES]
            if missing:
                raise OutOfScope("%s feature %s" % (where, missing[0]))
            ok = True
        elif key == "os":
            ok = platform.system().lower().startswith(str(val).lower())
        elif key == "arch":
            ok = platform.machine().lower().startswith(str(val).lower())
        elif key == "pcap":
            ok = bool(val)	# "pcap: false": the test runs without a capture
            if not ok:
                raise OutOfScope("%s no capture" % where)
        elif key in ("files", "script", "env", "lambda", "config"):
            raise OutOfScope("%s %s" % (where, key))	# about a Suricata build tree
        else:
            raise OutOfScope("%s unknown '%s'" % (where, key))
        if not ok:
            raise OutOfScope("%s %s %s" % (where, key, val))


def check_skip(skip):
    """The test's "skip:" list (or boolean), evaluated like suricata-verify does."""
    if skip is None:
        return
    if isinstance(skip, bool):
        if skip:
            raise OutOfScope("skip: always")
        return
    for item in skip if isinstance(skip, list) else [skip]:
        if not isinstance(item, dict):
            raise OutOfScope("skip: unreadable")
        if "uid" in item and os.getuid() == item["uid"]:
            raise OutOfScope("skip: uid %s" % item["uid"])
        if "feature" in item and item["feature"] in FEATURES:
            raise OutOfScope("skip: feature %s" % item["feature"])
        if "config" in item:
            raise OutOfScope("skip: config")


# ---- Suricata settings: command line and suricata.yaml ----

class Settings:
    """What a test's Suricata options mean for the vpatchd run."""

    def __init__(self):
        self.prevent = False
        self.checksum = "auto"		# "auto" (Suricata's default), True or False
        self.midstream = False		# Suricata's default stream.midstream
        self.decompress_layers = None	# libhtp response-body-decompress-layer-limit
        self.xff = None			# eve-log alert xff: (mode, deployment, header)
        self.vars = collections.OrderedDict(SURICATA_VARS)


def yaml_bool(val):
    if isinstance(val, bool):
        return val
    s = str(val).strip().lower()
    if s in ("yes", "true", "on", "1"):
        return True
    if s in ("no", "false", "off", "0"):
        return False
    return None


def apply_setting(st, key, val):
    """Applies Suricata setting <key> = <val> to <st>; OutOfScope if vpatch has no equivalent."""
    m = re.fullmatch(r"vars\.(address|port)-groups\.([A-Za-z0-9_]+)", key)
    if m:
        st.vars[m.group(2).upper()] = str(val)
        return
    if key == "vars" or key.startswith("vars."):
        return	# an empty group
    if key in ("stream.checksum-validation", "pcap-file.checksum-checks"):
        b = yaml_bool(val)
        if b is None and str(val).strip().lower() == "auto":
            b = "auto"
        if b is None:
            raise OutOfScope("setting %s=%s" % (key, val))
        st.checksum = b
        return
    if key == "stream.midstream":
        b = yaml_bool(val)
        if b is None:
            raise OutOfScope("setting %s=%s" % (key, val))
        st.midstream = b
        return
    if key == DECOMPRESS_LAYER_LIMIT:
        # libhtp's limit of content codings decoded; 0 means no limit: vpatchd's maximum.
        try:
            n = int(str(val).strip())
        except ValueError:
            raise OutOfScope("setting %s=%s" % (key, val))
        if n < 0:
            raise OutOfScope("setting %s=%s" % (key, val))
        st.decompress_layers = min(n or DECOMPRESS_LAYERS_MAX, DECOMPRESS_LAYERS_MAX)
        return
    if key == "action-order":
        if [str(a).strip() for a in (val or [])] != DEFAULT_ACTION_ORDER:
            raise OutOfScope("setting action-order")
        return
    if key in HARMLESS_SETTINGS or key.split(".", 1)[0] in HARMLESS_SECTIONS:
        return
    raise OutOfScope("setting %s" % key)


def flatten(obj, prefix=""):
    """Dotted keys of a YAML mapping, as `--set` names them; lists are leaves."""
    if isinstance(obj, dict) and obj:
        for k, v in obj.items():
            yield from flatten(v, "%s.%s" % (prefix, k) if prefix else str(k))
    else:
        yield prefix, obj


def load_yaml_file(path):
    with open(path, "rb") as f:
        return yaml.safe_load(f)


def apply_suricata_yaml(st, test_dir):
    """The test's own suricata.yaml (suricata-verify uses it instead of the default one)."""
    path = os.path.join(test_dir, "suricata.yaml")
    if not os.path.exists(path):
        return
    try:
        conf = load_yaml_file(path) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        raise OutOfScope("suricata.yaml unreadable")
    if not isinstance(conf, dict):
        raise OutOfScope("suricata.yaml unreadable")
    apply_outputs(st, conf.get("outputs"))
    includes = conf.pop("include", None) or []
    for inc in includes if isinstance(includes, list) else [includes]:
        apply_include(st, test_dir, str(inc))
    for key, val in flatten(conf):
        if key:
            apply_setting(st, key, val)


def apply_outputs(st, outputs):
    """The eve-log alert "xff" settings, which vpatchd.conf has (xff, xff_deployment,
    xff_header); every other output setting changes nothing for the checks."""
    for out in outputs if isinstance(outputs, list) else []:
        eve = out.get("eve-log") if isinstance(out, dict) else None
        types = eve.get("types") if isinstance(eve, dict) else None
        for t in types if isinstance(types, list) else []:
            alert = t.get("alert") if isinstance(t, dict) else None
            xff = alert.get("xff") if isinstance(alert, dict) else None
            if not isinstance(xff, dict) or not yaml_bool(xff.get("enabled", False)):
                continue
            mode = str(xff.get("mode", "extra-data")).strip()
            dep = str(xff.get("deployment", "reverse")).strip()
            hdr = str(xff.get("header", "X-Forwarded-For")).strip()
            if mode not in ("extra-data", "overwrite") or dep not in ("reverse", "forward"):
                raise OutOfScope("setting xff %s/%s" % (mode, dep))
            st.xff = (mode, dep, hdr)


def apply_include(st, test_dir, inc):
    """An included file is a complete Suricata configuration of some release: only its
    rule variables are taken.  A file the corpus does not carry (../../etc/suricata-4.0.3.yaml
    of the Suricata tree) is the default configuration of an older release: nothing to take."""
    path = os.path.join(test_dir, inc)
    if not os.path.exists(path):
        return
    try:
        conf = load_yaml_file(path) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        raise OutOfScope("suricata.yaml include unreadable")
    groups = conf.get("vars") if isinstance(conf, dict) else None
    for key, val in flatten({"vars": groups or {}}):
        if key.count(".") == 2:
            apply_setting(st, key, val)


def apply_args(st, args):
    """The test's "args:" (Suricata command-line options), split on white space as
    suricata-verify does."""
    if args is None:
        return
    if not isinstance(args, list):
        args = [args]
    toks = []
    for a in args:
        toks += [t for t in re.split(r"\s+", str(a)) if t]
    i = 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t == "-k":
            if nxt not in ("none", "all", "auto"):
                raise OutOfScope("arg -k %s" % nxt)
            st.checksum = {"none": False, "all": True, "auto": "auto"}[nxt]
            i += 2
        elif t == "--simulate-ips":
            st.prevent = True
            i += 1
        elif t == "--set":
            if nxt is None or "=" not in nxt:
                raise OutOfScope("arg --set without key=value")
            key, val = nxt.split("=", 1)
            apply_setting(st, key.strip(), val)
            i += 2
        elif t.startswith("--set="):
            key, _, val = t[len("--set="):].partition("=")
            apply_setting(st, key.strip(), val)
            i += 1
        elif t == "--runmode":
            i += 2
        elif t.startswith("--runmode=") or t in HARMLESS_OPTIONS:
            i += 1
        elif t.startswith("-"):
            raise OutOfScope("arg %s" % t.split("=", 1)[0])
        else:
            raise OutOfScope("arg: BPF filter")


# ---- checks ----

def field_path(key):
    """'dns.answers[0].rrname' -> 'dns.answers.rrname'; 'x.__len' -> 'x'."""
    parts = [re.sub(r"\[\d+\]$", "", p) for p in key.split(".")]
    return ".".join(p for p in parts if not p.startswith("__"))


def check_field(path):
    p = field_path(path)
    if p not in ALERT_FIELDS and not p.startswith(ALERT_FIELD_PREFIXES):
        raise OutOfScope("check on field '%s'" % p)


def plan_filter(flt):
    """Returns the filter if this runner can evaluate it over vpatch's alerts, None if its
    requirements say it does not apply; OutOfScope otherwise."""
    if not isinstance(flt, dict) or not isinstance(flt.get("match"), dict):
        raise OutOfScope("check unreadable")
    for k in flt:
        if k not in FILTER_KEYS:
            raise OutOfScope("check with '%s'" % k)
    if "filename" in flt:
        raise OutOfScope("check on file %s" % os.path.basename(str(flt["filename"])))
    if not isinstance(flt.get("count"), int) or isinstance(flt.get("count"), bool):
        raise OutOfScope("check without an integer count")
    req = dict(flt.get("requires") or {})
    for k in ("version", "min-version", "lt-version"):
        if k in flt:
            req[k] = flt[k]
    if "feature" in flt:
        req["features"] = [flt["feature"]]
    try:
        check_requires(req, "check requires")
    except OutOfScope:
        return None	# suricata-verify skips such a check; the others still count
    match = flt["match"]
    et = match.get("event_type")
    if et is not None and et not in EVENT_TYPES:
        raise OutOfScope("check on event_type '%s'" % et)
    paths = []
    for key, val in match.items():
        if key in ("has-key", "not-has-key"):
            paths += [str(v) for v in (val if isinstance(val, list) else [val])]
        else:
            paths.append(key)
    if et is None and not any(field_path(p).startswith("alert.") for p in paths):
        raise OutOfScope("check without event_type alert")
    for p in paths:
        check_field(p)
    return flt


def find_value(path, obj):
    """The value at dotted <path> ('alert.signature_id', 'vlan[0]', 'x.__len') in event <obj>,
    None if absent.  A trailing __find/__contains/__startswith/__endswith part returns the
    object it applies to."""
    for part in path.split("."):
        if part == "__len":
            try:
                return len(obj)
            except TypeError:
                return -1
        if part in ("__find", "__contains", "__startswith", "__endswith"):
            return obj
        m = re.fullmatch(r"(.*)\[(\d+)\]", part)
        name, index = (m.group(1), int(m.group(2))) if m else (part, None)
        if not isinstance(obj, dict) or name not in obj:
            return None
        obj = obj[name]
        if index is not None:
            try:
                obj = obj[index]
            except (IndexError, KeyError, TypeError):
                return None
    return obj


def key_matches(key, expected, event):
    if key in ("has-key", "not-has-key"):
        present = all(find_value(str(p), event) is not None
                      for p in (expected if isinstance(expected, list) else [expected]))
        absent = all(find_value(str(p), event) is None
                     for p in (expected if isinstance(expected, list) else [expected]))
        return present if key == "has-key" else absent
    val = find_value(key, event)
    op = key.rsplit(".", 1)[-1]
    if op in ("__find", "__contains", "__startswith", "__endswith"):
        if val is None:
            return False
        try:
            if op == "__find":
                return str(val).find(str(expected)) >= 0
            if op == "__contains":
                return expected in val
            if op == "__startswith":
                return str(val).startswith(str(expected))
            return str(val).endswith(str(expected))
        except TypeError:
            return False
    return val == expected


def event_matches(match, event):
    return all(key_matches(k, v, event) for k, v in match.items())


def describe_filter(flt):
    return json.dumps(flt["match"], sort_keys=False, default=str)


# ---- one test ----

class Test:
    def __init__(self, name, path):
        self.index = 0			# position in the run: names the work subdirectory
        self.name = name
        self.dir = path
        self.status = None		# "pass", "fail", "out"
        self.reasons = []		# out of scope: every reason found; fail: every failed check
        self.kind = None		# failure category
        self.pcap = None
        self.rules = None
        self.checks = []
        self.settings = None
        self.command = None
        self.rule_errors = []	# out of scope because of these vpatchd -T errors
        self.dropped_checks = []	# --partial: why the checks left out were left out

    def out(self, reason):
        self.status = "out"
        self.reasons.append(reason)

    def fail(self, kind, reason):
        self.status = "fail"
        self.kind = self.kind or kind
        self.reasons.append(reason)


def static_scope(t):
    """Everything decided without vpatchd: fills t.pcap, t.rules, t.checks, t.settings or
    records every out-of-scope reason."""
    try:
        conf = load_yaml_file(os.path.join(t.dir, "test.yaml"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        t.out("test.yaml unreadable")
        return
    if not isinstance(conf, dict):
        t.out("test.yaml unreadable")
        return
    steps = [
        lambda: check_requires(conf.get("requires"), "requires"),
        lambda: check_requires(conf.get("requirements"), "requires"),
        lambda: check_skip(conf.get("skip")),
        lambda: scope_harness(conf),
        lambda: scope_settings(t, conf),
        lambda: scope_capture(t, conf),
        lambda: scope_rules(t),
        lambda: scope_checks(t, conf),
    ]
    for step in steps:
        try:
            step()
        except OutOfScope as e:
            t.out(str(e))


def scope_harness(conf):
    if "command" in conf:
        raise OutOfScope("custom command")
    if conf.get("exit-code", 0) != 0:
        raise OutOfScope("expects Suricata exit code %s" % conf["exit-code"])
    if conf.get("env"):
        raise OutOfScope("environment %s" % ",".join(sorted(conf["env"])))
    for k in ("setup", "pre-check"):
        if k in conf:
            raise OutOfScope(k)


def scope_settings(t, conf):
    st = Settings()
    apply_suricata_yaml(st, t.dir)
    apply_args(st, conf.get("args"))
    if "ips" in os.path.basename(t.dir):
        st.prevent = True
    t.settings = st


def scope_capture(t, conf):
    if "pcap" in conf:
        if not conf["pcap"]:
            raise OutOfScope("requires no capture")
        path = os.path.normpath(os.path.join(t.dir, str(conf["pcap"])))
        if not os.path.isfile(path):
            raise OutOfScope("capture not in the corpus")
        t.pcap = path
        return
    pcaps = glob.glob(os.path.join(t.dir, "*.pcap")) + glob.glob(os.path.join(t.dir, "*.pcapng"))
    if not pcaps:
        raise OutOfScope("no capture")
    if len(pcaps) > 1:
        raise OutOfScope("several captures")
    t.pcap = pcaps[0]


def scope_rules(t):
    """suricata-verify loads the directory's only *.rules file; "minN.rules" only from
    release N on; firewall.rules (+ td.rules) switches Suricata to firewall mode."""
    rules = sorted(glob.glob(os.path.join(t.dir, "*.rules")))
    if not rules:
        return	# Suricata runs without detection: vpatchd gets an empty rule file
    names = [os.path.basename(r) for r in rules]
    if any(n.endswith("firewall.rules") for n in names):
        raise OutOfScope("firewall mode")
    if len(rules) > 1:
        raise OutOfScope("several rule files")
    m = re.fullmatch(r"min(.+)\.rules", names[0])
    if m and version_cmp(m.group(1)) < 0:
        return
    t.rules = rules[0]


def scope_checks(t, conf):
    checks = conf.get("checks")
    if not isinstance(checks, list) or not checks:
        raise OutOfScope("no checks")
    kept, dropped = [], []
    for c in checks:
        try:
            if not isinstance(c, dict) or len(c) != 1:
                raise OutOfScope("check unreadable")
            kind, body = next(iter(c.items()))
            if kind != "filter":
                raise OutOfScope("%s check" % kind)
            flt = plan_filter(body)
        except OutOfScope as e:
            if not OPTS.partial:
                raise
            dropped.append(str(e))	# --partial: measure the test on its other checks
            continue
        if flt is not None:
            kept.append(flt)
    if not kept:
        raise OutOfScope(dropped[0] if dropped else "no check applies to the emulated release")
    t.checks = kept
    t.dropped_checks = dropped


# ---- running vpatchd ----

def write_config(t, path):
    st = t.settings
    lines = ["# generated by tests/conformance/run.py for %s" % t.name,
             "mode = %s" % ("prevent" if st.prevent else "detect"),
             "eve_types = [%s]" % ", ".join(EVENT_TYPES)]
    if st.checksum != "auto":
        lines.append("checksum_checks = %s" % ("yes" if st.checksum else "no"))
    elif OPTS.checksum_auto != "default":
        lines.append("checksum_checks = %s" % OPTS.checksum_auto)
    lines.append("midstream = %s" % ("yes" if st.midstream else "no"))
    if st.decompress_layers is not None:
        lines.append("http_decompress_layers = %d" % st.decompress_layers)
    if st.xff:
        lines += ["xff = %s" % st.xff[0], "xff_deployment = %s" % st.xff[1],
                  "xff_header = %s" % st.xff[2]]
    if not OPTS.keep_violations:
        lines += ["violation.%s = off" % v for v in VIOLATIONS_OFF]
    for name, val in st.vars.items():
        if not name.endswith(VAR_SUFFIXES) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
            continue	# not expressible in vpatchd.conf: a rule using it fails to load
        if not re.fullmatch(r"[A-Za-z0-9_.:/!$,\[\] -]+", val):
            continue
        lines.append('%s = "%s"' % (name.lower(), val))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def signame(rc):
    try:
        return signal.Signals(-rc).name
    except ValueError:
        return "signal %d" % -rc


def run(cmd, cwd, timeout):
    """Runs <cmd>; returns (returncode or None on timeout, stderr text)."""
    env = dict(os.environ, TZ="UTC")
    try:
        p = subprocess.run(OPTS.wrapper + cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return None, (e.stderr or b"").decode("utf-8", "replace")
    return p.returncode, p.stderr.decode("utf-8", "replace")


def sanitizer_report(t, err, what):
    """A sanitizer's report on stderr is a failure whatever the exit status (UBSan may go on)."""
    for line in err.splitlines():
        if re.search(r"ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:", line):
            t.fail("sanitizer", "sanitizer report from %s: %s" % (what, line.strip()[:200]))
            return True
    return False


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def normalise_rule_error(msg):
    """'unsupported keyword 'http.method'' stays; text quoted from the rule that is not a
    short name is dropped so that equal causes add up."""
    m = re.match(r"(.*?)'([^']*)'", msg)
    if m and re.fullmatch(r"[A-Za-z0-9_.$\-]{1,40}", m.group(2)):
        return "%s'%s'" % (m.group(1), m.group(2))
    if m:
        return m.group(1).rstrip(" :")
    return re.sub(r"\d+", "N", msg)[:80]


def load_rules(t, conf):
    """vpatchd -T: every rule error puts the test out of scope (suricata-verify runs Suricata
    with --init-errors-fatal).  A crash or a hang while loading is a failure."""
    cmd = [OPTS.vpatchd, "-T", "-S", t.rules, "-c", conf]
    rc, err = run(cmd, t.dir, OPTS.timeout)
    if rc is None:
        t.fail("timeout", "timeout: vpatchd -T took more than %ds" % OPTS.timeout)
        return False
    if rc < 0:
        t.fail("crash", "crash: vpatchd -T killed by %s" % signame(rc))
        return False
    if sanitizer_report(t, err, "vpatchd -T"):
        return False
    if rc == 0:
        return True
    rule_errs, other = [], []
    for line in err.splitlines():
        m = re.match(r"(.*?):(\d+): (.*)$", line)
        if m and os.path.abspath(m.group(1)) == os.path.abspath(t.rules):
            rule_errs.append(normalise_rule_error(m.group(3)))
        elif m and os.path.abspath(m.group(1)) == os.path.abspath(conf):
            other.append("vpatchd.conf: " + normalise_rule_error(m.group(3)))
        elif line.strip():
            other.append(line.strip())
    for r in dict.fromkeys(rule_errs):
        t.out(r)
        t.rule_errors.append(r)
    if rc == 1 and not rule_errs:
        t.out("vpatchd -T: %s" % (normalise_rule_error(other[0]) if other else "exit status 1"))
    elif rc != 1:
        t.fail("exit", "vpatchd -T exit status %d: %s" % (rc, first_line(err)))
    return False


def read_events(t, eve):
    if not os.path.exists(eve):
        t.fail("no eve", "vpatchd wrote no event file")
        return None
    events = []
    with open(eve, "r", encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                ev = json.loads(line)
            except ValueError as e:
                t.fail("bad eve", "eve line %d is not JSON: %s" % (n, e))
                return None
            if not isinstance(ev, dict):
                t.fail("bad eve", "eve line %d is not an object" % n)
                return None
            events.append(ev)
    return events


def evaluate(t, events):
    for flt in t.checks:
        got = sum(1 for ev in events if event_matches(flt["match"], ev))
        want = flt["count"]
        if got == want:
            continue
        kind = ("unexpected alert" if want == 0 else "missed alert" if got == 0 else
                "too few alerts" if got < want else "too many alerts")
        t.fail(kind, "expected %d got %d for filter %s" % (want, got, describe_filter(flt)))
    if t.status is None:
        t.status = "pass"


def run_test(t):
    static_scope(t)
    if t.status == "out":
        return t
    tmp = os.path.join(WORKDIR, "%04d-%s" % (t.index, re.sub(r"[^A-Za-z0-9_.-]", "_", t.name)))
    os.makedirs(tmp, exist_ok=True)
    conf = os.path.join(tmp, "vpatchd.conf")
    write_config(t, conf)
    if t.rules is None:
        t.rules = os.path.join(tmp, "empty.rules")
        open(t.rules, "w").close()
    elif not load_rules(t, conf):
        return t
    eve = os.path.join(tmp, "eve.json")
    mode = "prevent" if t.settings.prevent else "detect"
    cmd = [OPTS.vpatchd, "-r", t.pcap, "-S", t.rules, "-c", conf, "-l", eve, "--mode=" + mode]
    t.command = " ".join(shlex.quote(c) for c in OPTS.wrapper + cmd)
    rc, err = run(cmd, t.dir, OPTS.timeout)
    with open(os.path.join(tmp, "stderr"), "w") as f:
        f.write(err)
    if rc is None:
        t.fail("timeout", "timeout: vpatchd -r took more than %ds" % OPTS.timeout)
    elif sanitizer_report(t, err, "vpatchd -r"):
        pass
    elif rc < 0:
        t.fail("crash", "crash: vpatchd killed by %s" % signame(rc))
    elif rc != 0:
        t.fail("exit", "vpatchd exit status %d: %s" % (rc, first_line(err)))
    else:
        events = read_events(t, eve)
        if events is not None:
            evaluate(t, events)
    return t


# ---- driver ----

def find_tests(corpus, patterns):
    root = os.path.join(corpus, "tests")
    tests = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if dirpath == root:
            continue
        if "test.yaml" not in filenames:
            continue
        dirnames[:] = []	# a test's subdirectories are its own data
        name = os.path.relpath(dirpath, root)
        if patterns and not any(p in name for p in patterns):
            continue
        tests.append(Test(name, dirpath))
    tests.sort(key=lambda x: x.name)
    for i, t in enumerate(tests):
        t.index = i
    return tests


def table(title, counter, limit, out):
    if not counter:
        return
    print(title, file=out)
    for reason, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]:
        print("  %5d  %s" % (n, reason), file=out)
    if len(counter) > limit:
        rest = sorted(counter.values(), reverse=True)[limit:]
        print("  %5d  (%d other reasons)" % (sum(rest), len(rest)), file=out)


def summarise(tests, out):
    total = len(tests)
    outs = [t for t in tests if t.status == "out"]
    passed = [t for t in tests if t.status == "pass"]
    failed = [t for t in tests if t.status == "fail"]
    in_scope = len(passed) + len(failed)
    primary = collections.Counter(t.reasons[0] for t in outs)
    alone = collections.Counter()
    among = collections.Counter()
    for t in outs:
        errs = t.rule_errors
        if not errs or len(errs) != len(t.reasons):
            continue
        for r in errs:
            among[r] += 1
        if len(errs) == 1:
            alone[errs[0]] += 1
    kinds = collections.Counter(t.kind for t in failed)
    print("", file=out)
    print("suricata-verify conformance of %s" % OPTS.vpatchd, file=out)
    print("  corpus:        %s" % OPTS.corpus, file=out)
    if OPTS.partial:
        print("  --partial:     checks this runner cannot evaluate are left out", file=out)
    print("  tests:         %d" % total, file=out)
    print("  out of scope:  %d" % len(outs), file=out)
    print("  in scope:      %d" % in_scope, file=out)
    rate = 100.0 * len(passed) / in_scope if in_scope else 0.0
    print("  passed:        %d (%.1f%% of in scope)" % (len(passed), rate), file=out)
    print("  failed:        %d" % len(failed), file=out)
    print("", file=out)
    table("out of scope, by first reason:", primary, OPTS.top, out)
    if among:
        print("", file=out)
        print("rule errors keeping tests out of scope (tests it alone blocks / all it blocks):",
              file=out)
        for r, n in sorted(among.items(), key=lambda kv: (-alone[kv[0]], -kv[1], kv[0]))[:OPTS.top]:
            print("  %5d / %5d  %s" % (alone[r], n, r), file=out)
    if kinds:
        print("", file=out)
        table("failures, by kind of the first failed check:", kinds, OPTS.top, out)
    return passed, failed, outs, primary, alone, among, kinds, rate


def json_report(path, tests, summary):
    passed, failed, outs, primary, alone, among, kinds, rate = summary
    rep = {
        "vpatchd": OPTS.vpatchd,
        "corpus": OPTS.corpus,
        "emulated_suricata_version": ".".join(map(str, EMULATED_VERSION)),
        "partial": OPTS.partial,
        "summary": {"tests": len(tests), "out_of_scope": len(outs),
                    "in_scope": len(passed) + len(failed), "passed": len(passed),
                    "failed": len(failed), "pass_rate": round(rate / 100.0, 4)},
        "out_of_scope_reasons": dict(primary.most_common()),
        "rule_errors": {r: {"alone": alone[r], "total": n} for r, n in among.most_common()},
        "failure_kinds": dict(kinds.most_common()),
        "tests": [{"name": t.name, "status": {"out": "out_of_scope"}.get(t.status, t.status),
                   "mode": (("prevent" if t.settings.prevent else "detect")
                            if t.settings and t.status != "out" else None),
                   "reasons": t.reasons, "failure_kind": t.kind, "command": t.command,
                   "checks_left_out": t.dropped_checks}
                  for t in tests],
    }
    with open(path, "w") as f:
        json.dump(rep, f, indent=1)
        f.write("\n")


SELF_TEST_EVENT = {"event_type": "alert", "alert": {"signature_id": 5, "metadata": {"cve": ["X"]}},
                   "vlan": [10, 20], "src_ip": "1.2.3.4", "pcap_filename": "/a/ip_secopt.pcap"}
SELF_TEST_MATCHES = [
    ({"event_type": "alert", "alert.signature_id": 5}, True),
    ({"alert.signature_id": 6}, False),
    ({"alert.signature_id": "5"}, False),
    ({"vlan[1]": 20}, True),
    ({"vlan[2]": 20}, False),
    ({"vlan.__len": 2}, True),
    ({"alert.metadata.cve[0]": "X"}, True),
    ({"has-key": "alert.metadata"}, True),
    ({"has-key": ["alert", "nope"]}, False),
    ({"not-has-key": "pcap_cnt"}, True),
    ({"not-has-key": ["pcap_cnt", "alert"]}, False),
    ({"dest_ip": None}, True),
    ({"src_ip": None}, False),
    ({"pcap_filename.__endswith": "ip_secopt.pcap"}, True),
    ({"pcap_filename.__startswith": "/b"}, False),
    ({"src_ip.__find": "2.3"}, True),
    ({"nope.__find": "x"}, False),
    ({"vlan.__contains": 10}, True),
]
SELF_TEST_SCOPE = [
    ({"count": 1, "match": {"event_type": "alert", "alert.signature_id": 1}}, "ok"),
    ({"count": 0, "match": {"event_type": "alert", "pcap_cnt": 3}}, "ok"),
    ({"count": 0, "match": {"event_type": "alert", "flow.age": 3}}, "check on field 'flow.age'"),
    ({"count": 1, "match": {"event_type": "fileinfo", "fileinfo.size": 3}}, "ok"),
    ({"count": 1, "match": {"event_type": "fileinfo", "fileinfo.md5": "x"}},
     "check on field 'fileinfo.md5'"),
    ({"count": 1, "match": {"event_type": "flow"}}, "check on event_type 'flow'"),
    ({"count": 1, "match": {"dest_port": 80}}, "check without event_type alert"),
    ({"count": 1, "match": {"event_type": "alert"}, "requires": {"lt-version": 8}}, "skip"),
    ({"count": 1, "match": {"event_type": "alert"}, "min-version": "8.0.5"}, "ok"),
    ({"count": 1, "match": {"event_type": "alert"}, "max": 3}, "check with 'max'"),
]


def self_test():
    """Checks the matcher and the filter scope rules on fixed cases; 0 or 1."""
    bad = 0
    for match, want in SELF_TEST_MATCHES:
        if event_matches(match, SELF_TEST_EVENT) != want:
            print("self-test: match %s should be %s" % (match, want))
            bad += 1
    for flt, want in SELF_TEST_SCOPE:
        try:
            got = "ok" if plan_filter(flt) is not None else "skip"
        except OutOfScope as e:
            got = str(e)
        if got != want:
            print("self-test: filter %s gave %r, not %r" % (flt, got, want))
            bad += 1
    print("self-test: %d cases, %d failed" % (len(SELF_TEST_MATCHES) + len(SELF_TEST_SCOPE), bad))
    return 1 if bad else 0


def parse_rate(text):
    s = text.strip()
    pct = s.endswith("%")
    v = float(s.rstrip("%"))
    if pct or v > 1.0:
        v /= 100.0
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError("a rate between 0 and 1 (or 0%% to 100%%): %s" % text)
    return v


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    default_corpus = os.path.join(os.path.dirname(repo), "shared", "corpora", "suricata-verify")
    ap = argparse.ArgumentParser(
        description="Run vpatchd over Suricata's suricata-verify tests and report how many of "
                    "the tests in vpatch's scope pass.")
    ap.add_argument("patterns", nargs="*", metavar="NAME",
                    help="run only the tests whose name contains one of these")
    ap.add_argument("--vpatchd", default="./vpatchd", help="the daemon (default ./vpatchd)")
    ap.add_argument("--corpus", default=default_corpus,
                    help="suricata-verify directory (default <repo>/../shared/corpora/"
                         "suricata-verify)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="tests run at once (default 2)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="also print passes and out-of-scope tests")
    ap.add_argument("--json-report", metavar="FILE", help="write a machine-readable report")
    ap.add_argument("--min-pass-rate", type=parse_rate, metavar="R",
                    help="exit 1 if fewer than R of the in-scope tests pass (0.8 or 80%%)")
    ap.add_argument("--timeout", type=int, default=60,
                    help="seconds one vpatchd run may take (default 60)")
    ap.add_argument("--wrapper", default=os.environ.get("VPATCHD_WRAPPER", ""),
                    help="command put before vpatchd, e.g. 'valgrind -q --error-exitcode=9'")
    ap.add_argument("--checksum-auto", choices=("default", "yes", "no"), default="no",
                    help="checksum_checks when the test leaves Suricata's checksum-checks at "
                         "'auto' (default no; 'default' leaves vpatchd's own default)")
    ap.add_argument("--partial", action="store_true",
                    help="leave out the checks this runner cannot evaluate instead of the whole "
                         "test (a test needs one evaluable check); a different measure")
    ap.add_argument("--keep-violations", action="store_true",
                    help="leave vpatch's built-in protocol-violation checks on")
    ap.add_argument("--top", type=int, default=25, help="rows of the reason tables")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--self-test", action="store_true",
                    help="check the event matcher and the filter scope rules, then exit")
    opts = ap.parse_args(argv)
    if opts.jobs < 1:
        ap.error("-j needs at least 1")
    opts.wrapper = shlex.split(opts.wrapper)
    return opts


def resolve_vpatchd(path):
    if "/" not in path:
        found = shutil.which(path)
        path = found or path
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        return None
    return os.path.abspath(path)


def print_result(t):
    if t.status == "fail":
        print("FAIL %s: %s" % (t.name, "; ".join(t.reasons)), flush=True)
    elif OPTS.verbose and t.status == "pass":
        print("PASS %s" % t.name, flush=True)
    elif OPTS.verbose:
        print("OUT  %s: %s" % (t.name, "; ".join(t.reasons)), flush=True)


def main(argv):
    global OPTS, WORKDIR
    OPTS = parse_args(argv)
    if OPTS.self_test:
        return self_test()
    if not os.path.isdir(os.path.join(OPTS.corpus, "tests")):
        print("SKIP: suricata-verify corpus not found at %s (use --corpus)" % OPTS.corpus)
        return SKIP
    OPTS.corpus = os.path.abspath(OPTS.corpus)
    vpatchd = resolve_vpatchd(OPTS.vpatchd)
    if vpatchd is None:
        print("SKIP: vpatchd not found or not executable: %s (use --vpatchd)" % OPTS.vpatchd)
        return SKIP
    OPTS.vpatchd = vpatchd
    tests = find_tests(OPTS.corpus, OPTS.patterns)
    if not tests:
        print("ERROR: no test matches %s" % " ".join(OPTS.patterns))
        return 1
    WORKDIR = tempfile.mkdtemp(prefix="vpatch-conformance.")
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=OPTS.jobs)
    try:
        try:
            for t in pool.map(run_test, tests):
                print_result(t)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)	# on an error: no new test starts
        summary = summarise(tests, sys.stdout)
        if OPTS.json_report:
            json_report(OPTS.json_report, tests, summary)
    finally:
        if OPTS.keep:
            print("kept %s" % WORKDIR)
        else:
            shutil.rmtree(WORKDIR, ignore_errors=True)
    passed, failed = summary[0], summary[1]
    print("%d passed, %d failed" % (len(passed), len(failed)))
    if OPTS.min_pass_rate is not None and summary[-1] / 100.0 < OPTS.min_pass_rate:
        print("pass rate %.1f%% is below %.1f%%" % (summary[-1], 100.0 * OPTS.min_pass_rate),
              file=sys.stderr)
        return 1
    return 0


OPTS = None
WORKDIR = None

if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:	# the reader of our output went away (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception:	# an error of this runner, not of vpatchd
        traceback.print_exc()
        print("ERROR: internal error of the conformance runner", file=sys.stderr)
        sys.exit(1)
