"""The sync messages of SPEC.md §3-§5, encoded and decoded from the columnar protobuf.

Written from SPEC.md, doorstep_sync.proto and the vectors alone. Values are tuples:
("null",), ("bool", b), ("int", n), ("text", s), ("date", days), ("id", 16 bytes), ("ids", [16 bytes]).
Record ids are 16 bytes in the UUID's byte order. Version vectors are dicts replica -> counter.
Both protocol versions of §5 are spoken: version 2's record handles, counters per replica and
clocks in two columns, version 1's columns as before.
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
    handle: int = 0  # version 2: the server's handle naming the record instead of its id (0: by id)


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
    handle: int = 0  # version 2: the record's handle the page gave (§5.1)

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


class PerReplica:
    """Version 2's counters: each minus the previous counter of the same replica-table index."""
    def __init__(self):
        self.last = {}

    def delta(self, index, counter):
        d = counter - self.last.get(index, 0)
        self.last[index] = counter
        return d

    def counter(self, index, delta):
        self.last[index] = (self.last.get(index, 0) + delta) & MASK64
        return self.last[index]


class Clocks:
    """Version 2's clocks: milliseconds (high 48 bits) as differences, logical counters as they are."""
    def __init__(self, ms_column, logical_column):
        self.ms_column, self.logical_column, self.previous, self.at = ms_column, logical_column, 0, 0

    def append(self, hlc):
        self.ms_column.append((hlc >> 16) - self.previous); self.previous = hlc >> 16
        self.logical_column.append(hlc & 0xFFFF)

    def next(self):
        ms = self.previous + self.ms_column[self.at]
        logical = self.logical_column[self.at]
        if not (0 <= ms < 1 << 48 and logical <= 0xFFFF):
            raise ValueError(f"clock {ms}.{logical} outside 48 + 16 bits")
        self.previous, self.at = ms, self.at + 1
        return ms << 16 | logical


def read_vector(replicas, indexes, counters, deltas, at, size, per_replica, version):
    """Entries at..at+size of a vector column: counters as they are (version 1) or per replica (2)."""
    if version >= 2:
        return {replicas[indexes[i]]: per_replica.counter(indexes[i], deltas[i]) for i in range(at, at + size)}
    return {replicas[indexes[i]]: counters[i] for i in range(at, at + size)}


def handles(deltas):
    """The handles a `record_handles` column of differences stands for."""
    out, previous = [], 0
    for d in deltas:
        previous = (previous + d) & MASK64
        out.append(previous)
    return out


class RecordColumns:
    """The per-record key columns both bulk messages share, and a version vector per record.
    In version 2 a record with a handle gets it in `record_handles`; with `id_for_handle` false
    (a batch) such a record carries no id."""
    def __init__(self, message, replicas, version, id_for_handle=True):
        self.m, self.replicas, self.version, self.id_for_handle = message, replicas, version, id_for_handle
        self.ids, self.collections, self.previous_scope = bytearray(), bytearray(), 0
        self.handles, self.counters = [], PerReplica()

    def append(self, collection, record_id, scope, vector, sizes, replica_column, counter_column, delta_column, handle=0):
        if self.version < 2 or self.id_for_handle or handle == 0:
            self.ids += record_id
        self.handles.append(handle if self.version >= 2 else 0)
        self.collections.append(collection)
        self.m.scope_deltas.append(scope - self.previous_scope)
        self.previous_scope = scope
        entries = sorted(vector.items())
        sizes.append(len(entries))
        for r, n in entries:
            index = self.replicas.index(r)
            replica_column.append(index)
            if self.version >= 2:
                delta_column.append(signed64(self.counters.delta(index, n)))
            else:
                counter_column.append(n)

    def fill(self, handle_column):
        self.m.record_ids, self.m.collections = bytes(self.ids), bytes(self.collections)
        if any(self.handles):
            previous = 0
            for h in self.handles:
                handle_column.append(signed64(h - previous)); previous = h


# --- ChangeBatch -----------------------------------------------------------------------------

def groups(changes, version):
    out = []
    for c in changes:
        if out:
            p = out[-1][-1]
            derived = dict(p.context); derived[p.replica] = max(derived.get(p.replica, 0), p.counter)
            same_name = version < 2 or p.handle == c.handle
            if (p.collection, p.record_id) == (c.collection, c.record_id) and p.schema_version == c.schema_version \
                    and c.context == derived and p.scope == c.scope and same_name:
                out[-1].append(c)
                continue
        out.append([c])
    return out


