"""Text that readers type (names, comments), made safe to keep: no control characters, no invisible direction
changes that would make text read differently than it is stored, line ends made one kind.

Escaping for HTML is not done here: templates escape everything on output (see comments/templatetags).
"""

import re
import unicodedata

# Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder what follows them ("Trojan
# Source"); zero-width characters hide text or make two names look one. Kept out of what members write.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")


def text_clean(value: str, *, newlines: bool = True) -> str:
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = _INVISIBLE.sub("", value)
    keep = {"\n"} if newlines else set()
    value = "".join(
        char if char in keep or unicodedata.category(char)[0] != "C" else ("" if char != "\t" else " ")
        for char in value
    )
    if newlines:
        value = re.sub(r"\n{3,}", "\n\n", value)  # at most one empty line between paragraphs
        value = "\n".join(line.rstrip() for line in value.split("\n"))
    else:
        value = re.sub(r"\s+", " ", value)
    return value.strip()
