"""Attachments (SPEC.md §15, §9), checked against a real server, written from protocol/ alone.

A record of collection 7 syncs like any other record; its bytes travel apart:
`GET`/`PUT /v1/attachments/{id}/upload` in chunks, `GET /v1/attachments/{id}/content` to read them.
Called from kit.py's server checks once the kit's household, visit and filing exist. A check named
"attachment refusal CODE" provoked a refusal of §15.4's table; kit.py counts them as it counts
the rejection reasons of §6.
"""
import hashlib
import http.client
import json
import os
import socket
import time
import urllib.parse
import uuid
import zlib

import codec
import digest

ATTACHMENT = 7
JPEG, PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
# §15.4's refusals that one run against one server cannot provoke, and why.
NOT_PROVOKED = {"file_too_large": "needs the server's cap lowered after a record above it was taken"}


def spec_refusals(kit):
    """The codes of SPEC §15.4's table, in its order."""
    text = (kit.dir / "SPEC.md").read_text()
    section = text[text.index("### 15.4 Refusals"):text.index("### 15.5")]
    return [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]


def call(base, method, path, token=None, body=None, headers=None):
    """One HTTP exchange on its own connection: (status, body, headers with lower-case names), never raising."""
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        return r.status, r.read(), {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


def code_of(body):
    try:
        return json.loads(body).get("code")
    except ValueError:
        return None


def jpeg(size):
    """`size` bytes that start as a JPEG does (FF D8 FF E0), the rest random."""
    return JPEG + b"\xe0" + os.urandom(size - 4)


class Attachments:
    def __init__(self, kit, village):
        self.kit, self.base, self.village = kit, kit.base, village  # the village of the kit's household and visit
        self.check = kit.check

    # --- helpers --------------------------------------------------------------------------

    def record(self, device, household, data, visit=None, sha=None, content_type="image/jpeg", kind="homePhoto"):
        aid = self.kit.new_id()
        named = dict(householdID=("id", household), kind=("text", kind), contentType=("text", content_type),
                     byteCount=("int", len(data)), sha256=("text", sha or hashlib.sha256(data).hexdigest()),
                     takenOn=("date", self.kit.today()))
        if visit:
            named["visitID"] = ("id", visit)
        values = self.kit.values(ATTACHMENT, **named)
        return aid, device.change(ATTACHMENT, aid, self.village, ("create", values), context={})

    @staticmethod
    def path(aid, what):
        return f"/v1/attachments/{uuid.UUID(bytes=aid) if isinstance(aid, bytes) else aid}/{what}"

    def state(self, device, aid):
        status, body, _ = call(self.base, "GET", self.path(aid, "upload"), device.token)
        return status, (json.loads(body) if body else {})

    def put(self, device, aid, offset, chunk, chunk_sha=None):
        status, body, _ = call(self.base, "PUT", self.path(aid, "upload") + f"?offset={offset}", device.token, chunk,
                               {"Content-Type": "application/octet-stream",
                                "Chunk-SHA256": chunk_sha or hashlib.sha256(chunk).hexdigest()})
        return status, (json.loads(body) if body else {})

    def refusal(self, code, status, answer, want_status, extra_ok=True, detail=None):
        got = answer.get("code") if isinstance(answer, dict) else code_of(answer)
        self.check(f"attachment refusal {code}", status == want_status and got == code and extra_ok,
                   detail or (status, answer))

    def cut(self, device, aid, offset, chunk):
        """A PUT whose connection is cut halfway through its body."""
        u = urllib.parse.urlsplit(self.base)
        s = socket.create_connection((u.hostname, u.port), timeout=10)
        head = (f"PUT {self.path(aid, 'upload')}?offset={offset} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
                f"Authorization: Bearer {device.token}\r\nContent-Type: application/octet-stream\r\n"
                f"Chunk-SHA256: {hashlib.sha256(chunk).hexdigest()}\r\nContent-Length: {len(chunk)}\r\n\r\n")
        s.sendall(head.encode() + chunk[:len(chunk) // 2])
        s.close()
        time.sleep(0.3)

    # --- the checks -----------------------------------------------------------------------

    def run(self):
        kit = self.kit
        va1 = kit.va1
        _, body, _ = call(self.base, "GET", "/v1/info")
        limits = json.loads(body)["limits"]
        self.chunk = limits.get("chunkMaxBytes")
        self.check("attachments: /v1/info gives chunkMaxBytes and attachmentMaxBytes",
                   isinstance(self.chunk, int) and self.chunk > 0 and isinstance(limits.get("attachmentMaxBytes"), int), limits)
        self.check("attachments: /v1/info gives the upload budget, at least a chunk (§15.2)",
                   isinstance(limits.get("uploadBurstBytes"), (int, float)) and limits["uploadBurstBytes"] >= (self.chunk or 0)
                   and isinstance(limits.get("uploadBytesPerSecond"), (int, float)) and limits["uploadBytesPerSecond"] > 0
                   and isinstance(limits.get("uploadMinimumChunkBytes"), int), limits)
        self.chunk = self.chunk or 65536
        self.push(va1)
        self.upload(va1)
        self.refused_uploads(va1)
        self.download(va1)
        self.access()
        self.older_schema(va1)

    def push(self, va1):
        """§15.1: the record syncs; a malformed hash or a parent the server does not hold is refused."""
        kit = self.kit
        va1.sync()
        # A home photo of the kit's visit, ~200 KB, and two more records for the refused uploads.
        self.photo = jpeg(200 * 1024 + 123)
        self.a, ca = self.record(va1, kit.h, self.photo, visit=kit.visit)
        self.other = jpeg(self.chunk + 5000)
        self.b, cb = self.record(va1, kit.h, self.other, visit=kit.visit)
        # C's record names the hash of bytes other than the ones that will be sent.
        self.sent_c, claimed = jpeg(self.chunk + 4464), jpeg(self.chunk + 4464)
        self.c, cc = self.record(va1, kit.h, self.sent_c, visit=kit.visit, sha=hashlib.sha256(claimed).hexdigest())
        creates = [ca, cb, cc]
        kit.acked("attachments: va-1 attaches a home photo (and two more records) to its visit", va1.sync(creates), creates)
        st = va1.states.get((ATTACHMENT, self.a))
        got = {f: [s.value for s in v] for f, v in st.fields.items()} if st else {}
        self.check("attachments: the page gives the attachment record back as pushed",
                   st is not None and st.scope == self.village and got.get(kit.field(ATTACHMENT, "sha256")) == [("text", hashlib.sha256(self.photo).hexdigest())]
                   and got.get(kit.field(ATTACHMENT, "visitID")) == [("id", kit.visit)], got)
        self.check("attachments: digests match with attachment records held", not va1.digest_mismatches(), va1.last_digests)

        upper = hashlib.sha256(self.photo).hexdigest().upper()
        kit.expect(va1, self.record(va1, kit.h, self.photo, visit=kit.visit, sha=upper)[1], "invalid_value")
        kit.expect(va1, self.record(va1, kit.h, self.photo, visit=kit.visit, sha="z" * 64)[1], "invalid_value")
        kit.expect(va1, self.record(va1, kit.h, self.photo, visit=kit.new_id())[1], "wrong_record")
        # h2 is the household va-1 filed as a close relative's: no evidence of it by va-1 (§15.1, §12.5).
        kit.expect(va1, self.record(va1, kit.h2, self.photo)[1], "recusal")

    def upload(self, va1):
        """§15.2: chunks of chunkMaxBytes, stopped and cut at several points, resumed from `received`."""
        size, n = len(self.photo), self.chunk
        status, st = self.state(va1, self.a)
        self.check("upload: the state of a new attachment: nothing received, not complete",
                   status == 200 and st.get("received") == 0 and st.get("complete") is False
                   and st.get("sha256") == hashlib.sha256(self.photo).hexdigest() and st.get("byteCount") == size
                   and st.get("contentType") == "image/jpeg" and st.get("chunkMaxBytes") == n
                   and st.get("id") == str(uuid.UUID(bytes=self.a)), (status, st))
        status, st = self.put(va1, self.a, 0, self.photo[:n])
        self.check("upload: the first chunk is taken", status == 200 and st.get("received") == n and not st.get("complete"), (status, st))
        # Cut 1: the connection drops halfway through the second chunk; nothing of it is held.
        self.cut(va1, self.a, n, self.photo[n:2 * n])
        status, st = self.state(va1, self.a)
        self.check("upload: after a cut connection the state still says the first chunk", status == 200 and st.get("received") == n, (status, st))
        # A device that lost track sends from 0: offset_mismatch tells it where to resume.
        status, st = self.put(va1, self.a, 0, self.photo[:n])
        self.refusal("offset_mismatch", status, st, 409, st.get("received") == n)
        resume = st.get("received", n)
        done = False
        stops = 0
        while not done:
            status, st = self.put(va1, self.a, resume, self.photo[resume:resume + n])
            if status != 200:
                self.check("upload: a chunk from received is taken", False, (resume, status, st))
                return
            done = st.get("complete", False)
            if not done:
                # Stop here (the device is switched off, say), then ask the state and resume from it.
                stops += 1
                status, st = self.state(va1, self.a)
                resume = st.get("received")
        self.check(f"upload: resumed from received after {stops} stops and a cut, the file is complete",
                   st.get("received") == size and st.get("complete") is True and stops >= 2, st)
        status, st = self.state(va1, self.a)
        self.check("upload: the state says complete", status == 200 and st.get("complete") is True and st.get("received") == size, (status, st))
        status, st = self.put(va1, self.a, 0, self.photo[:n])
        self.check("upload: a PUT to a complete file is answered 200 with its state, changing nothing",
                   status == 200 and st.get("complete") is True and st.get("received") == size, (status, st))

    def refused_uploads(self, va1):
        """§15.2, §15.4: every chunk check, on records whose upload the kit means to spoil."""
        n, b = self.chunk, self.other
        status, st = self.put(va1, self.b, 0, b[:n] + b"x")
        self.refusal("chunk_too_large", status, st, 413)
        status, st = self.put(va1, self.b, 0, b[:n] + b"xy")
        self.refusal("body_too_large", status, st, 413)
        status, st = self.put(va1, self.b, 0, b"")
        self.refusal("beyond_size", status, st, 413)
        status, st = self.put(va1, self.b, 0, b[:n], chunk_sha=hashlib.sha256(b"something else").hexdigest())
        self.refusal("chunk_hash_mismatch", status, st, 422)
        png = PNG + b[len(PNG):n]
        status, st = self.put(va1, self.b, 0, png)
        self.refusal("content_type_mismatch", status, st, 415)
        status, body, _ = call(self.base, "PUT", self.path(self.b, "upload") + "?offset=abc", va1.token, b[:n],
                               {"Content-Type": "application/octet-stream", "Chunk-SHA256": hashlib.sha256(b[:n]).hexdigest()})
        self.refusal("invalid_argument", status, body, 400)
        status, body, _ = call(self.base, "PUT", self.path(self.b, "upload") + "?offset=0", va1.token, b[:n],
                               {"Content-Type": "application/octet-stream", "Chunk-SHA256": "not-a-hash"})
        self.refusal("invalid_argument", status, body, 400)
        status, body, _ = call(self.base, "GET", "/v1/attachments/not-a-uuid/upload", va1.token)
        self.refusal("invalid_argument", status, body, 400)
        status, st = self.state(va1, self.b)
        self.check("upload: after the refused chunks nothing is held", status == 200 and st.get("received") == 0, (status, st))
        status, body, _ = call(self.base, "GET", self.path(uuid.uuid4(), "upload"), va1.token)
        self.refusal("unknown_attachment", status, body, 404)

        # C: its record names another file's hash.
        c = self.sent_c
        status, st = self.put(va1, self.c, 0, c[:n])
        self.check("upload: the first chunk of a file whose record names another hash is taken", status == 200 and st.get("received") == n, (status, st))
        status, st = self.put(va1, self.c, n, c[n:] + b"\x00" * 10)
        self.refusal("beyond_size", status, st, 413)
        status, st = self.put(va1, self.c, n, c[n:])
        self.refusal("hash_mismatch", status, st, 422, st.get("received") == 0)
        status, st = self.state(va1, self.c)
        self.check("upload: after hash_mismatch the partial bytes are dropped (received 0, not complete)",
                   status == 200 and st.get("received") == 0 and st.get("complete") is False, (status, st))

    def download(self, va1):
        """§15.3: the bytes, their ETag, ranges and a conditional read."""
        photo, size = self.photo, len(self.photo)
        etag = f'"{hashlib.sha256(photo).hexdigest()}"'
        path = self.path(self.a, "content")
        status, body, h = call(self.base, "GET", path, va1.token)
        self.check("download: the whole file is the bytes uploaded, with the ETag of its SHA-256",
                   status == 200 and body == photo and h.get("etag") == etag, (status, len(body), h))
        self.check("download: Content-Type the record's, immutable caching, Accept-Ranges bytes",
                   h.get("content-type", "").split(";")[0] == "image/jpeg" and h.get("accept-ranges") == "bytes"
                   and h.get("cache-control") == "private, max-age=31536000, immutable", h)
        status, body, h = call(self.base, "GET", path, va1.token, headers={"Range": "bytes=10-99"})
        self.check("download: Range bytes=10-99 is 206 with Content-Range and those bytes",
                   status == 206 and body == photo[10:100] and h.get("content-range") == f"bytes 10-99/{size}", (status, len(body), h))
        status, body, h = call(self.base, "GET", path, va1.token, headers={"Range": "bytes=100000-"})
        self.check("download: Range bytes=a- is 206 to the end",
                   status == 206 and body == photo[100000:] and h.get("content-range") == f"bytes 100000-{size - 1}/{size}", (status, len(body), h))
        status, body, h = call(self.base, "GET", path, va1.token, headers={"Range": "bytes=-100"})
        self.check("download: Range bytes=-100 is 206 with the last 100 bytes",
                   status == 206 and body == photo[-100:] and h.get("content-range") == f"bytes {size - 100}-{size - 1}/{size}", (status, len(body), h))
        status, body, h = call(self.base, "GET", path, va1.token, headers={"Range": f"bytes={size}-"})
        self.refusal("range_not_satisfiable", status, body, 416, h.get("content-range") == f"bytes */{size}", (status, body, h))
        status, body, h = call(self.base, "GET", path, va1.token, headers={"If-None-Match": etag})
        self.check("download: If-None-Match with the ETag is 304", status == 304 and not body, (status, body, h))
        status, body, _ = call(self.base, "GET", self.path(self.b, "content"), va1.token)
        self.refusal("not_uploaded", status, body, 404)
        status, body, _ = call(self.base, "GET", self.path(self.c, "content"), va1.token)
        self.check("download: a file dropped by hash_mismatch is not_uploaded", status == 404 and code_of(body) == "not_uploaded", (status, body))
        status, body, _ = call(self.base, "GET", self.path(uuid.uuid4(), "content"), va1.token)
        self.refusal("unknown_attachment", status, body, 404)

    def access(self):
        """§15.1-§15.4: who may read and write: scope, recusal, deletion, administrators; bytes stored once."""
        kit = self.kit
        va2, tr1, other = kit.va2, kit.tr1, kit.budget  # va-budget is assigned V2 only
        tr1.sync()
        status, body, _ = call(self.base, "GET", self.path(self.a, "content"), tr1.token)
        self.check("access: a township reviewer over the village downloads the photo", status == 200 and body == self.photo, status)
        status, body, _ = call(self.base, "GET", self.path(self.a, "upload"), other.token)
        self.refusal("outside_scope", status, body, 403)
        status, body, _ = call(self.base, "GET", self.path(self.a, "content"), other.token)
        self.refusal("outside_scope", status, body, 403)
        status, body, _ = call(self.base, "GET", self.path(self.a, "content"), kit.admin)
        self.check("access: an administrator's token is 403", status == 403, (status, body))
        # The same bytes attached again (by another device) are stored once: complete at once.
        e, ce = self.record(tr1, kit.h, self.photo, visit=kit.visit)
        kit.acked("access: tr-1 attaches the same photo again", tr1.sync([ce]), [ce])
        status, st = self.state(tr1, e)
        self.check("access: the same bytes attached twice are held once: the second record's upload is complete",
                   status == 200 and st.get("complete") is True and st.get("received") == len(self.photo), (status, st))
        # Evidence of h2, the household va-1 filed as a relative's: va-2 attaches it, va-1 may not touch it.
        va2.sync()
        signature = jpeg(3000)
        r, cr = self.record(va2, kit.h2, signature, kind="signature")
        d, cd = self.record(va2, kit.h2, signature, kind="signature")
        kit.acked("access: va-2 attaches two signatures to household 2", va2.sync([cr, cd]), [cr, cd])
        status, body, _ = call(self.base, "GET", self.path(r, "upload"), kit.va1.token)
        self.refusal("recusal", status, body, 403)
        status, st = self.put(va2, r, 0, signature)
        self.check("access: va-2 uploads the signature", status == 200 and st.get("complete") is True, (status, st))
        status, body, _ = call(self.base, "GET", self.path(r, "content"), kit.va1.token)
        self.check("access: va-1 may not download evidence of its relative's household (recusal)",
                   status == 403 and code_of(body) == "recusal", (status, body))
        delete = va2.change(ATTACHMENT, d, self.village, ("delete",))
        kit.acked("access: va-2 deletes its own attachment of an untouched application", va2.sync([delete]), [delete])
        status, body, _ = call(self.base, "GET", self.path(d, "upload"), va2.token)
        self.refusal("attachment_deleted", status, body, 410)
        status, st = self.put(va2, d, 0, signature)
        self.check("access: a deleted attachment's bytes are not taken", status == 410 and st.get("code") == "attachment_deleted", (status, st))
        status, body, _ = call(self.base, "GET", self.path(d, "content"), va2.token)
        self.check("access: a deleted attachment's bytes are not served", status == 410 and code_of(body) == "attachment_deleted", (status, body))

    def older_schema(self, va1):
        """§9: a device of schema 2 is sent no attachment, and digests that leave them out."""
        kit = self.kit
        va1.sync()
        held = {}
        cursors, pages, r = {}, 0, None
        while r is None or r.has_more:
            request = codec.Request(2, va1.replica, "conformance-kit", cursors, [], (0, 0, 0, -1, 0), 5,
                                    int(time.time() * 1000), va1.protocol_version, va1.server_epoch)
            _, raw, _ = call(self.base, "POST", "/v1/sync", va1.token, zlib.compress(codec.encode_request(request), 6),
                             {"Content-Type": "application/x-protobuf", "Content-Encoding": "deflate"})
            r = codec.decode_response(zlib.decompress(raw))
            pages += 1
            for st in r.page:
                held[(st.collection, st.record_id)] = st
            cursors = dict(r.cursors)
        kinds = {c for c, _ in held}
        self.check(f"schema 2: the same device, pulling from 0 ({pages} pages), is sent no attachment",
                   ATTACHMENT not in kinds and kinds and pages > 1, kinds)
        for village, sent in sorted(r.digests.items()):
            mine = digest.village_digest([s for s in held.values() if s.scope == village])
            self.check(f"schema 2: village {village}'s digest is the kit's over the records received", mine == sent, (mine, sent))
        # The schema-3 digest of V1 is the schema-2 one XOR its live attachments' digests, count plus theirs.
        attached = [s for s in va1.states.values() if s.collection == ATTACHMENT and s.scope == self.village and not s.is_deleted]
        h, l, c = r.digests.get(self.village, (0, 0, 0))
        for s in attached:
            x, y = digest.record_digest(s)
            h, l, c = h ^ x, l ^ y, c + 1
        self.check("schema 2: its digest and schema 3's differ by exactly the live attachments",
                   attached and va1.last_digests.get(self.village) == (h, l, c) and not va1.digest_mismatches(),
                   (len(attached), va1.last_digests.get(self.village), (h, l, c)))
        for d in (va1, kit.va2, kit.tr1):
            d.sync()
            self.check(f"{d.worker} holds the server's digests with attachments", not d.digest_mismatches(), d.last_digests)


def run(kit, village):
    Attachments(kit, village).run()