def encode_batch(changes, sender, schema_version, version=1):
    b = pb.ChangeBatch()
    replicas, authors, values = Table(), Table(), ValueWriter()
    replicas.index(sender)
    prev_counter = prev_hlc = 0
    keys, versions = RecordColumns(b, replicas, version, id_for_handle=False), []
    clocks = Clocks(b.hlc_millisecond_deltas, b.hlc_logicals)
    for g in groups(changes, version):
        first = g[0]
        keys.append(first.collection, first.record_id, first.scope, first.context,
                    b.context_sizes, b.context_replicas, b.context_counters, b.context_counter_deltas, first.handle)
        b.change_counts.append(len(g))
        versions.append(first.schema_version)
        for c in g:
            b.counter_deltas.append(signed64(c.counter - prev_counter)); prev_counter = c.counter
            if version >= 2:
                clocks.append(c.hlc)
            else:
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
    keys.fill(b.record_handles)
    values.fill(b.values)
    if any(v != schema_version for v in versions):
        b.schema_versions.extend(versions)
    return b


def decode_batch(b, schema_version, version=1):
    groups_n = len(b.collections)
    group_handles = handles(b.record_handles) if version >= 2 and len(b.record_handles) else [0] * groups_n
    named = sum(1 for h in group_handles if h == 0)
    if len(b.record_ids) != 16 * named or len(group_handles) != groups_n or len(b.scope_deltas) != groups_n \
            or len(b.change_counts) != groups_n:
        raise ValueError("inconsistent group columns")
    values = ValueReader(b.values)
    changes = []
    scope = counter = hlc = 0
    ctx_at = op_at = create_at = create_field_at = id_at = 0
    per_replica, clocks = PerReplica(), Clocks(b.hlc_millisecond_deltas, b.hlc_logicals)
    sender = b.replicas[0] if b.replicas else 0
    for g in range(groups_n):
        scope += b.scope_deltas[g]
        size = b.context_sizes[g]
        context = read_vector(b.replicas, b.context_replicas, b.context_counters, b.context_counter_deltas,
                              ctx_at, size, per_replica, version)
        ctx_at += size
        handle = group_handles[g]
        record_id = bytes(16)  # named by its handle: the server knows the id
        if handle == 0:
            record_id = bytes(b.record_ids[16 * id_at:16 * id_at + 16]); id_at += 1
        schema = b.schema_versions[g] if len(b.schema_versions) else schema_version
        for _ in range(b.change_counts[g]):
            counter = (counter + b.counter_deltas[op_at]) & MASK64
            hlc = clocks.next() if version >= 2 else (hlc + b.hlc_deltas[op_at]) & MASK64
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
            c = Change(sender, counter, b.collections[g], record_id, scope, operation,
                       context, hlc, b.authors[b.author_indexes[op_at]], schema, handle)
            changes.append(c)
            context = dict(context); context[sender] = max(context.get(sender, 0), counter)
            op_at += 1
    values.finish()
    return changes


# --- StateBlock ------------------------------------------------------------------------------

def encode_block(states, version=1):
    b = pb.StateBlock()
    replicas, authors, values = Table(), Table(), ValueWriter()
    flags = bytearray()
    prev_create = 0

    def explicit(s, st, base):
        b.sibling_replicas.append(replicas.index(s.replica))
        b.sibling_counter_deltas.append(signed64(s.counter - st.version.get(s.replica, 0)))
        b.sibling_hlc_deltas.append(signed64(s.hlc - base))
        b.sibling_authors.append(authors.index(s.author))

    keys = RecordColumns(b, replicas, version)
    clocks = Clocks(b.created_hlc_millisecond_deltas, b.created_hlc_logicals)
    for st in states:
        keys.append(st.collection, st.record_id, st.scope, st.version, b.version_sizes, b.version_replicas, b.version_counters,
                    b.version_counter_deltas, st.handle)
        c = st.created
        if c:
            flags.append(1)
            b.created_replicas.append(replicas.index(c.replica))
            b.created_counter_deltas.append(signed64(c.counter - st.version.get(c.replica, 0)))
            if version >= 2:
                clocks.append(c.hlc)
            else:
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
    keys.fill(b.record_handles)
    b.created_flags = bytes(flags)
    values.fill(b.values)
    return b


