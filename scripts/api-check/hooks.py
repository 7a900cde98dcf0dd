# Schemathesis hooks for scripts/check-api.sh: data a JSON schema cannot describe.
import datetime

import schemathesis
from hypothesis import strategies as st

# GB 11643 check digit: weights 2^(17-i) mod 11, remainder → "10X98765432".
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
# GB/T 2260 province codes, as the server's ProvinceCodes.
PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
             50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82]


@st.composite
def id_card_numbers(draw):
    """Resident ID numbers the server accepts: a county code of a province, a birth date from 1900 to
    yesterday, a sequence number and the check digit (format cn-id-card-number)."""
    province = draw(st.sampled_from(PROVINCES))
    region = province * 10000 + draw(st.integers(1, 99)) * 100 + draw(st.integers(1, 99))
    born = draw(st.dates(datetime.date(1900, 1, 1), datetime.date.today() - datetime.timedelta(days=1)))
    sequence = draw(st.integers(0, 999))
    body = f"{region:06d}{born:%Y%m%d}{sequence:03d}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


schemathesis.openapi.format("cn-id-card-number", id_card_numbers())


# A sync body is bytes (a deflated protobuf message): sent as drawn.
@schemathesis.serializer("application/x-protobuf")
def protobuf_bytes(ctx, value):
    return value if isinstance(value, bytes) else str(value).encode()
