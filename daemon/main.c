/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vpatchd: command line (DESIGN.md "Programs"), configuration and rule
 * loading, then one of: --test-config, --read-pcap, or the inline daemon.
 * Exit status: 0 ok, 1 configuration or rule error, 2 usage error, 3 runtime failure.
 */
#include "vp_build.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/engine.h"
#include "daemon/eve.h"
#include "daemon/nft.h"
#include "daemon/offline.h"
#include "daemon/worker.h"
#include "signatures/sig.h"

#define EXIT_OK 0
#define EXIT_CONFIG 1
#define EXIT_USAGE 2
#define EXIT_RUNTIME 3

#define MAX_QUEUES 64
#define EVE_RING_LIVE 2048
#define EVE_RING_OFFLINE 1024

struct cli {
	const char *config;
	bool config_given;
	int mode;			/* -1: from the configuration */
	const char **rules;
	size_t n_rules;
	const char *pcap;
	const char *eve;
	long queue, qcount, threads;	/* -1: from the configuration */
	bool test;
	bool no_nft;
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "mode", required_argument, NULL, 'm' },
	{ "rules", required_argument, NULL, 'S' },
	{ "read-pcap", required_argument, NULL, 'r' },
	{ "eve", required_argument, NULL, 'l' },
	{ "queue", required_argument, NULL, 'q' },
	{ "threads", required_argument, NULL, 't' },
	{ "test-config", no_argument, NULL, 'T' },
	{ "no-nft", no_argument, NULL, 'N' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vpatchd [OPTIONS]\n"
		"Host intrusion prevention: inspects traffic diverted to NFQUEUE and blocks\n"
		"attacks on known vulnerabilities (virtual patches).\n\n"
		"  -c, --config=FILE       configuration (default %s)\n"
		"  -m, --mode=MODE         detect | prevent (overrides the configuration)\n"
		"  -S, --rules=PATH        rule file or directory; repeatable; replaces the configured list\n"
		"  -r, --read-pcap=FILE    inspect a capture file offline, write events, exit\n"
		"  -l, --eve=FILE          event log, JSON lines (\"-\" = standard output)\n"
		"  -q, --queue=N[:COUNT]   first NFQUEUE number and number of queues\n"
		"  -t, --threads=N         worker threads (one queue each)\n"
		"  -T, --test-config       load configuration and rules, report every error, exit\n"
		"      --no-nft            do not install nftables rules (the admin diverts traffic)\n"
		"  -V, --version           print the version and exit\n"
		"  -h, --help              print this help and exit\n\n"
		"Exit status: 0 ok, 1 configuration or rule error, 2 usage error, 3 runtime failure.\n",
		VP_DEFAULT_CONFIG);
}

static int usage_error(const char *fmt, const char *arg) __attribute__((format(printf, 1, 0)));

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vpatchd: ");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	fprintf(stderr, fmt, arg);
#pragma GCC diagnostic pop
	fprintf(stderr, "\nTry 'vpatchd --help' for more information.\n");
	return -EINVAL;
}

/* A whole decimal number in [min, max]; false otherwise. */
static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int parse_queue(struct cli *c, const char *arg)
{
	char buf[32];
	char *colon;

	if (strlen(arg) >= sizeof(buf))
		return usage_error("bad queue '%s' (expected N or N:COUNT)", arg);
	snprintf(buf, sizeof(buf), "%s", arg);
	colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		if (!parse_long(colon + 1, 1, MAX_QUEUES, &c->qcount))
			return usage_error("bad queue count in '%s' (expected 1 to 64)", arg);
	}
	if (!parse_long(buf, 0, 65535, &c->queue))
		return usage_error("bad queue '%s' (expected N or N:COUNT, N from 0 to 65535)", arg);
	if (c->queue + (c->qcount > 0 ? c->qcount : 1) - 1 > 65535)
		return usage_error("queues in '%s' go past 65535", arg);
	return 0;
}

