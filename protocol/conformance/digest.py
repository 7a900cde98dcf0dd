"""The canonical record encoding and the digests of SPEC.md §13, written from the SPEC alone."""
import struct

MASK64 = (1 << 64) - 1
HIGH_KEYS = (0x646F6F7273746570, 0x73636F7065646967)
LOW_KEYS = (0x7265636F72647374, 0x6174656469676573)


def rotl(x, n):
    return ((x << n) | (x >> (64 - n))) & MASK64


def siphash24(data, k0, k1):
    v0, v1 = 0x736F6D6570736575 ^ k0, 0x646F72616E646F6D ^ k1
    v2, v3 = 0x6C7967656E657261 ^ k0, 0x7465646279746573 ^ k1

    def rounds(n):
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & MASK64; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
            v2 = (v2 + v3) & MASK64; v3 = rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & MASK64; v3 = rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & MASK64; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)

    whole = len(data) - len(data) % 8
    for i in range(0, whole, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v3 ^= m; rounds(2); v0 ^= m
    last = ((len(data) & 0xFF) << 56) | int.from_bytes(data[whole:], "little")
    v3 ^= last; rounds(2); v0 ^= last
    v2 ^= 0xFF
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80); n >>= 7
    out.append(n)
    return bytes(out)


def zigzag(n):
    return varint(((n << 1) ^ (n >> 63)) & MASK64)


def record_id(uuid_bytes):
    """The id's two 64-bit halves (high, then low), each little-endian."""
    return uuid_bytes[:8][::-1] + uuid_bytes[8:][::-1]


def vector(v):
    out = bytearray(varint(len(v)))
    for r, n in sorted(v.items()):
        out += struct.pack("<Q", r) + varint(n)
    return bytes(out)


def value(v):
    k = v[0]
    if k == "null": return b"\x00"
    if k == "bool": return b"\x02" if v[1] else b"\x01"
    if k == "int": return b"\x03" + zigzag(v[1])
    if k == "text":
        t = v[1].encode()
        return b"\x04" + varint(len(t)) + t
    if k == "date": return b"\x05" + zigzag(v[1])
    if k == "id": return b"\x06" + record_id(v[1])
    if k == "ids": return b"\x07" + varint(len(v[1])) + b"".join(record_id(i) for i in v[1])
    raise ValueError(v)


def sibling(s):
    a = s.author.encode()
    return struct.pack("<Q", s.replica) + varint(s.counter) + varint(s.hlc) + varint(len(a)) + a + value(s.value)


def encoding(st):
    out = bytearray([st.collection]) + record_id(st.record_id) + varint(st.scope) + vector(st.version)
    out += (b"\x01" + sibling(st.created)) if st.created else b"\x00"
    live = sorted((f, s) for f, s in st.fields.items() if s)
    out += varint(len(live))
    for f, siblings in live:
        out += varint(f) + varint(len(siblings))
        for s in sorted(siblings, key=lambda s: s.dot):
            out += sibling(s)
    out += varint(len(st.tombstones))
    for t in sorted(st.tombstones, key=lambda s: s.dot):
        out += sibling(t)
    return bytes(out)


def record_digest(st):
    e = encoding(st)
    return siphash24(e, *HIGH_KEYS), siphash24(e, *LOW_KEYS)


def village_digest(states):
    """(high, low, count) over the live records (a deleted record contributes nothing)."""
    high = low = count = 0
    for st in states:
        if st.is_deleted:
            continue
        h, l = record_digest(st)
        high ^= h; low ^= l; count += 1
    return high, low, count
