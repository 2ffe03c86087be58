#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the benchmark's capture: mixed benign HTTP/1.1 traffic over many TCP connections.

Run with Debian's interpreter (it has python3-scapy):

    /usr/bin/python3 tests/bench/gen_http_mix.py [--requests N] [--seed S] OUT.pcap

It prints one line of figures on standard output, e.g.

    connections=719 ipv6_connections=19 requests=3000 GET=2490 ... packets=58611 bytes=50721130

(tests/bench/run.sh reads "requests=" from it; vpatchd counts the packets itself).

The traffic is what a web server host and its own outgoing clients see: browsers loading pages
and their assets over keep-alive connections, API clients sending JSON, form posts and uploads,
monitoring probes (HEAD, /health), and the host itself fetching packages and posting
telemetry.  Requests carry the usual headers (Host, User-Agent, Accept, Accept-Encoding,
Accept-Language, Cookie, Referer, Content-Type, Content-Length, conditional headers);
responses are HTML (some gzip-compressed for real), CSS, JavaScript, JSON (some chunked),
images and packages (random bytes inside the right framing), redirects, 304s and 404s.

Every connection has a three-way handshake and a FIN teardown (the server closes first when a
side said "Connection: close", the client otherwise).  Data is cut into MSS-sized segments
(1460 bytes over IPv4, 1440 over IPv6), sent in slow-start bursts the receiver acknowledges
every second segment; some requests and responses send their headers in a segment of their
own.  Servers listen on ports 80 and 8080; about 3% of the connections are IPv6.  The
protected host is 10.0.0.10 (2001:db8:10::10), inside Suricata's default $HOME_NET; clients
and remote servers use documentation and private addresses.  Connections overlap in time.

