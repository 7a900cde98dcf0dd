"""The sync messages of SPEC.md §3-§5, encoded and decoded from the columnar protobuf.

Written from SPEC.md, doorstep_sync.proto and the vectors alone. Values are tuples:
("null",), ("bool", b), ("int", n), ("text", s), ("date", days), ("id", 16 bytes), ("ids", [16 bytes]).
Record ids are 16 bytes in the UUID's byte order. Version vectors are dicts replica -> counter.
"""
from dataclasses import dataclass, field as dc_field

import doorstep_sync_pb2 as pb

MASK64 = (1 << 64) - 1


def signed64(n):
    """An unsigned 64-bit difference as the signed value a sint64 column holds."""
    n &= MASK64
    return n - (1 << 64) if n >= 1 << 63 else n


@dataclass
class Change:
    replica: int
    counter: int
    collection: int
    record_id: bytes
    scope: int
    op: tuple  # ("set", f, v) | ("transition", f, from, to) | ("create", {f: v}) | ("delete",)
    context: dict
    hlc: int
    author: str
    schema_version: int


@dataclass
class Sibling:
    replica: int
    counter: int
    hlc: int
    author: str
    value: tuple = ("null",)

    @property
    def dot(self):
        return (self.replica, self.counter)


@dataclass
class RecordState:
    collection: int
    record_id: bytes
    scope: int
    version: dict
    created: Sibling = None
    fields: dict = dc_field(default_factory=dict)  # field number -> [Sibling] in dot order
    tombstones: list = dc_field(default_factory=list)

    @property
    def is_deleted(self):
        return bool(self.tombstones) and all(not s for s in self.fields.values())


# --- values (§5 ValueColumns) ---------------------------------------------------------------

def id_card_packed(text):
    b = text.encode()
    if len(b) != 18 or not (0x31 <= b[0] <= 0x39) or not all(0x30 <= c <= 0x39 for c in b[:17]):
        return None
    if b[17] == ord("X"):
        check = 10
    elif 0x30 <= b[17] <= 0x39:
        check = b[17] - 0x30
    else:
        return None
    return int(b[:17]) * 11 + check


def digits_packed(text):
    b = text.encode()
    if not (1 <= len(b) <= 18) or not (0x31 <= b[0] <= 0x39) or not all(0x30 <= c <= 0x39 for c in b):
        return None
    return int(b)


class ValueWriter:
    def __init__(self):
        self.kinds, self.ids = bytearray(), bytearray()
        self.ints, self.texts, self.dates, self.id_counts, self.id_cards, self.digits = [], [], [], [], [], []

    def append(self, v):
        k = v[0]
        if k == "null":
            self.kinds.append(0)
        elif k == "bool":
            self.kinds.append(2 if v[1] else 1)
        elif k == "int":
            self.kinds.append(3); self.ints.append(v[1])
        elif k == "text":
            card, number = id_card_packed(v[1]), digits_packed(v[1])
            if card is not None:
                self.kinds.append(8); self.id_cards.append(card)
            elif number is not None:
                self.kinds.append(9); self.digits.append(number)
            else:
                self.kinds.append(4); self.texts.append(v[1])
        elif k == "date":
            self.kinds.append(5); self.dates.append(v[1])
        elif k == "id":
            self.kinds.append(6); self.ids += v[1]
        elif k == "ids":
            self.kinds.append(7); self.id_counts.append(len(v[1]))
            for i in v[1]:
                self.ids += i
        else:
            raise ValueError(f"unknown value {v!r}")

    def fill(self, m):
        m.kinds = bytes(self.kinds)
        m.ints.extend(self.ints); m.texts.extend(self.texts); m.dates.extend(self.dates)
        m.ids = bytes(self.ids)
        m.id_counts.extend(self.id_counts); m.id_cards.extend(self.id_cards); m.digits.extend(self.digits)


