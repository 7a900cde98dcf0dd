# Schemathesis hooks for scripts/check-api.sh: data a JSON schema cannot describe.
import datetime

import schemathesis
from hypothesis import strategies as st

# GB 11643 check digit: weights 2^(17-i) mod 11, remainder → "10X98765432".
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


@st.composite
def id_card_numbers(draw):
    """Resident ID numbers the server accepts: a region 110000–829999, a birth date from 1900 to
    yesterday, a sequence number and the check digit (format cn-id-card-number)."""
    region = draw(st.integers(110000, 829999))
    born = draw(st.dates(datetime.date(1900, 1, 1), datetime.date.today() - datetime.timedelta(days=1)))
    sequence = draw(st.integers(0, 999))
    body = f"{region:06d}{born:%Y%m%d}{sequence:03d}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


schemathesis.openapi.format("cn-id-card-number", id_card_numbers())