The output is deterministic for a given seed and request count (fixed epoch, addresses,
ports, sequence numbers; gzip without a timestamp).  The pcap file is written here: classic
little-endian pcap, microsecond timestamps, Ethernet, snaplen 65535.
"""

import argparse
import calendar
import gzip
import heapq
import json
import struct
import sys
import time
import zlib
from random import Random

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether

EPOCH = calendar.timegm((2026, 11, 28, 12, 0, 0))
SERVER4, SERVER6 = "10.0.0.10", "2001:db8:10::10"
MAC_HOST, MAC_GW = "02:00:00:00:0a:0a", "02:00:00:00:00:01"
MSS4, MSS6 = 1460, 1440
LINK_ETHERNET = 1

WORDS = (
    "account active advanced archive article available basket blue browse budget cart "
    "catalog category checkout city classic club color comfort community compare contact "
    "cotton country coupon customer daily delivery design discount document download easy "
    "edition electric energy event express family fashion feature field garden gift global "
    "green guide health history holiday home hotel house index item journal kitchen label "
    "large leather library light limited local market medium member menu modern month "
    "mountain music natural network news night office online orange order outdoor package "
    "page partner payment people photo planet premium price print product profile project "
    "quality quick rating recent red region report review river road sale search season "
    "secure service shipping shop silver simple size small smart solar special sport spring "
    "standard station store story street studio style summer support system table team "
    "technology today top travel update urban user value video view village vintage water "
    "weather week white wide winter wireless wood world year yellow young"
).split()

BROWSER_UAS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
)
API_UAS = (
    "python-requests/2.31.0", "Go-http-client/1.1", "okhttp/4.12.0", "axios/1.7.7",
    "curl/7.88.1", "Java/17.0.13", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
)
PROBE_UAS = ("curl/7.88.1", "kube-probe/1.31", "Prometheus/2.53.0", "Wget/1.21.3")
SERVERS = ("nginx/1.22.1", "Apache/2.4.62 (Debian)", "nginx", "gunicorn")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
REASONS = {200: "OK", 201: "Created", 204: "No Content", 302: "Found", 304: "Not Modified",
           404: "Not Found"}


def http_date(us):
    """RFC 9110 IMF-fixdate of a capture time in microseconds since EPOCH."""
    tm = time.gmtime(EPOCH + us // 1000000)
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        DAYS[tm.tm_wday], tm.tm_mday, MONTHS[tm.tm_mon - 1], tm.tm_year,
        tm.tm_hour, tm.tm_min, tm.tm_sec)


def png_chunk(ctype, data):
    crc = zlib.crc32(ctype + data)
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", crc)


class Text:
    """Deterministic filler: words, slugs, HTML, CSS, JavaScript, JSON and binary bodies."""

    def __init__(self, rng):
        self.rng = rng

    def words(self, n, sep=" "):
        return sep.join(self.rng.choice(WORDS) for _ in range(n))

    def slug(self):
        return self.words(self.rng.randint(1, 4), "-")

    def hexstr(self, n):
        return "%0*x" % (n, self.rng.getrandbits(4 * n))

    def html(self, title, size):
        r = self.rng
        out = [
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<title>%s</title>\n<link rel="stylesheet" href="/static/css/site.%s.css">\n'
            '<script src="/static/js/app.min.js?v=1.4.%d" defer></script>\n</head>\n'
            '<body>\n<header><nav><a href="/">Home</a> <a href="/products">Products</a> '
            '<a href="/blog">Blog</a> <a href="/contact">Contact</a></nav></header>\n<main>\n'
            % (title, self.hexstr(6), r.randint(0, 9))]
        n = len(out[0])
        while n < size:
            k = r.random()
            if k < 0.45:
                s = "<p>%s.</p>\n" % self.words(r.randint(12, 60)).capitalize()
            elif k < 0.6:
                s = "<h2>%s</h2>\n" % self.words(r.randint(2, 6)).title()
            elif k < 0.8:
                s = "<ul>\n%s</ul>\n" % "".join(
                    '<li><a href="/products/%s-%d">%s</a></li>\n'
                    % (self.slug(), r.randint(1, 9999), self.words(2).title())
                    for _ in range(r.randint(2, 8)))
            else:
                s = ('<div class="card"><img src="/images/products/%d.jpg" alt="%s" '
                     'width="320" height="240"><span class="price">$%d.%02d</span></div>\n'
                     % (r.randint(1, 9999), self.words(3), r.randint(1, 500), r.randint(0, 99)))
            out.append(s)
            n += len(s)
        out.append("</main>\n<footer>&copy; 2026 Example Ltd</footer>\n</body>\n</html>\n")
        return "".join(out).encode()

    def css(self, size):
        r, out, n = self.rng, [], 0
        while n < size:
            s = ".%s-%s { margin: %dpx %dpx; color: #%s; font-size: %d.%drem; }\n" % (
                r.choice(WORDS), r.choice(WORDS), r.randint(0, 32), r.randint(0, 32),
                self.hexstr(6), r.randint(0, 3), r.randint(0, 9))
            out.append(s)
            n += len(s)
        return "".join(out).encode()

    def javascript(self, size):
        r, out, n = self.rng, ['"use strict";\n'], 0
        while n < size:
            a, b = r.choice(WORDS), r.choice(WORDS)
            s = ("function %s_%s(e){const t=document.querySelector('.%s');"
                 "if(!t)return;t.classList.toggle('%s',e.detail>%d);}\n"
                 "window.addEventListener('%s-%s',%s_%s);\n"
                 % (a, b, a, b, r.randint(0, 99), a, b, a, b))
            out.append(s)
            n += len(s)
        return "".join(out).encode()

    def item(self):
        r = self.rng
        return {
            "id": r.randint(1, 99999),
            "name": self.words(r.randint(1, 3)),
            "price": round(r.uniform(1, 500), 2),
            "currency": "USD",
            "tags": [r.choice(WORDS) for _ in range(r.randint(0, 4))],
            "in_stock": r.random() < 0.8,
            "updated": "2026-11-%02dT%02d:%02d:%02dZ" % (
                r.randint(1, 28), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)),
        }

    def json_list(self, size):
        items, n = [], 40
        while n < size:
            it = self.item()
            items.append(it)
            n += len(json.dumps(it)) + 1
        return json.dumps({"items": items, "count": len(items), "next": None}).encode()

    def binary(self, kind, size):
        """Random bytes of about <size> inside the format's framing (PNG chunks, JPEG markers
        with byte stuffing) or behind its magic number, so dissectors see a plausible file."""
        r = self.rng
        data = r.randbytes(max(16, size))
        if kind == "png":
            ihdr = struct.pack(">IIBBBBB", r.randint(16, 1024), r.randint(16, 768), 8, 6, 0, 0, 0)
            return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
                    + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b""))
        if kind == "jpeg":
            return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
                    b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
                    + data.replace(b"\xff", b"\xff\x00") + b"\xff\xd9")
        magic = {
            "ico": b"\x00\x00\x01\x00\x01\x00\x10\x10",
            "deb": b"!<arch>\ndebian-binary   ",
            "gzip": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
        }[kind]
        return magic + data


class Exchange:
    """One request and its response, as bytes, and how their first segments are cut."""

    def __init__(self, method, request, response, req_head_alone=False, resp_head_alone=False):
        self.method = method
        self.request = request
        self.response, head_len = response
        self.req_head_len = request.index(b"\r\n\r\n") + 4 if req_head_alone else 0
        self.resp_head_len = head_len if resp_head_alone else 0


class HttpMix:
    """Builds the requests and responses of each kind of client."""

    def __init__(self, rng):
        self.rng = rng
        self.text = Text(rng)

    @staticmethod
    def request(method, target, headers, body=b""):
        lines = ["%s %s HTTP/1.1" % (method, target)]
        lines += ["%s: %s" % kv for kv in headers]
        if body or method in ("POST", "PUT"):
            lines.append("Content-Length: %d" % len(body))
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def response(self, now, status, ctype, body, method, close, extra=(), chunked=False,
                 gzipped=False):
        """(the response bytes, the length of its head)"""
        r = self.rng
        h = ["HTTP/1.1 %d %s" % (status, REASONS[status]), "Server: %s" % r.choice(SERVERS),
             "Date: %s" % http_date(now)]
        if ctype:
            h.append("Content-Type: %s" % ctype)
        if gzipped:
            body = gzip.compress(body, compresslevel=6, mtime=0)
            h += ["Content-Encoding: gzip", "Vary: Accept-Encoding"]
        if chunked and status == 200 and method != "HEAD":
            h.append("Transfer-Encoding: chunked")
            parts, i = [], 0
            while i < len(body):
                n = r.randint(1024, 4096)
                parts.append(b"%x\r\n%s\r\n" % (len(body[i:i + n]), body[i:i + n]))
                i += n
            body = b"".join(parts) + b"0\r\n\r\n"
        elif status not in (204, 304):
            h.append("Content-Length: %d" % len(body))
        h += ["%s: %s" % kv for kv in extra]
        h.append("Connection: %s" % ("close" if close else "keep-alive"))
        head = ("\r\n".join(h) + "\r\n\r\n").encode()
        if method == "HEAD" or status in (204, 304):
            body = b""
        return head + body, len(head)

    def browser_headers(self, host, ua, accept, referer, cookie):
        r = self.rng
        lang = r.choice(("en-US,en;q=0.9", "en-GB,en;q=0.8", "de-DE,de;q=0.9,en;q=0.7",
                         "fr-FR,fr;q=0.9,en-US;q=0.6"))
        enc = "gzip, deflate, br, zstd" if "Firefox" in ua else "gzip, deflate, br"
        h = [("Host", host), ("User-Agent", ua), ("Accept", accept), ("Accept-Language", lang),
             ("Accept-Encoding", enc), ("Connection", "keep-alive")]
        if referer:
            h.append(("Referer", referer))
        if cookie:
            h.append(("Cookie", cookie))
        return h

    def page_target(self):
        r, t = self.rng, self.text
        k = r.random()
        if k < 0.15:
            return "/"
        if k < 0.35:
            return "/products/%s-%d" % (t.slug(), r.randint(1, 9999))
        if k < 0.5:
            return "/blog/2026/%02d/%s" % (r.randint(1, 11), t.slug())
        if k < 0.65:
            return "/search?q=%s&page=%d" % (t.words(r.randint(1, 3), "+"), r.randint(1, 5))
        if k < 0.75:
            return "/category/%s?sort=%s&order=%s" % (
                r.choice(WORDS), r.choice(("price", "rating", "newest")),
                r.choice(("asc", "desc")))
        if k < 0.85:
            return "/%s?utm_source=newsletter&utm_medium=email&utm_campaign=%s-%d" % (
                t.slug(), r.choice(WORDS), r.randint(2024, 2026))
        if k < 0.92:
            return "/search?q=caf%C3%A9+au+lait&lang=fr"
        return "/%s" % r.choice(("about", "contact", "cart", "account/orders", "help/faq"))

    def page(self, host, ua, cookie, now, close):
        """A browser's first request on a connection: an HTML page (or a 304, a 404)."""
        r, t = self.rng, self.text
        accept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif," \
                 "image/webp,*/*;q=0.8"
        referer = "http://%s/" % host if r.random() < 0.5 else None
        h = self.browser_headers(host, ua, accept, referer, cookie)
        h.append(("Upgrade-Insecure-Requests", "1"))
        if r.random() < 0.15:
            h.append(("If-None-Match", '"%s"' % t.hexstr(16)))
            resp = self.response(now, 304, None, b"", "GET", close,
                                 [("ETag", '"%s"' % t.hexstr(16))])
        elif r.random() < 0.05:
            resp = self.response(now, 404, "text/html; charset=utf-8", t.html("Not Found", 600),
                                 "GET", close)
        else:
            body = t.html(t.words(4).title(), r.randint(2000, 40000))
            extra = [("Cache-Control", "no-cache"), ("ETag", '"%s"' % t.hexstr(16))]
            if not cookie:
                extra.append(("Set-Cookie", "session=%s; Path=/; HttpOnly; SameSite=Lax"
                              % t.hexstr(32)))
            resp = self.response(now, 200, "text/html; charset=utf-8", body, "GET", close, extra,
                                 gzipped=r.random() < 0.5)
        req = self.request("GET", self.page_target(), h)
        return Exchange("GET", req, resp, resp_head_alone=r.random() < 0.3)

    def asset(self, host, ua, cookie, now, close):
        """A stylesheet, script, image or icon of the page."""
        r, t = self.rng, self.text
        k = r.random()
        if k < 0.25:
            target = "/static/css/site.%s.css" % t.hexstr(8)
            accept, ctype = "text/css,*/*;q=0.1", "text/css"
            body = t.css(r.randint(500, 30000))
        elif k < 0.5:
            target = "/static/js/%s.min.js?v=1.4.%d" % (r.choice(WORDS), r.randint(0, 9))
            accept, ctype = "*/*", "application/javascript"
            body = t.javascript(r.randint(500, 60000))
        elif k < 0.92:
            kind = r.choice(("png", "jpeg", "jpeg"))
            target = "/images/%s/%d.%s" % (r.choice(("products", "banners", "avatars")),
                                           r.randint(1, 99999), "jpg" if kind == "jpeg" else kind)
            accept, ctype = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8", "image/" + kind
            body = t.binary(kind, r.randint(800, 90000))
        else:
            target, accept, ctype = "/favicon.ico", "image/avif,image/webp,*/*", "image/x-icon"
            body = t.binary("ico", r.randint(300, 5000))
        h = self.browser_headers(host, ua, accept, "http://%s/" % host, cookie)
        if r.random() < 0.2:
            h.append(("If-Modified-Since", "Tue, 03 Nov 2026 09:%02d:00 GMT" % r.randint(0, 59)))
            resp = self.response(now, 304, None, b"", "GET", close)
        else:
            text = ctype.startswith(("text/", "application/javascript"))
            resp = self.response(now, 200, ctype, body, "GET", close,
                                 [("Cache-Control", "public, max-age=31536000, immutable")],
                                 gzipped=text and r.random() < 0.4)
        req = self.request("GET", target, h)
        return Exchange("GET", req, resp, resp_head_alone=r.random() < 0.3)

    def form(self, host, ua, cookie, now, close):
        """A urlencoded form post or a multipart upload from a browser."""
        r, t = self.rng, self.text
        referer = "http://%s/%s" % (host, r.choice(("login", "contact", "account")))
        h = self.browser_headers(host, ua, "text/html,application/xhtml+xml,*/*;q=0.8",
                                 referer, cookie)
        h.append(("Origin", "http://%s" % host))
        if r.random() < 0.7:
            target = r.choice(("/login", "/contact", "/newsletter/subscribe", "/cart/add"))
            fields = [("email", "%s.%s%%40example.org" % (r.choice(WORDS), r.choice(WORDS))),
                      ("name", t.words(2, "+")), ("message", t.words(r.randint(3, 40), "+")),
                      ("qty", str(r.randint(1, 5))), ("csrf_token", t.hexstr(32))]
            body = "&".join("%s=%s" % kv for kv in fields[:r.randint(2, 5)]).encode()
            h.append(("Content-Type", "application/x-www-form-urlencoded"))
        else:
            target = "/account/documents/upload"
            boundary = "----WebKitFormBoundary" + t.hexstr(16)
            data = t.binary(r.choice(("png", "jpeg", "gzip")), r.randint(2000, 60000))
            head = ("--%s\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n%s\r\n"
                    "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                    "filename=\"%s.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    % (boundary, t.words(3), boundary, t.slug()))
            body = head.encode() + data + ("\r\n--%s--\r\n" % boundary).encode()
            h.append(("Content-Type", "multipart/form-data; boundary=" + boundary))
        if r.random() < 0.6:
            resp = self.response(now, 302, "text/html", b"", "POST", close,
                                 [("Location", "/%s" % r.choice(("thanks", "account", "cart")))])
        else:
            resp = self.response(now, 200, "text/html; charset=utf-8",
                                 t.html("Thank you", r.randint(1500, 8000)), "POST", close)
        req = self.request("POST", target, h, body)
        return Exchange("POST", req, resp, req_head_alone=r.random() < 0.3)

    def api(self, host, ua, token, now, close):
        """A JSON API call: list, fetch, create, or a HEAD."""
        r, t = self.rng, self.text
        if ua.startswith("curl"):
            h = [("Host", host), ("User-Agent", ua), ("Accept", "*/*")]
        else:
            h = [("Host", host), ("User-Agent", ua), ("Accept", "application/json"),
                 ("Accept-Encoding", "gzip, deflate"), ("Authorization", "Bearer " + token)]
        k = r.random()
        body, method, chunked = b"", "GET", r.random() < 0.3
        if k < 0.4:
            target = "/api/v1/%s?limit=%d&offset=%d&fields=id,name,price" % (
                r.choice(("items", "orders", "customers", "events")), r.choice((10, 20, 50)),
                r.randint(0, 40) * 10)
            status, rbody = 200, t.json_list(r.randint(100, 8000))
        elif k < 0.65:
            target = "/api/v1/items/%d" % r.randint(1, 99999)
            if r.random() < 0.9:
                status, rbody = 200, json.dumps(t.item()).encode()
            else:
                status, rbody = 404, b'{"error":"not found"}'
        elif k < 0.9:
            method, target = "POST", "/api/v1/%s" % r.choice(("orders", "events", "carts"))
            body = json.dumps({"items": [t.item() for _ in range(r.randint(1, 6))],
                               "note": t.words(r.randint(0, 12)),
                               "client_ref": t.hexstr(12)}).encode()
            h.append(("Content-Type", "application/json"))
            status = 201
            rbody = json.dumps({"id": r.randint(1, 10 ** 6), "status": "created"}).encode()
        else:
            method, target = "HEAD", "/api/v1/%s" % r.choice(("status", "items", "export.csv"))
            status, rbody = 200, t.json_list(r.randint(100, 3000))
        resp = self.response(now, status, "application/json", rbody, method, close,
                             [("X-Request-Id", t.hexstr(16))], chunked=chunked)
        return Exchange(method, self.request(method, target, h, body), resp)

    def probe(self, host, ua, now, close):
        """A monitoring probe or a crawler's housekeeping fetch."""
        r, t = self.rng, self.text
        k = r.random()
        h = [("Host", host), ("User-Agent", ua), ("Accept", "*/*")]
        method, status = "GET", 200
        if k < 0.35:
            target, ctype = "/health", "application/json"
            body = b'{"status":"ok","uptime":%d}' % r.randint(1, 10 ** 7)
        elif k < 0.6:
            method, target, ctype = "HEAD", "/", "text/html; charset=utf-8"
            body = t.html("Home", 9000)
        elif k < 0.8:
            target, ctype = "/robots.txt", "text/plain"
            body = (b"User-agent: *\nDisallow: /account/\nDisallow: /cart\n"
                    b"Sitemap: http://%s/sitemap.xml\n" % host.encode())
        elif k < 0.9:
            target, ctype = "/sitemap.xml", "application/xml"
            urls = "".join("<url><loc>http://%s/products/%s-%d</loc></url>\n"
                           % (host, t.slug(), r.randint(1, 9999))
                           for _ in range(r.randint(5, 80)))
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
                    '"http://www.sitemaps.org/schemas/sitemap/0.9">\n%s</urlset>\n'
                    % urls).encode()
        else:
            target, ctype, status = "/%s" % t.slug(), "text/html", 404
            body = t.html("Not Found", 500)
        resp = self.response(now, status, ctype, body, method, close)
        return Exchange(method, self.request(method, target, h), resp)

    def outbound(self, host, now, close):
        """The protected host as a client: package downloads and telemetry."""
        r, t = self.rng, self.text
        if r.random() < 0.6:
            if r.random() < 0.3:
                target = "/debian/dists/bookworm-updates/InRelease"
                sums = "".join(" %s %8d main/binary-amd64/Packages\n"
                               % (t.hexstr(64), r.randint(1000, 10 ** 6))
                               for _ in range(r.randint(10, 60)))
                ctype = "text/plain"
                body = ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nOrigin: Debian\n"
                        "Suite: bookworm-updates\nSHA256:\n%s" % sums).encode()
            else:
                name = r.choice(WORDS)
                target = "/debian/pool/main/%s/%s/%s_%d.%d-%d_amd64.deb" % (
                    name[0], name, name, r.randint(1, 9), r.randint(0, 30), r.randint(1, 5))
                ctype = "application/vnd.debian.binary-package"
                body = t.binary("deb", r.randint(5000, 100000))
            h = [("Host", host), ("User-Agent", "Debian APT-HTTP/1.3 (2.6.1)"), ("Accept", "*/*")]
            modified = "Sat, 21 Nov 2026 08:14:%02d GMT" % r.randint(0, 59)
            resp = self.response(now, 200, ctype, body, "GET", close,
                                 [("Last-Modified", modified)])
            req = self.request("GET", target, h)
            return Exchange("GET", req, resp, resp_head_alone=r.random() < 0.5)
        metrics = {w: r.randint(0, 10 ** 6) for w in r.sample(WORDS, r.randint(3, 20))}
        body = json.dumps({"host": "web-%02d" % r.randint(1, 12), "ts": EPOCH + now // 10 ** 6,
                           "metrics": metrics}).encode()
        h = [("Host", host), ("User-Agent", "vector/0.42.0"), ("Accept", "*/*"),
             ("Content-Type", "application/json"), ("Accept-Encoding", "gzip")]
        req = self.request("POST", "/v1/ingest?source=%s" % r.choice(WORDS), h, body)
        return Exchange("POST", req, self.response(now, 204, None, b"", "POST", close))


