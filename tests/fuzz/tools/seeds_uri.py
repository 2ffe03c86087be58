#!/usr/bin/python3
# Regenerates the seed corpus of fuzz_uri (tests/fuzz/corpus/uri).
import os
d = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'corpus', 'uri')
FULL = b'\xff'          # output size = input length + 31: never truncated
def sz(n): return bytes([n])
cases = {
 'plain': FULL + b'/index.html',
 'dots': FULL + b'/a/./b/../c/./../../d',
 'encoded-dots-above-root': FULL + b'/%2e%2e/%2E%2e/x',
 'dup-slashes': FULL + b'//a///b////',
 'query-plus': FULL + b'/search?q=a+b&x=/../y%2b',
 'u-encoding': FULL + b'/%u002e%u002e/%u2215%U0041%ud800',
 'u-truncated': FULL + b'/a%u00',
 'double-encoding': FULL + b'/%252e%252e/%25%32%65/%25u002e',
 'overlong': FULL + b'/%c0%ae%c0%ae/%c0%af%c1%9c%e0%80%ae%f0%80%80%ae',
 'overlong-query': FULL + b'/?%c0%ae%c0%80',
 'invalid-utf8': FULL + b'/%ff%80%c3%e2%82/%ed%a0%80%f4%90%80%80\xc3(',
 'raw-utf8': FULL + '/caf\u00e9/\u20ac'.encode(),
 'backslash': FULL + b'\\..\\..\\windows\\win.ini',
 'nul': FULL + b'/a\x00b%00c?d=%00',
 'bad-escapes': FULL + b'/%zz/%4g/%/%%41?q=%a',
 'bad-escape-end': FULL + b'/a%4',
 'bad-chars': FULL + b'/a b"<>^`{|}\x7f\t',
 'absolute': FULL + b'http://user:pw@example.com:8080/a/../b?x=1#frag',
 'absolute-ipv6': FULL + b'http://[2001:db8::1]:80',
 'absolute-empty': FULL + b'http://',
 'fragment': FULL + b'/a#b?c/../d',
 'asterisk': FULL + b'*',
 'authority': FULL + b'example.com:443',
 'relative': FULL + b'../../etc/passwd',
 'empty': b'',
 'empty-target': FULL,
 'trunc-small': sz(5) + b'/aaaa/bbbb/../../cccc?q=1',
 'trunc-zero': sz(0) + b'/a/b',
 'trunc-hidden-pop': sz(3) + b'/aaaaaaa/../b',
 'trunc-query': sz(6) + b'/a?bcdefgh#ij',
 'trunc-relative': sz(2) + b'abcdef/../x',
 'many-slashes': FULL + b'/a' * 150,
 'deep-climb': FULL + b'/..' * 200 + b'/x',
 'push-pop': FULL + b'/ab' * 100 + b'/..' * 101,
 'mixed-evasion': sz(40) + b'/cgi-bin/.%2e/%2e%2e/%c0%ae./..%5c..%255c/bin/sh?%uff0e',
}
for name, data in cases.items():
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)
print(len(cases))
