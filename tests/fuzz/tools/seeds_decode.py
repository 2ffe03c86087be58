#!/usr/bin/python3
# Regenerates the seed corpus of fuzz_decode (tests/fuzz/corpus/decode).
import struct, os
OUT=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'corpus', 'decode')
os.makedirs(OUT, exist_ok=True)
S4=bytes([192,0,2,1]); D4=bytes([198,51,100,2])
S6=bytes.fromhex('20010db8000000000000000000000001'); D6=bytes.fromhex('20010db8000000000000000000000002')
def csum(b):
    if len(b)%2: b+=b'\0'
    s=sum(struct.unpack('!%dH'%(len(b)//2),b))
    while s>>16: s=(s&0xffff)+(s>>16)
    return (~s)&0xffff
def tcp(flags=0x18, data=b'', opts=b''):
    h=struct.pack('!HHIIBBHHH',40000,80,1,2,((20+len(opts))//4)<<4,flags,65535,0,0)+opts
    return h+data
def udp(data=b'', ulen=None):
    return struct.pack('!HHHH',40000,53,8+len(data) if ulen is None else ulen,0)+data
def icmp(t=8,data=b'ping'):
    return struct.pack('!BBHHH',t,0,0,1,1)+data
def l4fix(proto, l4, src, dst, v6):
    off={6:16,17:6,1:2,58:2}.get(proto)
    if off is None or len(l4)<off+2: return l4
    if proto==1: pseudo=b''
    elif v6: pseudo=src+dst+struct.pack('!IxxxB',len(l4),proto)
    else: pseudo=src+dst+struct.pack('!xBH',proto,len(l4))
    c=csum(pseudo+l4[:off]+b'\0\0'+l4[off+2:])
    return l4[:off]+struct.pack('!H',c)+l4[off+2:]
def ip4(proto,l4,frag=0,opts=b'',src=S4,dst=D4,tot=None,fix=True,ver_ihl=None):
    if fix: l4=l4fix(proto,l4,src,dst,False)
    ihl=(20+len(opts))//4
    h=struct.pack('!BBHHHBBH4s4s',ver_ihl if ver_ihl is not None else 0x40|ihl,0,
                  tot if tot is not None else 20+len(opts)+len(l4),0x1234,frag,64,proto,0,src,dst)+opts
    h=h[:10]+struct.pack('!H',csum(h))+h[12:]
    return h+l4
def ip6(nh,rest,l4proto=None,l4off=0,src=S6,dst=D6,plen=None):
    if l4proto is not None:
        rest=rest[:l4off]+l4fix(l4proto,rest[l4off:],src,dst,True)
    return struct.pack('!IHBB16s16s',0x60000000,len(rest) if plen is None else plen,nh,64,src,dst)+rest
def ext(nh,kind,frag=0):
    if kind==44: return struct.pack('!BBHI',nh,0,frag,0xabcd1234)
    if kind==51: return struct.pack('!BBHII',nh,4,0,0x100,1)+b'\0'*12
    return struct.pack('!BBBB',nh,0,1,4)+b'\0'*4
ETH=bytes.fromhex('00112233445566778899aabb')
def eth(et,p,tags=()):
    return ETH+b''.join(struct.pack('!HH',t,100) for t in tags)+struct.pack('!H',et)+p
seeds={}
IP=b'\x00'
def LT(i): return bytes([(i<<1)|1])
v4tcp=ip4(6,tcp(0x18,b'GET / HTTP/1.0\r\n\r\n'))
v6tcp=ip6(6,tcp(0x18,b'GET /x HTTP/1.1\r\nHost: a\r\n\r\n'),6,0)
v4udp=ip4(17,udp(b'\x12\x34\x01\x00\x00\x01'))
seeds['ip4_tcp_http']=IP+v4tcp
seeds['ip4_tcp_syn_opts']=IP+ip4(6,tcp(0x02,b'',b'\x02\x04\x05\xb4\x01\x03\x03\x07'))
seeds['ip4_ipopts_tcp']=IP+ip4(6,tcp(0x10,b'x'),opts=b'\x01\x01\x01\x00')
seeds['ip4_udp']=IP+v4udp
seeds['ip4_udp_zero_csum']=IP+ip4(17,udp(b'abc'),fix=False)
seeds['ip4_icmp_echo']=IP+ip4(1,icmp())
seeds['ip4_gre']=IP+ip4(47,b'\x00\x00\x08\x00'+v4udp)
seeds['ip4_frag_first_udp']=IP+ip4(17,udp(b'A'*24,ulen=3000),frag=0x2000)
seeds['ip4_frag_later']=IP+ip4(17,b'B'*32,frag=0x0004)
seeds['ip4_same_addr']=IP+ip4(6,tcp(0x02),dst=S4)
seeds['ip4_bad_version']=IP+bytes([0x55])+v4tcp[1:]
seeds['ip4_ihl4']=IP+ip4(6,tcp(),ver_ihl=0x44)
seeds['ip4_totlen_big']=IP+ip4(6,tcp(0x10),tot=1000)
seeds['ip4_totlen_zero']=IP+ip4(6,tcp(0x10),tot=0)
seeds['ip4_truncated']=IP+v4tcp[:13]
seeds['ip4_udp_badlen']=IP+ip4(17,udp(b'xyz',ulen=5))
seeds['ip4_tcp_doff4']=IP+ip4(6,tcp(0x10,b'abcd')[:12]+b'\x40'+tcp(0x10,b'abcd')[13:])
seeds['ip4_padding']=IP+v4udp+b'\0'*6
seeds['ip6_tcp_http']=IP+v6tcp
seeds['ip6_udp']=IP+ip6(17,udp(b'hello'),17,0)
seeds['ip6_icmpv6_echo']=IP+ip6(58,icmp(128),58,0)
chain=ext(60,0)+ext(43,60)+ext(51,43)+ext(17,51)
seeds['ip6_ext_chain_udp']=IP+ip6(0,chain+udp(b'q'),17,len(chain))
fr=ext(6,44,0x0001)
seeds['ip6_frag_first_tcp']=IP+ip6(44,fr+tcp(0x10,b'Z'*16),None)
seeds['ip6_frag_later']=IP+ip6(44,ext(17,44,0x0018)+b'C'*24)
ah=ext(6,51)
seeds['ip6_ah_tcp']=IP+ip6(51,ah+tcp(0x10,b'data'),6,len(ah))
seeds['ip6_esp']=IP+ip6(50,b'\0\0\1\0\0\0\0\1'+b'E'*20)
seeds['ip6_ext17']=IP+ip6(60,b''.join(ext(60 if i<16 else 59,60) for i in range(17)))
seeds['ip6_ext_len_over']=IP+ip6(0,b'\x06\xff\x01\x04\0\0\0\0'+tcp(0x10))
seeds['ip6_truncated']=IP+v6tcp[:39]
seeds['ip6_plen_big']=IP+ip6(6,tcp(0x10),plen=400)
seeds['eth_ip4_tcp']=LT(1)+eth(0x0800,v4tcp)
seeds['eth_vlan_ip6']=LT(1)+eth(0x86dd,v6tcp,(0x8100,))
seeds['eth_qinq_ip4']=LT(1)+eth(0x0800,v4udp,(0x88a8,0x8100))
seeds['eth_arp']=LT(1)+eth(0x0806,bytes.fromhex('0001080006040001')+ETH[:6]+S4+b'\0'*6+D4)
seeds['eth_truncated']=LT(1)+ETH+b'\x81'
seeds['null_le_ip4']=LT(0)+struct.pack('<I',2)+v4udp
seeds['null_be_ip6']=LT(0)+struct.pack('>I',30)+v6tcp
seeds['raw_ip4']=LT(2)+v4tcp
seeds['sll_ip4']=LT(3)+bytes.fromhex('0000000100060011223344550000')+b'\x08\x00'+v4udp
seeds['sll2_ip6']=LT(6)+b'\x86\xdd\0\0\0\0\0\2\0\1\0\6'+ETH[:6]+b'\0\0'+v6tcp
for k,v in seeds.items():
    open(os.path.join(OUT,k),'wb').write(v)
print(len(seeds), max(len(v) for v in seeds.values()))