class Conn:
    """One TCP connection: its endpoints, sequence numbers, clock and packets."""

    def __init__(self, rng, cap, cli, srv, v6, start):
        self.rng, self.cap = rng, cap
        self.cli, self.srv, self.v6 = cli, srv, v6  # (address, port) each
        self.t = start  # microseconds since EPOCH
        self.rtt = rng.randint(400, 60000)
        self.seq = {True: rng.getrandbits(32), False: rng.getrandbits(32)}  # by from_client
        self.mss = MSS6 if v6 else MSS4
        self.ttl = {True: rng.choice((48, 52, 57, 64, 116, 120)), False: 64}

    def emit(self, from_client, flags, payload=b"", syn=False, ack=None):
        """One segment; <ack> defaults to all the peer has sent so far."""
        src, dst = (self.cli, self.srv) if from_client else (self.srv, self.cli)
        if ack is None:
            ack = self.seq[not from_client] if "A" in flags else 0
        opts = [("MSS", self.mss), ("SAckOK", b""), ("NOP", None), ("WScale", 7)] if syn else []
        tcp = TCP(sport=src[1], dport=dst[1], seq=self.seq[from_client], ack=ack, flags=flags,
                  window=65535 if syn else 502, options=opts)
        if self.v6:
            ip = IPv6(src=src[0], dst=dst[0], hlim=self.ttl[from_client])
        else:
            ip = IP(src=src[0], dst=dst[0], ttl=self.ttl[from_client], flags="DF",
                    id=self.rng.getrandbits(16))
        if payload:
            tcp.add_payload(payload)  # add_payload, not "/": scapy's "/" copies both sides
        ip.add_payload(tcp)
        self.cap.add(self.t, dst[0] in (SERVER4, SERVER6), self.v6, bytes(ip))
        grow = len(payload) + ("S" in flags) + ("F" in flags)
        self.seq[from_client] = (self.seq[from_client] + grow) & 0xffffffff

    def step(self, lo, hi):
        self.t += self.rng.randint(lo, hi)

    def half_rtt(self):
        self.t += self.rtt // 2

    def handshake(self):
        self.emit(True, "S", syn=True)
        self.half_rtt()
        self.emit(False, "SA", syn=True)
        self.half_rtt()
        self.emit(True, "A")
        self.step(20, 300)

    def send(self, from_client, data, head_len=0):
        """One message: MSS segments in slow-start bursts of 10, 20, 40 ..., the receiver
        acknowledging every second segment; <head_len> bytes go alone in the first ones."""
        segs, i = [], 0  # (bytes, push): push ends each write
        for end in ([head_len] if 0 < head_len < len(data) else []) + [len(data)]:
            while i < end:
                n = min(self.mss, end - i)
                segs.append((data[i:i + n], i + n == end))
                i += n
        burst = 10
        while segs:
            now, segs, acks = segs[:burst], segs[burst:], []
            for n, (seg, push) in enumerate(now):
                self.emit(from_client, "PA" if push else "A", seg)
                self.step(10, 30)
                if n % 2 == 1 or n == len(now) - 1:
                    acks.append(self.seq[from_client])
            if segs or len(now) > 1:  # a lone segment is acknowledged by the reply
                self.half_rtt()
                for ack in acks:
                    self.emit(not from_client, "A", ack=ack)
                    self.step(2, 20)
                self.half_rtt()
            burst *= 2

    def exchange(self, ex):
        if ex.req_head_len:
            self.send(True, ex.request[:ex.req_head_len])
            self.half_rtt()
            self.emit(False, "A")
            self.half_rtt()
            self.send(True, ex.request[ex.req_head_len:])
        else:
            self.send(True, ex.request)
        self.half_rtt()
        self.step(100, 20000)  # server think time
        self.send(False, ex.response, ex.resp_head_len)
        self.half_rtt()

    def close(self, server_first):
        """FIN from the side that closes, acknowledged; then the other side's FIN."""
        a = not server_first
        self.step(100, 5000)
        self.emit(a, "FA")
        self.half_rtt()
        if server_first:
            self.emit(not a, "A")
            self.step(50, 500)
        self.emit(not a, "FA")
        self.half_rtt()
        self.emit(a, "A")