def decode_block(b, version=1):
    n = len(b.collections)
    record_handles = handles(b.record_handles) if version >= 2 and len(b.record_handles) else [0] * n
    if len(record_handles) != n or len(b.record_ids) != 16 * n:
        raise ValueError("inconsistent record columns")
    values = ValueReader(b.values)
    states = []
    scope = create_hlc = 0
    v_at = c_at = f_at = s_at = 0
    per_replica, clocks = PerReplica(), Clocks(b.created_hlc_millisecond_deltas, b.created_hlc_logicals)

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
        vector = read_vector(b.replicas, b.version_replicas, b.version_counters, b.version_counter_deltas,
                             v_at, size, per_replica, version)
        v_at += size
        created = None
        if b.created_flags[i] == 1:
            r = b.replicas[b.created_replicas[c_at]]
            create_hlc = clocks.next() if version >= 2 else (create_hlc + b.created_hlc_deltas[c_at]) & MASK64
            created = Sibling(r, (vector.get(r, 0) + b.created_counter_deltas[c_at]) & MASK64, create_hlc,
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
                fields[fid] = sorted((sibling(vector, base, values.next()) for _ in range(count)), key=lambda s: s.dot)
        tombstones = sorted((sibling(vector, base, ("null",)) for _ in range(b.tombstone_counts[i])), key=lambda s: s.dot)
        states.append(RecordState(b.collections[i], bytes(b.record_ids[16 * i:16 * i + 16]), scope, vector, created, fields, tombstones,
                                  record_handles[i]))
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
    server_epoch: int = 0  # version 2: the epoch of the last response applied (SPEC §4, "Restores")


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
    server_epoch: int = 0  # version 2 (SPEC §4, "Restores"); empty in version 1
    applied_through: int = 0
    backed_up_through: int = 0


def encode_request(r):
    m = pb.SyncRequest(protocol_version=r.protocol_version, schema_version=r.schema_version, replica=r.replica,
                       app_version=r.app_version, page_limit=r.page_limit, device_time_ms=r.device_time_ms,
                       server_epoch=r.server_epoch)
    for v, p in sorted(r.cursors.items()):
        m.cursors.add(village=v, position=p)
    if r.changes:
        m.batch.CopyFrom(encode_batch(r.changes, r.replica, r.schema_version, r.protocol_version))
    o, oldest, local, free, rejected = r.health
    m.health.CopyFrom(pb.DeviceHealth(outbox_count=o, oldest_unsynced_ms=oldest, local_records=local,
                                      free_storage_bytes=free, rejected_count=rejected))
    return m.SerializeToString()


def decode_request(body):
    m = pb.SyncRequest.FromString(body)
    h = m.health
    return Request(m.schema_version, m.replica, m.app_version, {c.village: c.position for c in m.cursors},
                   decode_batch(m.batch, m.schema_version, m.protocol_version) if m.HasField("batch") else [],
                   (h.outbox_count, h.oldest_unsynced_ms, h.local_records, h.free_storage_bytes, h.rejected_count),
                   m.page_limit, m.device_time_ms, m.protocol_version, m.server_epoch)


def encode_response(r):
    m = pb.SyncResponse(protocol_version=r.protocol_version, server_time_ms=r.server_time_ms, has_more=r.has_more,
                        server_epoch=r.server_epoch, applied_through=r.applied_through, backed_up_through=r.backed_up_through)
    m.acked_counters.extend(r.acked)
    for counter, reason, message in r.rejections:
        m.rejections.add(counter=counter, reason=reason, message=message)
    if r.page:
        m.page.CopyFrom(encode_block(r.page, r.protocol_version))
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
                    decode_block(m.page, m.protocol_version) if m.HasField("page") else [], {c.village: c.position for c in m.cursors},
                    m.has_more, {d.village: (d.digest_high, d.digest_low, d.record_count) for d in m.digests},
                    list(m.dropped_villages), list(m.rebootstrap_villages), [(w.code, w.message) for w in m.warnings],
                    m.protocol_version, m.server_epoch, m.applied_through, m.backed_up_through)
