"""The conformance kit: checks the golden vectors and a real doorstep-server against SPEC.md.

    python3 kit.py --protocol DIR --server URL --admin-token FILE

Written from protocol/SPEC.md, doorstep_sync.proto, schema.json and the vectors alone.
"""
import argparse
import dataclasses
import datetime
import json
import os
import pathlib
import sys
import time
import uuid
import zlib

import attachments
import codec
import digest
from client import Device, HTTPError, http
import client

V1, V2, OUTSIDE = 140821101001, 140821101002, 140821102001
TOWNSHIP, COUNTY = "140821101", "140821"
HOUSEHOLD, MEMBER, VISIT, LEAD, FILING, NOTICE = 1, 2, 3, 4, 5, 6


class Kit:
    def __init__(self, protocol_dir):
        self.dir = pathlib.Path(protocol_dir)
        self.schema = json.loads((self.dir / "schema.json").read_text())
        self.passed, self.failed = [], []

    def check(self, name, ok, detail=""):
        (self.passed if ok else self.failed).append(name)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else ': ' + str(detail)}", flush=True)

    def field(self, collection, name):
        c = next(c for c in self.schema["collections"] if c["number"] == collection)
        return next(f["number"] for f in c["fields"] if f["name"] == name)

    def values(self, collection, **named):
        return {self.field(collection, k): v for k, v in named.items()}

    def spec_reasons(self):
        """The reason codes of SPEC §6's table, in its order."""
        text = (self.dir / "SPEC.md").read_text()
        section = text[text.index("## 6. Rejection reasons"):text.index("## 7.")]
        return [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]

    # --- vectors (SPEC §10) ---------------------------------------------------------------

    def vectors(self):
        vdir = self.dir / "vectors"
        for pbfile in sorted(vdir.glob("*.pb")):
            name, body = pbfile.stem, pbfile.read_bytes()
            if name.removeprefix("v2-").startswith("request-"):
                again = codec.encode_request(codec.decode_request(body))
            else:
                again = codec.encode_response(codec.decode_response(body))
            self.check(f"vector {name} decodes and re-encodes byte for byte", again == body,
                       f"{len(again)} bytes against {len(body)}")
            deflated = (vdir / f"{name}.pb.deflate").read_bytes()
            self.check(f"vector {name}.pb.deflate inflates to the body and deflating at level 6 gives it",
                       zlib.decompress(deflated) == body and zlib.compress(body, 6) == deflated)
        self.same_push_in_both_versions(vdir)
        records = json.loads((vdir / "record-digests.json").read_text())
        page = codec.decode_response((vdir / f"{records['response']}.pb").read_bytes()).page
        for entry, st in zip(records["records"], page, strict=True):
            e = digest.encoding(st)
            h, l = digest.record_digest(st)
            self.check(f"record {entry['collection']}/{entry['id']}: canonical encoding and digest",
                       e.hex() == entry["encoding"] and f"{h:016x}{l:016x}" == entry["digest"], e.hex())
        for v in records["villages"]:
            h, l, n = digest.village_digest([s for s in page if s.scope == v["village"]])
            self.check(f"village {v['village']} digest", (f"{h:016x}{l:016x}", n) == (v["digest"], v["records"]))

    def same_push_in_both_versions(self, vdir):
        """v2-request-push is request-push with a record named by its handle: the same changes."""
        v1 = codec.decode_request((vdir / "request-push.pb").read_bytes())
        v2 = codec.decode_request((vdir / "v2-request-push.pb").read_bytes())
        by_handle = [c for c in v2.changes if c.handle]
        ids = {c.counter: c.record_id for c in v1.changes}
        named = [dataclasses.replace(c, record_id=ids.get(c.counter, c.record_id), handle=0) for c in v2.changes]
        self.check("v2-request-push names a record by its handle and holds request-push's changes",
                   (v1.protocol_version, v2.protocol_version) == (1, 2) and by_handle and named == v1.changes
                   and all(c.record_id == bytes(16) for c in by_handle), [c.handle for c in v2.changes])
        page = codec.decode_response((vdir / "v2-response-push.pb").read_bytes()).page
        page1 = codec.decode_response((vdir / "response-push.pb").read_bytes()).page
        self.check("v2-response-push's page holds response-push's records, each with a handle",
                   [dataclasses.replace(s, handle=0) for s in page] == page1 and all(s.handle for s in page), [s.handle for s in page])

    # --- a real server ---------------------------------------------------------------------

    def server(self, base, admin_token):
        self.base, self.admin = base, admin_token
        devices = {}
        for wid, role, scope in [("va-1", "villageAssistant", {"villages": [str(V1), str(V2)]}),
                                 ("va-2", "villageAssistant", {"villages": [str(V1)]}),
                                 ("tr-1", "townshipReviewer", {"townships": [TOWNSHIP]}),
                                 ("va-budget", "villageAssistant", {"villages": [str(V2)]})]:
            doc = {"id": wid, "name": {"va-1": "李华", "va-2": "王芳", "tr-1": "赵强", "va-budget": "孙丽"}[wid], "role": role,
                   "villages": [], "townships": [], "counties": [], "cities": []}
            doc.update(scope)
            http(base, "POST", "/v1/admin/workers", doc, admin_token)
            _, body, _ = http(base, "POST", f"/v1/admin/workers/{wid}/enrolment-codes", {}, admin_token)
            # va-2's device is not yet upgraded: it speaks version 1 throughout (§9).
            d = Device(base, wid, protocol_version=1 if wid == "va-2" else 2)
            answer = d.enrol(json.loads(body)["code"])
            self.check(f"enrol {wid} through /v1/enrol", answer["replica"].lower() == f"{d.replica:016x}" and answer["token"].startswith("dst_"))
            devices[wid] = d
        self.va1, self.va2, self.tr1, self.budget = devices["va-1"], devices["va-2"], devices["tr-1"], devices["va-budget"]
        for d in devices.values():
            r = d.sync()
            self.check(f"{d.worker} bootstraps (empty scope, digests match)", not r.rejections and not d.digest_mismatches())
        self.every_change_kind()
        self.restore_fields()
        self.conflict()
        self.repair()
        self.rejections()
        self.stale_handle()
        attachments.run(self, V1)

    def restore_fields(self):
        """§4 "Restores", §9: a version-2 answer names the epoch (1: never restored), the sequence its batch
        reached and the latest backup (none here); a version-1 answer carries none of them."""
        r2, r1 = self.va1.exchange(), self.va2.exchange()
        self.check("a version-2 answer names epoch 1, the sequence reached and no backup; a version-1 answer none of it",
                   (r2.server_epoch, r2.backed_up_through) == (1, 0) and r2.applied_through > 0
                   and (r1.server_epoch, r1.applied_through, r1.backed_up_through) == (0, 0, 0),
                   (r2.server_epoch, r2.applied_through, r2.backed_up_through, r1.server_epoch, r1.applied_through))

    def today(self):
        return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).date().toordinal() \
            - datetime.date(1970, 1, 1).toordinal()

    @staticmethod
    def new_id():
        ms = int(time.time() * 1000)
        b = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
        b[6] = 0x70 | (b[6] & 0x0F)
        b[8] = 0x80 | (b[8] & 0x3F)
        return bytes(b)

    @staticmethod
    def id_number(serial):
        body = f"14082119650312{serial:03d}"
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
        return body + check

    def household(self, device, village=V1, serial=1, **overrides):
        values = self.values(HOUSEHOLD, headName=("text", "王建国"), headIDNumber=("text", self.id_number(serial)),
                             addressDetail=("text", "东张村三组12号"), phone=("text", "13835901234"),
                             category=("text", "ruralDibao"), classification=("text", "stable"), status=("text", "applied"),
                             monthlyStandardFen=("int", 0), monthlyAmountFen=("int", 0), monthlyIncomeFen=("int", 42000),
                             assetsFen=("int", 150000), appliedOn=("date", self.today()), notes=("text", ""))
        values.update(self.values(HOUSEHOLD, **overrides))
        hid = self.new_id()
        return hid, device.change(HOUSEHOLD, hid, village, ("create", values), context={})

    def acked(self, name, response, changes):
        counters = [c.counter for c in changes]
        ok = sorted(response.acked) == sorted(counters) and not response.rejections
        self.check(name, ok, f"acked {response.acked}, rejected {response.rejections}")

    def every_change_kind(self):
        va1, tr1 = self.va1, self.tr1
        self.h, create_h = self.household(va1, serial=1)
        self.h2, create_h2 = self.household(va1, serial=2)
        member = self.new_id()
        create_member = va1.change(MEMBER, member, V1, ("create", self.values(
            MEMBER, householdID=("id", self.h), name=("text", "李秀英"), idNumber=("text", self.id_number(3)),
            relation=("text", "spouse"), disabilityKind=("text", "none"), disabilityGrade=("int", 0),
            seriousIllness=("bool", True), labourAbility=("text", "partial"), status=("text", "present"))), context={})
        self.visit = self.new_id()
        create_visit = va1.change(VISIT, self.visit, V1, ("create", self.values(
            VISIT, householdID=("id", self.h), kind=("text", "applicationInvestigation"), worker=("text", "va-1"),
            date=("date", self.today()), monthlyIncomeFen=("int", 42000), assetsFen=("int", 150000),
            livingCondition=("text", "difficult"), recommendation=("text", "include"), notes=("text", "家中老人卧床"),
            corrects=("null",))), context={})
        lead = self.new_id()
        create_lead = va1.change(LEAD, lead, V1, ("create", self.values(
            LEAD, recordedBy=("text", "va-1"), foundBy=("text", "邻居"), personName=("text", "张三"),
            addressDetail=("text", "二组"), difficulty=("text", "elderly"), description=("text", "独居老人"),
            reportedOn=("date", self.today()), followUpStatus=("text", "open"))), context={})
        filing = self.new_id()
        create_filing = va1.change(FILING, filing, V1, ("create", self.values(
            FILING, staff=("text", "va-1"), household=("id", self.h2), relation=("text", "parent"),
            filedOn=("date", self.today()))), context={})
        creates = [create_h, create_h2, create_member, create_visit, create_lead, create_filing]
        self.acked("va-1 creates a household, member, visit, discovery lead and relative filing", va1.sync(creates), creates)
        notice = self.new_id()
        create_notice = tr1.change(NOTICE, notice, V1, ("create", self.values(
            NOTICE, households=("ids", [self.h]), startsOn=("date", self.today()), endsOn=("date", self.today() + 6),
            objectionCount=("int", 0), objectionNotes=("text", ""))), context={})
        self.acked("tr-1 creates a public notice", tr1.sync([create_notice]), [create_notice])
        tr1.sync()
        kinds = {k for k, _ in tr1.states}
        self.check("tr-1 pulls a record of every collection", kinds == {1, 2, 3, 4, 5, 6}, kinds)

        set_phone = va1.change(HOUSEHOLD, self.h, V1, ("set", self.field(HOUSEHOLD, "phone"), ("text", "13835905678")))
        set_notes = va1.change(HOUSEHOLD, self.h, V1, ("set", self.field(HOUSEHOLD, "notes"), ("text", "已入户")))
        # The member goes first: a member is deleted only while its household is still at `applied`.
        delete = va1.change(MEMBER, member, V1, ("delete",))
        step = va1.change(HOUSEHOLD, self.h, V1, ("transition", self.field(HOUSEHOLD, "status"), ("text", "applied"), ("text", "investigated")))
        changes = [set_phone, set_notes, delete, step]
        self.acked("va-1 sets two fields, makes a step and deletes a member", va1.sync(changes), changes)
        st = va1.states[(HOUSEHOLD, self.h)]
        status = [s.value for s in st.fields[self.field(HOUSEHOLD, "status")]]
        self.check("the page shows the step and the fields", status == [("text", "investigated")]
                   and st.fields[self.field(HOUSEHOLD, "phone")][0].value == ("text", "13835905678"), status)
        m = va1.states[(MEMBER, member)]
        self.check("the deleted member comes back as a tombstone", m.is_deleted and len(m.tombstones) == 1 and not any(m.fields.values()))
        self.check("digests match after pushes (deleted records contribute nothing)", not va1.digest_mismatches(), va1.last_digests)

    def conflict(self):
        va1, va2 = self.va1, self.va2
        va2.sync()
        income = self.field(HOUSEHOLD, "monthlyIncomeFen")
        a = va1.change(HOUSEHOLD, self.h, V1, ("set", income, ("int", 43000)))
        b = va2.change(HOUSEHOLD, self.h, V1, ("set", income, ("int", 39000)))
        self.acked("va-1 sets the income", va1.sync([a]), [a])
        self.acked("va-2, not having seen it, sets the income too", va2.sync([b]), [b])
        va1.sync()
        for d in (va1, va2):
            siblings = d.states[(HOUSEHOLD, self.h)].fields[income]
            values = sorted(s.value[1] for s in siblings)
            self.check(f"{d.worker} sees both incomes as a conflict", values == [39000, 43000], values)
        _, body, _ = http(self.base, "GET", "/v1/conflicts", None, va1.token)
        listed = [c for c in json.loads(body)["conflicts"] if c["id"] == str(uuid.UUID(bytes=self.h))]
        self.check("the conflict is listed for a reviewer", len(listed) == 1, listed)

    def repair(self):
        va1 = self.va1
        va1.sync()
        self.check("va-1's own digest of each village equals the server's", not va1.digest_mismatches() and va1.last_digests)
        held = next(k for k, s in va1.states.items() if s.scope == V1 and not s.is_deleted)
        del va1.states[held]  # a lost record: the device's digest no longer matches
        va1.sync()
        self.check("a lost record shows as a digest mismatch", va1.digest_mismatches() == [V1], va1.digest_mismatches())
        va1.repair(V1)
        self.check("a repair (the village pulled from 0) restores the record and the digest",
                   held in va1.states and not va1.digest_mismatches())

    def expect(self, device, change, reason, extra=()):
        r = device.sync(list(extra) + [change])
        got = [x[1] for x in r.rejections if x[0] == change.counter]
        self.check(f"rejection {reason}", got == [reason], f"{r.rejections} acked {r.acked}")
        return r

    def rejections(self):
        va1, va2, tr1 = self.va1, self.va2, self.tr1
        H, income = self.h, self.field(HOUSEHOLD, "monthlyIncomeFen")
        va1.sync(); tr1.sync()
        s = lambda d, f, v, **kw: d.change(HOUSEHOLD, H, V1, ("set", f, v), **kw)
        self.expect(va1, self.household(va1, village=OUTSIDE, serial=11)[1], "outside_scope")
        self.expect(va1, s(va1, self.field(HOUSEHOLD, "monthlyStandardFen"), ("int", 50000)), "role_not_allowed")
        self.expect(va1, self.household(va1, serial=12, monthlyStandardFen=("null",))[1], "invalid_value")
        # The income holds the conflict of conflict(): an assistant's write there would be role_not_allowed.
        self.expect(va1, s(va1, self.field(HOUSEHOLD, "assetsFen"), ("int", -5)), "invalid_value")
        self.expect(va1, s(va1, self.field(HOUSEHOLD, "status"), ("text", "covered")), "invalid_transition")
        self.expect(va1, s(va1, self.field(HOUSEHOLD, "appliedOn"), ("date", self.today())), "immutable")
        self.expect(va1, s(va1, 99, ("text", "x")), "unknown_field")
        self.expect(va1, va1.change(HOUSEHOLD, H, V2, ("set", self.field(HOUSEHOLD, "phone"), ("text", "13835900000"))), "wrong_record")
        self.expect(va1, va1.change(HOUSEHOLD, self.h2, V1, ("set", income, ("int", 1000))), "recusal")
        self.expect(va1, va1.change(HOUSEHOLD, self.new_id(), V1, ("set", income, ("int", 1000))), "unknown_record")
        ctx = va1.context(HOUSEHOLD, H); ctx[0x1234] = 99
        self.expect(va1, s(va1, self.field(HOUSEHOLD, "phone"), ("text", "13835907777"), context=ctx), "context_ahead")
        self.expect(va1, s(va1, income, ("int", 41000), context={}), "context_regressed")
        self.expect(va1, va1.change(HOUSEHOLD, H, V1, self.household(va1, serial=13)[1].op, context={}), "duplicate_create")
        self.expect(va1, va1.change(VISIT, self.visit, V1, ("delete",)), "not_deletable")
        self.expect(va1, s(va1, income, ("int", 41000), author="va-2"), "author_mismatch")
        self.expect(va1, s(va1, income, ("int", 41000), hlc=(va1.clock.wall() + 2 * 86_400_000) << 16), "clock_ahead")
        self.expect(va1, s(va1, income, ("int", 41000), schema_version=0), "unknown_schema_version")
        # A dot applied before, sent again with other content.
        ok = s(va1, self.field(HOUSEHOLD, "phone"), ("text", "13835901111"))
        self.acked("a set to reuse the dot of", va1.sync([ok]), [ok])
        self.expect(va1, s(va1, self.field(HOUSEHOLD, "phone"), ("text", "13835902222"), counter=ok.counter), "dot_reused")
        # A counter below one the server processed, never sent before.
        va1.counter += 10
        ahead = s(va1, self.field(HOUSEHOLD, "phone"), ("text", "13835903333"))
        self.acked("a change after a gap in the counters", va1.sync([ahead]), [ahead])
        self.expect(va1, s(va1, self.field(HOUSEHOLD, "phone"), ("text", "13835904444"), counter=ahead.counter - 5), "counter_regressed")

        status = self.field(HOUSEHOLD, "status")
        step = lambda d, h, a, b: d.change(HOUSEHOLD, h, V1, ("transition", status, ("text", a), ("text", b)))
        # tr-1 investigates, then may not review its own investigation.
        h3, c3 = self.household(va1, serial=21)
        self.acked("va-1 creates household 3", va1.sync([c3]), [c3])
        tr1.sync()
        r = tr1.sync([step(tr1, h3, "applied", "investigated")])
        self.check("tr-1 investigates household 3", len(r.acked) == 1 and not r.rejections, r.rejections)
        self.expect(tr1, step(tr1, h3, "investigated", "townshipReviewed"), "separation_of_duties")
        # A step from a status the household does not hold.
        h4, c4 = self.household(va1, serial=22)
        self.acked("va-1 creates household 4", va1.sync([c4]), [c4])
        tr1.sync()
        self.expect(tr1, step(tr1, h4, "investigated", "townshipReviewed"), "status_mismatch")
        # The notice gate: no notice lists household 4.
        a = step(va1, h4, "applied", "investigated")
        self.acked("va-1 investigates household 4", va1.sync([a]), [a])
        tr1.sync()
        b = step(tr1, h4, "investigated", "townshipReviewed")
        self.acked("tr-1 reviews household 4", tr1.sync([b]), [b])
        self.expect(tr1, step(tr1, h4, "townshipReviewed", "publicNotice"), "notice_not_ready")
        # Concurrent steps: the status holds two values until a reviewer settles them.
        h5, c5 = self.household(va1, serial=23)
        self.acked("va-1 creates household 5", va1.sync([c5]), [c5])
        va2.sync()
        a = step(va1, h5, "applied", "investigated")
        b = step(va2, h5, "applied", "investigated")
        self.acked("va-1 investigates household 5", va1.sync([a]), [a])
        self.acked("va-2, offline, investigates household 5 too", va2.sync([b]), [b])
        tr1.sync()
        self.expect(tr1, step(tr1, h5, "investigated", "townshipReviewed"), "status_conflict")
        # The day's household budget of a device.
        budget, rejected = self.budget, None
        for n in range(1, 200):
            _, c = self.household(budget, village=V2, serial=100 + n)
            r = budget.sync([c])
            if r.rejections:
                rejected = r.rejections[0][1]
                break
        self.check("rejection creation_budget", rejected == "creation_budget", rejected)

    def stale_handle(self):
        """§5.1: a change named by a handle another write has made stale is refused, with every later
        change of its batch, and recorded nowhere; sent again by id under the same dots, each is
        applied once."""
        va1, tr1, h = self.va1, self.tr1, self.h
        va1.sync(); tr1.sync()
        phone, notes = self.field(HOUSEHOLD, "phone"), self.field(HOUSEHOLD, "notes")
        held = va1.handle(HOUSEHOLD, h)
        self.check("the page gives the household a handle", held > 0, held)
        other = tr1.change(HOUSEHOLD, h, V1, ("set", notes, ("text", "乡镇复核")))
        self.check("tr-1 names the household by its handle", other.handle == held, (other.handle, held))
        self.acked("tr-1 writes the household (its handle moves on)", tr1.sync([other]), [other])
        stale = va1.change(HOUSEHOLD, h, V1, ("set", phone, ("text", "13835906666")))
        later = va1.change(HOUSEHOLD, h, V1, ("set", notes, ("text", "入户核实")))
        self.check("va-1, not having pulled, names it by the stale handle", stale.handle == later.handle == held, stale.handle)
        r = va1.exchange([stale, later])
        self.check("rejection unknown_handle", [x[1] for x in r.rejections] == ["unknown_handle"] * 2 and not r.acked,
                   f"{r.rejections} acked {r.acked}")
        again = [dataclasses.replace(x, handle=0) for x in (stale, later)]
        self.acked("sent again by id under the same dots, both are applied", va1.sync(again), again)
        tr1.sync()
        st = tr1.states[(HOUSEHOLD, h)]
        values = {f: sorted(s.value for s in st.fields[f]) for f in (phone, notes)}
        self.check("the household holds each write once (the notes concurrent: both kept)",
                   values == {phone: [("text", "13835906666")], notes: [("text", "乡镇复核"), ("text", "入户核实")]}
                   and st.version.get(va1.replica) == later.counter, values)
        r = va1.sync(again)
        self.check("a third send of the same dots is acknowledged again, nothing applied twice",
                   sorted(r.acked) == sorted(x.counter for x in again) and not r.rejections, r.rejections)
        for d in (va1, self.va2, tr1):
            d.sync()
            self.check(f"{d.worker} (version {d.protocol_version}) holds the server's digests", not d.digest_mismatches(), d.last_digests)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--protocol", required=True)
    p.add_argument("--server")
    p.add_argument("--admin-token")
    a = p.parse_args()
    kit = Kit(a.protocol)
    client.SCHEMA_VERSION = kit.schema["schemaVersion"]  # the version the kit's changes are written under
    started = time.time()
    kit.vectors()
    if a.server:
        kit.server(a.server.rstrip("/"), pathlib.Path(a.admin_token).read_text().strip())
    reasons = sorted({n.split(" ", 1)[1] for n in kit.passed if n.startswith("rejection ")})
    table = kit.spec_reasons()
    vector = [x[1] for x in codec.decode_response((kit.dir / "vectors/response-rejections.pb").read_bytes()).rejections]
    kit.check("response-rejections lists every reason of SPEC §6, in its order", vector == table, vector)
    if a.server:
        kit.check("every reason of SPEC §6 was provoked against the server", reasons == sorted(table), sorted(set(table) - set(reasons)))
        refusals = sorted({n.split(" ", 2)[2] for n in kit.passed if n.startswith("attachment refusal ")})
        expected = [c for c in attachments.spec_refusals(kit) if c not in attachments.NOT_PROVOKED]
        kit.check("every refusal of SPEC §15.4 was provoked against the server, but "
                  + "; ".join(f"{c} ({why})" for c, why in attachments.NOT_PROVOKED.items()),
                  refusals == sorted(expected), sorted(set(expected) - set(refusals)))
    print(f"conformance: {len(kit.passed)} checks passed, {len(kit.failed)} failed in {time.time() - started:.1f} s; "
          f"rejection reasons provoked: {len(reasons)} ({', '.join(reasons)})"
          + (f"; attachment refusals provoked: {len(refusals)} of {len(attachments.spec_refusals(kit))} ({', '.join(refusals)})" if a.server else ""))
    sys.exit(1 if kit.failed else 0)


if __name__ == "__main__":
    main()