static int add_rules_arg(struct cli *c, const char *arg)
{
	const char **n = realloc(c->rules, (c->n_rules + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	c->rules = n;
	c->rules[c->n_rules++] = arg;
	return 0;
}

static int parse_opt(struct cli *c, int opt, const char *arg)
{
	switch (opt) {
	case 'c':
		c->config = arg;
		c->config_given = true;
		return 0;
	case 'm':
		c->mode = vp_mode_parse(arg);
		return c->mode < 0 ? usage_error("bad mode '%s' (expected detect or prevent)", arg) : 0;
	case 'S':
		return add_rules_arg(c, arg);
	case 'r':
		c->pcap = arg;
		return 0;
	case 'l':
		c->eve = arg;
		return 0;
	case 'q':
		return parse_queue(c, arg);
	case 't':
		if (!parse_long(arg, 1, MAX_QUEUES, &c->threads))
			return usage_error("bad thread count '%s' (expected 1 to 64)", arg);
		return 0;
	case 'T':
		c->test = true;
		return 0;
	case 'N':
		c->no_nft = true;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Returns 0 to go on, 1 when --help/--version was handled, -EINVAL on a usage error. */
static int parse_args(struct cli *c, int argc, char **argv)
{
	int opt;

	c->config = VP_DEFAULT_CONFIG;
	c->mode = -1;
	c->queue = c->qcount = c->threads = -1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:m:S:r:l:q:t:TVh", long_opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 1;
		}
		if (opt == 'V') {
			printf("vpatchd (%s) %s\n", PACKAGE, PACKAGE_VERSION);
			return 1;
		}
		if (opt == '?')
			return usage_error("unknown option '%s'", argv[optind - 1]);
		if (opt == ':')
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		if (parse_opt(c, opt, optarg) < 0)
			return -EINVAL;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (c->threads > 0 && c->qcount > 0 && c->threads != c->qcount)
		return usage_error("%s", "--threads and the COUNT of --queue disagree (one worker per queue)");
	return 0;
}

static void print_error(void *ctx, const char *file, unsigned line, const char *msg)
{
	unsigned *count = ctx;

	if (line)
		fprintf(stderr, "%s:%u: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s: %s\n", file, msg);
	if (count)
		(*count)++;
}

static int load_config(struct vp_config *cfg, const struct cli *c)
{
	unsigned problems = 0;
	size_t i;
	int r;

	if (vp_config_init(cfg) < 0)
		return -ENOMEM;
	r = vp_config_load(cfg, c->config, !c->config_given, print_error, &problems);
	if (r != 0 || problems)
		return -EINVAL;
	if (c->mode >= 0)
		cfg->mode = (enum vp_mode)c->mode;
	for (i = 0; i < c->n_rules; i++)
		if (vp_config_add_rules(cfg, c->rules[i], i > 0) < 0)
			return -ENOMEM;
	if (c->eve && (free(cfg->eve), cfg->eve = strdup(c->eve)) == NULL)
		return -ENOMEM;
	if (c->queue >= 0)
		cfg->queue = (uint16_t)c->queue;
	if (c->qcount > 0)
		cfg->threads = (unsigned)c->qcount;
	else if (c->threads > 0)
		cfg->threads = (unsigned)c->threads;
	return 0;
}

/* CPU time of the whole process so far (every thread), in seconds. */
static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Loads every configured rule path; *failed counts rules (and paths) that did not load. */
static struct vp_sig_set *load_rules(const struct vp_config *cfg, unsigned *failed)
{
	struct vp_sig_set *set = vp_sig_set_new(cfg->vars);
	size_t i;
	int r;

	*failed = 0;
	if (!set)
		return NULL;
	/* In range: the configuration parser checked them. */
	vp_sig_set_port_groups(set, cfg->detect_port_groups);
	vp_sig_set_pcre_limits(set, cfg->pcre_match_limit, cfg->pcre_depth_limit,
			       cfg->pcre_heap_limit_kb);
	vp_sig_set_threshold_entries(set, cfg->threshold_entries);
	/* The configured classification file, when there is one; else the built-in table. */
	if (cfg->classification && access(cfg->classification, F_OK) == 0) {
		r = vp_sig_set_load_classification(set, cfg->classification, print_error, NULL);
		*failed += r < 0 ? 1 : (unsigned)r;
	}
	for (i = 0; i < cfg->n_rules; i++) {
		r = vp_sig_set_load_path(set, cfg->rules[i], print_error, NULL);
		*failed += r < 0 ? 1 : (unsigned)r;
	}
	if (vp_sig_set_compile(set, print_error, NULL) < 0) {
		vp_sig_set_free(set);
		return NULL;
	}
	/* Compiling freed much more than the set keeps (and in several threads'
	 * arenas): give it back rather than keep it for the daemon's life. */
	malloc_trim(0);
	return set;
}

static int run_offline(const struct vp_config *cfg, const struct vp_sig_set *set,
		       const char *pcap)
{
	struct vp_engine_worker *w = NULL;
	struct vp_offline_stats st;
	double cpu0;
	struct vp_engine_stats es;
	struct vp_engine_opts o;
	struct vp_eve *eve;
	char err[512];
	int ret = EXIT_RUNTIME;

	eve = vp_eve_open(cfg->eve, 1, EVE_RING_OFFLINE, err, sizeof(err));
	if (!eve) {
		fprintf(stderr, "vpatchd: cannot open event log %s\n", err);
		return EXIT_RUNTIME;
	}
	vp_engine_opts_from_config(&o, cfg);
	w = vp_engine_worker_new(&o, set, vp_eve_ring(eve, 0));
	if (!w) {
		fprintf(stderr, "vpatchd: out of memory\n");
		goto out;
	}
	cpu0 = cpu_seconds();
	if (vp_offline_run(pcap, w, eve, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "vpatchd: cannot read capture %s\n", err);
		goto out;
	}
	vp_engine_stats(w, &es);
	vp_engine_worker_free(w);
	w = NULL;
	vp_eve_close(eve);	/* every event written: its thread's CPU counts too */
	eve = NULL;
	fprintf(stderr, "vpatchd: %s: %llu frames, %llu packets, %llu alerts, %llu dropped, "
		"%.3f s CPU\n", pcap, (unsigned long long)st.frames,
		(unsigned long long)es.packets, (unsigned long long)es.alerts,
		(unsigned long long)es.dropped, cpu_seconds() - cpu0);
	ret = EXIT_OK;
out:
	vp_engine_worker_free(w);
	vp_eve_close(eve);
	return ret;
}

static void print_stats(const struct vp_engine_stats *s)
{
	fprintf(stderr,
		"vpatchd: packets %llu accepted %llu dropped %llu alerts %llu (lost %llu) "
		"blocked flows %llu resets %llu no-ip %llu bad-checksum %llu\n",
		(unsigned long long)s->packets, (unsigned long long)s->accepted,
		(unsigned long long)s->dropped, (unsigned long long)s->alerts,
		(unsigned long long)s->alerts_lost, (unsigned long long)s->blocked_flows,
		(unsigned long long)s->resets, (unsigned long long)s->no_ip,
		(unsigned long long)s->bad_checksum);
	fprintf(stderr,
		"vpatchd: inspection: http requests %llu responses %llu giveups %llu memcap %llu, "
		"stream conflicts %llu memcap %llu, flow state exhausted %llu, "
		"prefilter memory exhausted %llu, events lost %llu\n",
		(unsigned long long)s->http_requests, (unsigned long long)s->http_responses,
		(unsigned long long)s->http_giveups, (unsigned long long)s->http_memcap,
		(unsigned long long)s->stream_conflicts, (unsigned long long)s->stream_memcap,
		(unsigned long long)s->state_exhausted,
		(unsigned long long)s->prefilter_mem_exhausted,
		(unsigned long long)s->events_lost);
}

static int install_nft(const struct vp_config *cfg, unsigned nqueues)
{
	struct vp_nft_opts no = {
		.queue = cfg->queue,
		.nqueues = (uint16_t)nqueues,
		.bypass = cfg->fail_open,
		.loopback = cfg->nft_loopback,
		.ifaces = cfg->nft_interfaces,
		.n_ifaces = cfg->n_nft_interfaces,
		.ports = cfg->nft_ports,
		.n_ports = cfg->n_nft_ports,
		.mark = cfg->nft_mark,
	};
	enum vp_nft_backend backend;
	char err[512] = "";
	int r;

	r = vp_nft_probe(&backend);
	if (r < 0) {
		fprintf(stderr, "vpatchd: nftables: neither the queue expression nor the xtables "
			"NFQUEUE target is available: %s\n", strerror(-r));
		return r;
	}
	r = vp_nft_install(&no, backend, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "vpatchd: nftables: cannot install table vpatch: %s\n", err);
		return r;
	}
	fprintf(stderr, "vpatchd: nftables table 'vpatch' installed (%s), queues %u-%u, %s\n",
		backend == VP_NFT_NATIVE_QUEUE ? "queue expression" :
		"xtables NFQUEUE target through nft_compat",
		cfg->queue, cfg->queue + nqueues - 1,
		cfg->fail_open ? "fail-open" : "fail-closed");
	return 0;
}

/*
 * SIGHUP: loads the configured rule files again into a new set, off the
 * packet path.  A set with any error is reported and dropped: it never
 * replaces the running one.  Otherwise workers move to it between two
 * batches and the previous set is freed once no event points into it.
 */
static void reload(const struct vp_config *cfg, struct vp_workers *ws, struct vp_eve *eve,
		   struct vp_sig_set **set)
{
	struct vp_sig_set *n;
	unsigned failed;
	int r;

	fprintf(stderr, "vpatchd: reloading rules\n");
	n = load_rules(cfg, &failed);
	if (!n || failed) {
		fprintf(stderr, "vpatchd: reload: %u rules failed: keeping the running %zu rules\n",
			failed, vp_sig_set_count(*set));
		vp_sig_set_free(n);
		return;
	}
	r = vp_workers_swap_rules(ws, n);
	if (r < 0) {
		fprintf(stderr, "vpatchd: reload: %s: keeping the running rules\n", strerror(-r));
		if (r != -ETIMEDOUT)
			vp_sig_set_free(n);
		return;	/* on a timeout a worker may still hold either set: keep both */
	}
	vp_eve_flush(eve);
	vp_sig_set_free(*set);
	*set = n;
	fprintf(stderr, "vpatchd: reload: %zu rules active\n", vp_sig_set_count(n));
}

#define TOP_RULES 10

/* SIGUSR1: the counters, and the rules that cost the most time, so an admin finds a slow rule. */
static void report(struct vp_workers *ws, const struct vp_sig_set *set)
{
	struct vp_sig_rule_stats top[TOP_RULES], rs;
	size_t idx[TOP_RULES], i, n = vp_sig_set_count(set), k, used = 0;
	struct vp_engine_stats s;

	vp_workers_stats(ws, &s);
	print_stats(&s);
	for (i = 0; i < n; i++) {
		vp_workers_rule_stats(ws, i, &rs);
		if (!rs.checks)
			continue;
		for (k = used; k > 0 && top[k - 1].ns < rs.ns; k--) {
			if (k < TOP_RULES) {
				top[k] = top[k - 1];
				idx[k] = idx[k - 1];
			}
		}
		if (k < TOP_RULES) {
			top[k] = rs;
			idx[k] = i;
			used += used < TOP_RULES;
		}
	}
	for (k = 0; k < used; k++) {
		const struct vp_sig *sig = vp_sig_set_get(set, idx[k]);

		fprintf(stderr, "vpatchd: rule %u:%u (%s:%u): %llu checks, %llu matches, %.3f ms\n",
			sig->gid, sig->sid, sig->file, sig->line,
			(unsigned long long)top[k].checks, (unsigned long long)top[k].matches,
			(double)top[k].ns / 1e6);
	}
}

/* Waits for signals on the control thread; returns when told to stop. */
static void control_loop(const struct vp_config *cfg, struct vp_workers *ws, struct vp_eve *eve,
			 struct vp_sig_set **set)
{
	sigset_t sigs;
	int sig;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGINT || sig == SIGTERM)
			return;
		if (sig == SIGHUP) {
			reload(cfg, ws, eve, set);
		} else if (sig == SIGUSR1) {
			report(ws, *set);
		}
	}
}