class ValueReader:
    def __init__(self, m):
        self.m, self.pos = m, {"k": 0, "ints": 0, "texts": 0, "dates": 0, "ids": 0, "id_counts": 0, "id_cards": 0, "digits": 0}

    def _take(self, column):
        seq = getattr(self.m, column)
        i = self.pos[column]
        if i >= len(seq):
            raise ValueError(f"value column {column} exhausted")
        self.pos[column] = i + 1
        return seq[i]

    def _id(self):
        i = self.pos["ids"]
        if i + 16 > len(self.m.ids):
            raise ValueError("ids exhausted")
        self.pos["ids"] = i + 16
        return bytes(self.m.ids[i:i + 16])

    def next(self):
        k = self.pos["k"]
        if k >= len(self.m.kinds):
            raise ValueError("more values referenced than sent")
        self.pos["k"] = k + 1
        kind = self.m.kinds[k]
        if kind == 0: return ("null",)
        if kind in (1, 2): return ("bool", kind == 2)
        if kind == 3: return ("int", self._take("ints"))
        if kind == 4: return ("text", self._take("texts"))
        if kind == 5: return ("date", self._take("dates"))
        if kind == 6: return ("id", self._id())
        if kind == 7: return ("ids", [self._id() for _ in range(self._take("id_counts"))])
        if kind == 8:
            n = self._take("id_cards")
            body, check = divmod(n, 11)
            return ("text", str(body) + ("X" if check == 10 else str(check)))
        if kind == 9: return ("text", str(self._take("digits")))
        raise ValueError(f"unknown value kind {kind}")

    def finish(self):
        m, p = self.m, self.pos
        left = {"kinds": len(m.kinds) - p["k"], "ids": len(m.ids) - p["ids"]}
        for c in ("ints", "texts", "dates", "id_counts", "id_cards", "digits"):
            left[c] = len(getattr(m, c)) - p[c]
        bad = {c: n for c, n in left.items() if n}
        if bad:
            raise ValueError(f"value columns not consumed: {bad}")


class Table:
    """Entries in order of first use (SPEC §5, ordering rules)."""
    def __init__(self):
        self.entries, self.at = [], {}

    def index(self, e):
        if e not in self.at:
            self.at[e] = len(self.entries)
            self.entries.append(e)
        return self.at[e]


class RecordColumns:
    """The per-record key columns both bulk messages share, and a version vector per record."""
    def __init__(self, message, replicas):
        self.m, self.replicas = message, replicas
        self.ids, self.collections, self.previous_scope = bytearray(), bytearray(), 0

    def append(self, collection, record_id, scope, vector, sizes, replica_column, counter_column):
        self.ids += record_id
        self.collections.append(collection)
        self.m.scope_deltas.append(scope - self.previous_scope)
        self.previous_scope = scope
        entries = sorted(vector.items())
        sizes.append(len(entries))
        for r, n in entries:
            replica_column.append(self.replicas.index(r)); counter_column.append(n)


# --- ChangeBatch -----------------------------------------------------------------------------

def groups(changes):
    out = []
    for c in changes:
        if out:
            p = out[-1][-1]
            derived = dict(p.context); derived[p.replica] = max(derived.get(p.replica, 0), p.counter)
            if (p.collection, p.record_id) == (c.collection, c.record_id) and p.schema_version == c.schema_version \
                    and c.context == derived and p.scope == c.scope:
                out[-1].append(c)
                continue
        out.append([c])
    return out


def encode_batch(changes, sender, schema_version):
    b = pb.ChangeBatch()
    replicas, authors, values = Table(), Table(), ValueWriter()
    replicas.index(sender)
    prev_counter = prev_hlc = 0
    keys, versions = RecordColumns(b, replicas), []
    for g in groups(changes):
        first = g[0]
        keys.append(first.collection, first.record_id, first.scope, first.context,
                    b.context_sizes, b.context_replicas, b.context_counters)
        b.change_counts.append(len(g))
        versions.append(first.schema_version)
        for c in g:
            b.counter_deltas.append(signed64(c.counter - prev_counter)); prev_counter = c.counter
            b.hlc_deltas.append(signed64(c.hlc - prev_hlc)); prev_hlc = c.hlc
            b.author_indexes.append(authors.index(c.author))
            kind = c.op[0]
            if kind == "set":
                b.ops.append(c.op[1] << 2); values.append(c.op[2])
            elif kind == "transition":
                b.ops.append(c.op[1] << 2 | 1); values.append(c.op[2]); values.append(c.op[3])
            elif kind == "create":
                b.ops.append(2)
                fields = sorted(c.op[1].items())
                b.create_sizes.append(len(fields))
                for f, v in fields:
                    b.create_fields.append(f); values.append(v)
            else:
                b.ops.append(3)
    b.replicas.extend(replicas.entries)
    b.authors.extend(authors.entries)
    b.record_ids, b.collections = bytes(keys.ids), bytes(keys.collections)
    values.fill(b.values)
    if any(v != schema_version for v in versions):
        b.schema_versions.extend(versions)
    return b