def eth_header(inbound, v6):
    dst, src = (MAC_HOST, MAC_GW) if inbound else (MAC_GW, MAC_HOST)
    return bytes(Ether(dst=dst, src=src, type=0x86DD if v6 else 0x0800))


ETH = {(inbound, v6): eth_header(inbound, v6) for inbound in (False, True) for v6 in (False, True)}


class Capture:
    """Packets of every connection, merged in time order when written."""

    def __init__(self):
        self.frames = []  # heap of (time, number, bytes)
        self.n = 0

    def add(self, t, inbound, v6, raw):
        heapq.heappush(self.frames, (t, self.n, ETH[inbound, v6] + raw))
        self.n += 1

    def write(self, path):
        total = 0
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, LINK_ETHERNET))
            while self.frames:
                t, _, raw = heapq.heappop(self.frames)
                sec, usec = EPOCH + t // 1000000, t % 1000000
                f.write(struct.pack("<IIII", sec, usec, len(raw), len(raw)))
                f.write(raw)
                total += len(raw)
        return total


class Generator:
    """Draws connections (client kind, endpoints, request count) until the total is reached."""

    def __init__(self, seed, requests):
        self.rng = Random(seed)
        self.mix = HttpMix(self.rng)
        self.cap = Capture()
        self.left = requests
        self.stats = dict.fromkeys(("connections", "ipv6_connections", "requests", "GET",
                                    "POST", "HEAD", "port_80", "port_8080", "outbound"), 0)
        self.ports = {}

    def client_addr(self, v6):
        r = self.rng
        if v6:
            return "2001:db8:%x::%x" % (r.randint(1, 0xff), r.randint(1, 0xffff))
        k = r.random()
        if k < 0.4:
            return "198.51.100.%d" % r.randint(1, 254)
        if k < 0.8:
            return "203.0.113.%d" % r.randint(1, 254)
        return "192.168.%d.%d" % (r.randint(0, 3), r.randint(2, 254))

    def eph_port(self, addr):
        """The next ephemeral port of a client (Linux range 32768-60999)."""
        p = self.ports.get(addr, self.rng.randint(32768, 60000))
        self.ports[addr] = 32768 + (p + self.rng.randint(1, 7) - 32768) % 28232
        return self.ports[addr]

    def endpoints(self, kind, v6):
        """(client address, server address, Host header)"""
        r = self.rng
        if kind == "out":
            host = r.choice(("deb.example.net", "mirror.example.org", "telemetry.example.com"))
            return SERVER4, "192.0.2.%d" % r.randint(1, 254), host
        host = {"browser": r.choice(("www.example.com", "shop.example.com")),
                "api": "api.example.com", "probe": "www.example.com"}[kind]
        return self.client_addr(v6), SERVER6 if v6 else SERVER4, host

    def connection(self, start):
        r, g = self.rng, self.mix
        k = r.random()
        kind = "browser" if k < 0.45 else "api" if k < 0.7 else "probe" if k < 0.8 else "out"
        v6 = kind != "out" and r.random() < 0.03
        port = 8080 if r.random() < 0.2 else 80
        cli_ip, srv_ip, host = self.endpoints(kind, v6)
        if port == 8080:
            host += ":8080"
        n = {"browser": r.randint(2, 10), "api": r.randint(1, 6), "probe": 1,
             "out": r.randint(1, 4)}[kind]
        n = min(n, self.left)
        self.left -= n
        conn = Conn(r, self.cap, (cli_ip, self.eph_port(cli_ip)), (srv_ip, port), v6, start)
        self.count(kind, v6, port)
        conn.handshake()
        ua = r.choice({"browser": BROWSER_UAS, "api": API_UAS, "probe": PROBE_UAS,
                       "out": ("",)}[kind])
        cookie = None
        if r.random() >= 0.3:
            cookie = "session=%s; _ga=GA1.2.%d.%d; theme=%s" % (
                g.text.hexstr(32), r.randint(10 ** 8, 10 ** 9), EPOCH - r.randint(0, 10 ** 7),
                r.choice(("dark", "light")))
        token = g.text.hexstr(40)
        close_last = r.random() < 0.35
        for i in range(n):
            close = close_last and i == n - 1
            if kind == "browser" and i == 0:
                ex = g.page(host, ua, cookie, conn.t, close)
            elif kind == "browser":
                if r.random() < 0.08:
                    ex = g.form(host, ua, cookie, conn.t, close)
                else:
                    ex = g.asset(host, ua, cookie, conn.t, close)
            elif kind == "api":
                ex = g.api(host, ua, token, conn.t, close)
            elif kind == "probe":
                ex = g.probe(host, ua, conn.t, close)
            else:
                ex = g.outbound(host, conn.t, close)
            conn.exchange(ex)
            self.stats[ex.method] += 1
            if i < n - 1:
                conn.step(200, 300000 if kind == "browser" else 50000)  # client think time
        conn.close(server_first=close_last)

    def count(self, kind, v6, port):
        s = self.stats
        s["connections"] += 1
        s["ipv6_connections"] += v6
        s["outbound"] += kind == "out"
        s["port_%d" % port] += 1

    def run(self, path):
        start, total = 0, self.left
        while self.left > 0:
            self.connection(start)
            start += self.rng.randint(200, 8000)  # a new connection every ~4 ms
        self.stats["requests"] = total
        self.stats["packets"] = self.cap.n
        self.stats["bytes"] = self.cap.write(path)
        return self.stats


def main():
    ap = argparse.ArgumentParser(description="Write a capture of mixed benign HTTP/1.1 traffic.")
    ap.add_argument("output", help="pcap file to write")
    ap.add_argument("--requests", type=int, default=3000, help="HTTP requests in all (3000)")
    ap.add_argument("--seed", type=int, default=20261128, help="random seed (20261128)")
    args = ap.parse_args()
    if not 1 <= args.requests <= 1000000:
        ap.error("--requests must be 1 to 1000000")
    stats = Generator(args.seed, args.requests).run(args.output)
    print(" ".join("%s=%d" % kv for kv in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
