"""A field device speaking the Doorstep protocol over HTTP, written from SPEC.md (§1-§6, §11.1)."""
import json
import os
import time
import urllib.error
import urllib.request
import zlib

import codec
import digest

SCHEMA_VERSION = 2  # replaced by schema.json's schemaVersion when the kit starts


class HTTPError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status, self.body = status, body


def http(base, method, path, body=None, token=None, headers=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    data = body
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        raise HTTPError(e.code, e.read().decode(errors="replace")) from None


class Clock:
    """SPEC §14: the hybrid logical clock over the wall clock corrected by the server's offset."""
    def __init__(self):
        self.offset, self.last = 0, 0

    def wall(self):
        return int(time.time() * 1000) + self.offset

    def now(self):
        wall, ms, logical = self.wall(), self.last >> 16, self.last & 0xFFFF
        if wall > ms:
            self.last = wall << 16
        else:
            self.last = self.last + 1 if logical < 0xFFFF else (ms + 1) << 16
        return self.last

    def observe(self, remote):
        wall, ms, rms = self.wall(), self.last >> 16, remote >> 16
        physical = max(wall, ms, rms)
        if physical == ms == rms:
            logical = max(self.last & 0xFFFF, remote & 0xFFFF)
        elif physical == ms:
            logical = self.last & 0xFFFF
        elif physical == rms:
            logical = remote & 0xFFFF
        else:
            self.last = physical << 16
            return
        self.last = (physical << 16) + logical + 1 if logical < 0xFFFF else (physical + 1) << 16


class Device:
    """`protocol_version` 2 names records by the handles pages give (§5.1); 1 by their ids."""
    def __init__(self, server, worker, protocol_version=2):
        self.server, self.worker, self.protocol_version = server, worker, protocol_version
        self.replica = int.from_bytes(os.urandom(8), "big") | 1
        self.counter = 0
        self.clock = Clock()
        self.cursors = {}
        self.states = {}  # (collection, id) -> RecordState as the server sent it
        self.sent = {}  # (collection, id) -> {replica: counter} of own changes not yet in a pulled state
        self.token = None
        self.last_digests = {}
        self.server_epoch = 0  # SPEC §4, "Restores": the epoch of the last response applied

    def enrol(self, code):
        _, body, _ = http(self.server, "POST", "/v1/enrol",
                          {"code": code, "replica": f"{self.replica:016x}", "deviceName": f"conformance {self.worker}"})
        answer = json.loads(body)
        self.token = answer["token"]
        self.clock.offset = answer["serverTimeMilliseconds"] - int(time.time() * 1000)
        return answer

    def context(self, collection, record_id):
        """The record's version as this device sees it: the server's state and its own changes since."""
        st = self.states.get((collection, record_id))
        v = dict(st.version) if st else {}
        for r, n in self.sent.get((collection, record_id), {}).items():
            v[r] = max(v.get(r, 0), n)
        return v

    def handle(self, collection, record_id):
        """The handle the last page gave the record (0: none, or version 1)."""
        st = self.states.get((collection, record_id))
        return st.handle if st and self.protocol_version >= 2 else 0

    def change(self, collection, record_id, scope, op, context=None, counter=None, hlc=None, author=None, schema_version=None):
        if counter is None:
            self.counter += 1
            counter = self.counter
        c = codec.Change(self.replica, counter, collection, record_id, scope, op,
                         self.context(collection, record_id) if context is None else context,
                         self.clock.now() if hlc is None else hlc, author or self.worker,
                         SCHEMA_VERSION if schema_version is None else schema_version,
                         0 if op[0] == "create" else self.handle(collection, record_id))
        mine = self.sent.setdefault((collection, record_id), {})
        mine[self.replica] = max(mine.get(self.replica, 0), counter)
        return c

    def exchange(self, changes=(), cursors=None):
        request = codec.Request(SCHEMA_VERSION, self.replica, "conformance-kit", self.cursors if cursors is None else cursors,
                                list(changes), (len(changes), 0, len(self.states), -1, 0), 500, int(time.time() * 1000),
                                self.protocol_version, self.server_epoch if self.protocol_version >= 2 else 0)
        body = zlib.compress(codec.encode_request(request), 6)
        _, raw, headers = http(self.server, "POST", "/v1/sync", body, self.token,
                               {"Content-Type": "application/x-protobuf", "Content-Encoding": "deflate"})
        response = codec.decode_response(zlib.decompress(raw))
        if response.protocol_version != self.protocol_version:
            raise ValueError(f"asked in version {self.protocol_version}, answered in {response.protocol_version}")
        self.apply(response)
        return response

    def apply(self, response):
        self.clock.offset = response.server_time_ms - int(time.time() * 1000)
        self.server_epoch = response.server_epoch or self.server_epoch
        for st in response.page:
            key = (st.collection, st.record_id)
            self.states[key] = st
            self.sent.pop(key, None)
            stamps = [s.hlc for f in st.fields.values() for s in f] + [t.hlc for t in st.tombstones] + ([st.created.hlc] if st.created else [])
            self.clock.observe(max(stamps, default=0))
        for v in response.dropped + response.rebootstrap:
            self.forget(v)
        self.cursors.update(response.cursors)
        if not response.has_more:
            self.last_digests = response.digests

    def forget(self, village):
        for key in [k for k, s in self.states.items() if s.scope == village]:
            del self.states[key]
        self.cursors.pop(village, None)

    def sync(self, changes=()):
        """Pushes `changes` and pulls every page; returns the first response (acks and rejections)."""
        first = self.exchange(changes)
        r = first
        while r.has_more:
            r = self.exchange()
        return first

    def digest_mismatches(self):
        """Villages whose digest differs from the one the server sent with its last page."""
        out = []
        for village, expected in self.last_digests.items():
            held = [s for s in self.states.values() if s.scope == village]
            if digest.village_digest(held) != expected:
                out.append(village)
        return out

    def repair(self, village):
        """SPEC §4: drop the village's states and pull it from position 0 (its cursor left out)."""
        self.forget(village)
        self.sync()
