"""Ghost-shaped ids: 24 lowercase hex characters, as a MongoDB ObjectId, stable for each row.

Ghost's ids are ObjectIds (a 4-byte time, then random bytes); programs store them and look things up by them, so
ours must never change. Each is a fixed 8-character prefix naming the table (which keeps a page's id from ever
equalling a tag's or an author's) and the row's primary key in 16 hex characters.
"""

import re

PREFIXES = {"page": "5a4d0001", "tag": "5a4d0002", "author": "5a4d0003"}
GHOST_ID = re.compile(r"[0-9a-f]{24}")


def ghost_id(kind: str, pk: int) -> str:
    return f"{PREFIXES[kind]}{pk:016x}"


def primary_key(kind: str, value) -> int | None:
    """The primary key an id names for this kind of row, or None (another kind's id, or not an id at all)."""
    if not isinstance(value, str) or not GHOST_ID.fullmatch(value) or not value.startswith(PREFIXES[kind]):
        return None
    pk = int(value[8:], 16)
    return pk if 0 < pk < 2**63 else None