static int run_live(const struct vp_config *cfg, struct vp_sig_set **set, bool no_nft)
{
	static struct vp_flow_shared flows_shared;
	struct vp_workers *ws = NULL;
	struct vp_engine_stats s;
	struct vp_engine_opts o;
	struct vp_eve *eve;
	bool nft = false;
	char err[512] = "";
	int ret = EXIT_RUNTIME;

	eve = vp_eve_open(cfg->eve, cfg->threads, EVE_RING_LIVE, err, sizeof(err));
	if (!eve || vp_eve_start(eve) < 0) {
		fprintf(stderr, "vpatchd: cannot open event log %s\n", err);
		goto out;
	}
	vp_engine_opts_from_config(&o, cfg);
	/* The caps hold for the host: every worker's table counts against them. */
	o.flows_shared = &flows_shared;
	/* Queues are bound before traffic is diverted to them. */
	ws = vp_workers_start(&o, *set, eve, cfg->queue, cfg->threads, cfg->queue_maxlen,
			      cfg->fail_open, cfg->nft_mark, err, sizeof(err));
	if (!ws) {
		fprintf(stderr, "vpatchd: %s\n", err);
		goto out;
	}
	if (!no_nft) {
		if (install_nft(cfg, cfg->threads) < 0)
			goto out;
		nft = true;
	}
	fprintf(stderr, "vpatchd: %s mode, %zu rules, %u workers: running\n",
		vp_mode_name(cfg->mode), vp_sig_set_count(*set), cfg->threads);
	control_loop(cfg, ws, eve, set);
	ret = EXIT_OK;
out:
	if (nft && vp_nft_remove(err, sizeof(err)) < 0) {
		fprintf(stderr, "vpatchd: nftables: cannot remove table vpatch: %s\n", err);
		ret = EXIT_RUNTIME;
	}
	if (ws) {
		vp_workers_stats(ws, &s);
		print_stats(&s);
	}
	vp_workers_stop(ws);
	vp_eve_close(eve);
	return ret;
}

static void block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int run(const struct cli *c)
{
	struct vp_sig_set *set = NULL;
	struct vp_config cfg;
	unsigned failed = 0;
	int ret;

	if (load_config(&cfg, c) < 0) {
		ret = EXIT_CONFIG;
		goto out;
	}
	set = load_rules(&cfg, &failed);
	if (!set) {
		ret = EXIT_CONFIG;
		goto out;
	}
	if (c->test) {
		printf("%zu rules loaded, %u failed\n", vp_sig_set_count(set), failed);
		ret = failed ? EXIT_CONFIG : EXIT_OK;
	} else if (c->pcap) {
		ret = run_offline(&cfg, set, c->pcap);
	} else {
		block_signals();
		ret = run_live(&cfg, &set, c->no_nft);
	}
out:
	vp_sig_set_free(set);
	vp_config_free(&cfg);
	return ret;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	int r;

	r = parse_args(&c, argc, argv);
	if (r != 0) {
		free(c.rules);
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	}
	r = run(&c);
	free(c.rules);
	return r;
}
