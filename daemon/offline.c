/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture files are read with libpcap: pcap and pcapng, every link type it knows. */
#include "vp_build.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "daemon/offline.h"
#include "inspect/decode.h"

static void one_frame(struct vp_engine_worker *w, int linktype, const struct pcap_pkthdr *h,
		      const uint8_t *frame, struct vp_offline_stats *st)
{
	size_t l3 = 0;
	int r;

	st->frames++;
	vp_engine_set_pcap_cnt(w, st->frames);
	if (h->caplen < h->len)
		st->truncated++;
	r = vp_decode_link(linktype, frame, h->caplen, &l3);
	if (r == VP_PARSE_MORE) {
		st->not_ip++;
		return;
	}
	if (r != VP_PARSE_OK) {
		/* No IP header to find: the engine reports it as such. */
		st->bad_frames++;
		vp_engine_packet(w, frame, 0, &h->ts, false);
		return;
	}
	/* Checksums are checked as configured (checksum_checks): a capture taken
	 * on a host with offload holds unfinished ones, so turn it off for those. */
	vp_engine_packet(w, frame + l3, h->caplen - l3, &h->ts, false);
}

int vp_offline_run(const char *path, struct vp_engine_worker *w, struct vp_eve *eve,
		   struct vp_offline_stats *st, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *h;
	const u_char *frame;
	pcap_t *pc;
	int linktype, r;

	memset(st, 0, sizeof(*st));
	pc = pcap_open_offline(path, ebuf);
	if (!pc) {
		snprintf(err, errlen, "%s: %s", path, ebuf);
		return -EINVAL;
	}
	linktype = pcap_datalink(pc);
	while ((r = pcap_next_ex(pc, &h, &frame)) == 1) {
		one_frame(w, linktype, h, frame, st);
		if (eve)
			vp_eve_flush(eve);
	}
	vp_engine_flush(w);
	if (eve)
		vp_eve_flush(eve);
	if (r == PCAP_ERROR) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(pc));
		pcap_close(pc);
		return -EIO;
	}
	pcap_close(pc);
	return 0;
}
