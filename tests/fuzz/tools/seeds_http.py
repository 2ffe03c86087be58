#!/usr/bin/python3
# Regenerates the seed corpus of fuzz_http (tests/fuzz/corpus/http).
# Layout: selector byte (bit 0 small line/header limits, bit 1 body depth 32, bit 2 decoded
# output 1000, bit 3 end both streams), chunking seed, client stream length (2 bytes, little
# endian), client stream, server stream.
import os
import struct
import zlib

d = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'corpus', 'http')


def seed(req, resp=b'', sel=8, s=7):
    return bytes([sel, s]) + struct.pack('<H', len(req)) + req + resp


def gz(data, wbits=31):
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return c.compress(data) + c.flush()


H = b'Host: a\r\n'
page = b''.join(b'line %d <b>text</b>\n' % i for i in range(200))
zpage, dpage, rpage = gz(page), gz(page, 15), gz(page, -15)
bomb = gz(b'\0' * 200000)
cases = {
    'get-query': seed(b'GET /s?q=a%20b&x=1 HTTP/1.1\r\nHost: Example.COM:8080\r\n'
                      b'User-Agent: u\r\nCookie: a=1\r\nAccept: */*\r\n\r\n',
                      b'HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: 5\r\n\r\nhello'),
    'post-cl': seed(b'POST /login HTTP/1.1\r\n' + H + b'Content-Length: 11\r\n\r\nuser=admin&'),
    'chunked-ext-trailer': seed(b'POST /up HTTP/1.1\r\n' + H + b'Transfer-Encoding: chunked\r\n'
                                b'\r\n5;n=v\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n'),
    'pipelined': seed(b'GET /1 HTTP/1.1\r\n' + H + b'\r\nHEAD /2 HTTP/1.1\r\n' + H + b'\r\n'
                      b'POST /3 HTTP/1.1\r\n' + H + b'Content-Length: 3\r\n\r\nabc',
                      b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'
                      b'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'
                      b'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No\r\n\r\n'),
    'http10': seed(b'GET /old HTTP/1.0\r\n\r\n', b'HTTP/1.0 200 OK\r\n\r\nuntil close'),
    'http09': seed(b'GET /\r\n', b'<html>raw</html>'),
    'absolute-form': seed(b'GET http://u@P.Example:3128/p?x HTTP/1.1\r\nHost: other\r\n\r\n'),
    'fold-repeat': seed(b'GET / HTTP/1.1\r\n' + H + b'X: a\r\n  b\r\nx: c\r\n  \r\n\r\n'),
    'bare-lf': seed(b'GET / HTTP/1.1\nHost: a\n\n', b'HTTP/1.1 200 OK\nContent-Length: 1\n\nx'),
    'cl-te': seed(b'POST / HTTP/1.1\r\n' + H + b'Content-Length: 4\r\nTransfer-Encoding: '
                  b'chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n' + H + b'\r\n'),
    'multi-cl': seed(b'POST / HTTP/1.1\r\n' + H + b'Content-Length: 4\r\nContent-Length: 5\r\n\r\n'),
    'te-not-last': seed(b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: chunked, gzip\r\n\r\n'),
    'ws-colon': seed(b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n'),
    'bad-chunk': seed(b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: chunked\r\n\r\n-1\r\n'),
    'chunk-overflow': seed(b'POST / HTTP/1.1\r\n' + H + b'Transfer-Encoding: chunked\r\n\r\n'
                           b'fffffffffffffffff\r\n'),
    'nul-header': seed(b'GET / HTTP/1.1\r\n' + H + b'X: a\x00b\r\n\r\n'),
    'garbage': seed(b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + bytes(range(256))),
    'long-line': seed(b'GET /' + b'a' * 300 + b' HTTP/1.1\r\n\r\n', sel=9),
    'many-headers': seed(b'GET / HTTP/1.1\r\n' + b'X: 1\r\n' * 10 + b'\r\n', sel=1),
    'truncated-headers': seed(b'GET / HTTP/1.1\r\nHost: a\r\nX-Trunc'),
    'truncated-body': seed(b'POST / HTTP/1.1\r\n' + H + b'Content-Length: 100\r\n\r\nabc'),
    'connect-tunnel': seed(b'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n\x16\x03',
                           b'HTTP/1.1 200 OK\r\n\r\n\x16\x03\x03'),
    'connect-refused': seed(b'CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\n' + H +
                            b'\r\n', b'HTTP/1.1 407 Auth\r\nContent-Length: 0\r\n\r\n'),
    'upgrade': seed(b'GET /ws HTTP/1.1\r\n' + H + b'Upgrade: websocket\r\n\r\n',
                    b'HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\n\r\n\x81\x00'),
    'gzip': seed(b'GET / HTTP/1.1\r\n' + H + b'\r\n', b'HTTP/1.1 200 OK\r\nContent-Encoding: '
                 b'gzip\r\nContent-Length: %d\r\n\r\n' % len(zpage) + zpage),
    'deflate-zlib-chunked': seed(b'GET / HTTP/1.1\r\n' + H + b'\r\n',
                                 b'HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n'
                                 b'Transfer-Encoding: chunked\r\n\r\n%x\r\n' % len(dpage) +
                                 dpage + b'\r\n0\r\n\r\n'),
    'deflate-raw': seed(b'GET / HTTP/1.1\r\n' + H + b'\r\n', b'HTTP/1.1 200 OK\r\nContent-'
                        b'Encoding: deflate\r\n\r\n' + rpage),
    'gzip-two-members': seed(b'GET / HTTP/1.1\r\n' + H + b'\r\n', b'HTTP/1.1 200 OK\r\n'
                             b'Content-Encoding: gzip\r\n\r\n' + gz(b'one ') + gz(b'two')),
    'gzip-bomb': seed(b'GET / HTTP/1.1\r\n' + H + b'\r\n', b'HTTP/1.1 200 OK\r\nContent-'
                      b'Encoding: gzip\r\nContent-Length: %d\r\n\r\n' % len(bomb) + bomb, sel=12),
    'gzip-corrupt': seed(b'GET / HTTP/1.1\r\n' + H + b'\r\n', b'HTTP/1.1 200 OK\r\nContent-'
                         b'Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00garbage'),
    'resp-no-request': seed(b'', b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'),
    'resp-bad-status': seed(b'GET / HTTP/1.1\r\n' + H + b'\r\n', b'HTTP/1.1 2x0  Odd\r\n\r\n'),
    'depth': seed(b'POST / HTTP/1.1\r\n' + H + b'Content-Length: 100\r\n\r\n' + b'z' * 100 +
                  b'GET /next HTTP/1.1\r\n' + H + b'\r\n', sel=10),
    'empty': b'\x00\x00\x00\x00',
}
os.makedirs(d, exist_ok=True)
for name, data in cases.items():
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)
