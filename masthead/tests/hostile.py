"""The shared corpus of hostile values: what people throw at a newsroom's URLs, query strings, forms and APIs."""

MARKUP = '<script>alert("hostile")</script>'
ATTRIBUTE = '"><img src=x onerror=alert("hostile")>'
# Strings whose appearance, unescaped, in an HTML answer means the input was echoed as markup.
ECHO_MARKERS = (MARKUP, '<img src=x onerror=alert("hostile")>')

VALUES = [
    MARKUP,
    ATTRIBUTE,
    "javascript:alert(1)",
    "' OR '1'='1",
    "1; DROP TABLE newsroom_articlepage; --",
    "1' UNION SELECT password FROM members_user --",
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "C:\\Windows\\win.ini",
    "header\r\nSet-Cookie: hostile=1",
    "null\x00byte",
    "%00",
    "%",
    "A" * 10_000,
    "ｓｃｒｉｐｔ",  # fullwidth letters
    "pаypаl",  # Cyrillic а, looks Latin
    "\u202etxt.exe",  # right-to-left override
    "😀" * 200,
    "9" * 400,
    "-1",
    "1e309",
    "NaN",
    '{"a":',
    "[]",
    "{{7*7}}",
    "${7*7}",
    "",
    " ",
]

# The nastiest few, for each query parameter on its own (the whole corpus goes into all parameters at once).
SHORT = [MARKUP, "' OR '1'='1", "null\x00byte", "A" * 10_000, "9" * 400, "header\r\nSet-Cookie: hostile=1"]

# One of each kind (markup, attribute, script URL, SQL, traversal, header injection, NUL, overlong, confusable,
# right-to-left, huge number, bad JSON, template syntax, empty), for each form field on its own.
MEDIUM = [
    MARKUP,
    ATTRIBUTE,
    "javascript:alert(1)",
    "' OR '1'='1",
    "../../../../etc/passwd",
    "header\r\nSet-Cookie: hostile=1",
    "null\x00byte",
    "A" * 10_000,
    "pаypаl",
    "\u202etxt.exe",
    "9" * 400,
    '{"a":',
    "{{7*7}}",
    "",
]

# Bodies for JSON endpoints.
JSON_BODIES = [
    b"",
    b"{",
    b"[]",
    b"null",
    b'"string"',
    b"123456789012345678901234567890",
    b'{"a": NaN}',
    b"\xff\xfe\x00",
    b"[" * 5000 + b"]" * 5000,
    b'{"email": "' + MARKUP.encode() + b'"}',
    b'{"c": "page:1 OR 1=1"}',
    b'{"c": ' + b"9" * 400 + b"}",
]