def decode_batch(b, schema_version):
    groups_n = len(b.collections)
    if len(b.record_ids) != 16 * groups_n or len(b.scope_deltas) != groups_n or len(b.change_counts) != groups_n:
        raise ValueError("inconsistent group columns")
    values = ValueReader(b.values)
    changes = []
    scope = counter = hlc = 0
    ctx_at = op_at = create_at = create_field_at = 0
    sender = b.replicas[0] if b.replicas else 0
    for g in range(groups_n):
        scope += b.scope_deltas[g]
        size = b.context_sizes[g]
        context = {b.replicas[b.context_replicas[i]]: b.context_counters[i] for i in range(ctx_at, ctx_at + size)}
        ctx_at += size
        version = b.schema_versions[g] if len(b.schema_versions) else schema_version
        for _ in range(b.change_counts[g]):
            counter = (counter + b.counter_deltas[op_at]) & MASK64
            hlc = (hlc + b.hlc_deltas[op_at]) & MASK64
            op, f = b.ops[op_at] & 3, b.ops[op_at] >> 2
            if op == 0:
                operation = ("set", f, values.next())
            elif op == 1:
                operation = ("transition", f, values.next(), values.next())
            elif op == 2:
                n = b.create_sizes[create_at]; create_at += 1
                created = {}
                for _ in range(n):
                    created[b.create_fields[create_field_at]] = values.next(); create_field_at += 1
                operation = ("create", created)
            else:
                operation = ("delete",)
            c = Change(sender, counter, b.collections[g], bytes(b.record_ids[16 * g:16 * g + 16]), scope, operation,
                       context, hlc, b.authors[b.author_indexes[op_at]], version)
            changes.append(c)
            context = dict(context); context[sender] = max(context.get(sender, 0), counter)
            op_at += 1
    values.finish()
    return changes


# --- StateBlock ------------------------------------------------------------------------------

def encode_block(states):
    b = pb.StateBlock()
    replicas, authors, values = Table(), Table(), ValueWriter()
    flags = bytearray()
    prev_create = 0

    def explicit(s, st, base):
        b.sibling_replicas.append(replicas.index(s.replica))
        b.sibling_counter_deltas.append(signed64(s.counter - st.version.get(s.replica, 0)))
        b.sibling_hlc_deltas.append(signed64(s.hlc - base))
        b.sibling_authors.append(authors.index(s.author))

    keys = RecordColumns(b, replicas)
    for st in states:
        keys.append(st.collection, st.record_id, st.scope, st.version, b.version_sizes, b.version_replicas, b.version_counters)
        c = st.created
        if c:
            flags.append(1)
            b.created_replicas.append(replicas.index(c.replica))
            b.created_counter_deltas.append(signed64(c.counter - st.version.get(c.replica, 0)))
            b.created_hlc_deltas.append(signed64(c.hlc - prev_create)); prev_create = c.hlc
            b.created_authors.append(authors.index(c.author))
        else:
            flags.append(0)
        base = c.hlc if c else 0
        live = sorted((f, s) for f, s in st.fields.items() if s)
        b.field_counts.append(len(live))
        prev_field = 0
        for f, siblings in live:
            b.field_ids.append(f - prev_field); prev_field = f
            siblings = sorted(siblings, key=lambda s: s.dot)
            one = siblings[0]
            if c and len(siblings) == 1 and (one.replica, one.counter, one.hlc, one.author) == (c.replica, c.counter, c.hlc, c.author):
                b.sibling_counts.append(0); values.append(one.value)
            else:
                b.sibling_counts.append(len(siblings))
                for s in siblings:
                    explicit(s, st, base); values.append(s.value)
        b.tombstone_counts.append(len(st.tombstones))
        for t in sorted(st.tombstones, key=lambda s: s.dot):
            explicit(t, st, base)
    b.replicas.extend(replicas.entries)
    b.authors.extend(authors.entries)
    b.record_ids, b.collections, b.created_flags = bytes(keys.ids), bytes(keys.collections), bytes(flags)
    values.fill(b.values)
    return b


def decode_block(b):
    n = len(b.collections)
    values = ValueReader(b.values)
    states = []
    scope = create_hlc = 0
    v_at = c_at = f_at = s_at = 0

    def sibling(version, base, value):
        nonlocal s_at
        r = b.replicas[b.sibling_replicas[s_at]]
        s = Sibling(r, (version.get(r, 0) + b.sibling_counter_deltas[s_at]) & MASK64,
                    (base + b.sibling_hlc_deltas[s_at]) & MASK64, b.authors[b.sibling_authors[s_at]], value)
        s_at += 1
        return s

    for i in range(n):
        scope += b.scope_deltas[i]
        size = b.version_sizes[i]
        version = {b.replicas[b.version_replicas[j]]: b.version_counters[j] for j in range(v_at, v_at + size)}
        v_at += size
        created = None
        if b.created_flags[i] == 1:
            r = b.replicas[b.created_replicas[c_at]]
            create_hlc = (create_hlc + b.created_hlc_deltas[c_at]) & MASK64
            created = Sibling(r, (version.get(r, 0) + b.created_counter_deltas[c_at]) & MASK64, create_hlc,
                              b.authors[b.created_authors[c_at]])
            c_at += 1
        base = created.hlc if created else 0
        fields, fid = {}, 0
        for _ in range(b.field_counts[i]):
            fid += b.field_ids[f_at]
            count = b.sibling_counts[f_at]; f_at += 1
            if count == 0:
                fields[fid] = [Sibling(created.replica, created.counter, created.hlc, created.author, values.next())]
            else:
                fields[fid] = sorted((sibling(version, base, values.next()) for _ in range(count)), key=lambda s: s.dot)
        tombstones = sorted((sibling(version, base, ("null",)) for _ in range(b.tombstone_counts[i])), key=lambda s: s.dot)
        states.append(RecordState(b.collections[i], bytes(b.record_ids[16 * i:16 * i + 16]), scope, version, created, fields, tombstones))
    values.finish()
    return states


# --- whole messages --------------------------------------------------------------------------

@dataclass
class Request:
    schema_version: int
    replica: int
    app_version: str
    cursors: dict
    changes: list
    health: tuple = (0, 0, 0, -1, 0)  # outbox, oldest unsynced ms, local records, free storage, rejected
    page_limit: int = 500
    device_time_ms: int = 0
    protocol_version: int = 1


@dataclass
class Response:
    server_time_ms: int
    acked: list
    rejections: list  # (counter, reason, message)
    page: list
    cursors: dict
    has_more: bool
    digests: dict  # village -> (high, low, count)
    dropped: list
    rebootstrap: list
    warnings: list  # (code, message)
    protocol_version: int = 1


def encode_request(r):
    m = pb.SyncRequest(protocol_version=r.protocol_version, schema_version=r.schema_version, replica=r.replica,
                       app_version=r.app_version, page_limit=r.page_limit, device_time_ms=r.device_time_ms)
    for v, p in sorted(r.cursors.items()):
        m.cursors.add(village=v, position=p)
    if r.changes:
        m.batch.CopyFrom(encode_batch(r.changes, r.replica, r.schema_version))
    o, oldest, local, free, rejected = r.health
    m.health.CopyFrom(pb.DeviceHealth(outbox_count=o, oldest_unsynced_ms=oldest, local_records=local,
                                      free_storage_bytes=free, rejected_count=rejected))
    return m.SerializeToString()


def decode_request(body):
    m = pb.SyncRequest.FromString(body)
    h = m.health
    return Request(m.schema_version, m.replica, m.app_version, {c.village: c.position for c in m.cursors},
                   decode_batch(m.batch, m.schema_version) if m.HasField("batch") else [],
                   (h.outbox_count, h.oldest_unsynced_ms, h.local_records, h.free_storage_bytes, h.rejected_count),
                   m.page_limit, m.device_time_ms, m.protocol_version)


def encode_response(r):
    m = pb.SyncResponse(protocol_version=r.protocol_version, server_time_ms=r.server_time_ms, has_more=r.has_more)
    m.acked_counters.extend(r.acked)
    for counter, reason, message in r.rejections:
        m.rejections.add(counter=counter, reason=reason, message=message)
    if r.page:
        m.page.CopyFrom(encode_block(r.page))
    for v, p in sorted(r.cursors.items()):
        m.cursors.add(village=v, position=p)
    for v, (high, low, count) in sorted(r.digests.items()):
        m.digests.add(village=v, digest_high=high, digest_low=low, record_count=count)
    m.dropped_villages.extend(r.dropped)
    m.rebootstrap_villages.extend(r.rebootstrap)
    for code, message in r.warnings:
        m.warnings.add(code=code, message=message)
    return m.SerializeToString()


def decode_response(body):
    m = pb.SyncResponse.FromString(body)
    return Response(m.server_time_ms, list(m.acked_counters), [(x.counter, x.reason, x.message) for x in m.rejections],
                    decode_block(m.page) if m.HasField("page") else [], {c.village: c.position for c in m.cursors},
                    m.has_more, {d.village: (d.digest_high, d.digest_low, d.record_count) for d in m.digests},
                    list(m.dropped_villages), list(m.rebootstrap_villages), [(w.code, w.message) for w in m.warnings],
                    m.protocol_version)
