"""Ghost's filter language (NQL) for the Content API's `filter` parameter: parsed here into a small tree, which
`filters.py` turns into a Django query per resource.

    expression := and (',' and)*            ','  is OR, the weakest
    and        := term ('+' term)*          '+'  is AND
    term       := '(' expression ')' | PROPERTY ':' value
    value      := '-'? ('[' item (',' item)* ']' | ('>' | '>=' | '<' | '<=')? item | ('~' | '~^' | '~$') STRING)
    item       := null | true | false | NUMBER | now-30d | LITERAL | 'STRING'

As in Ghost (TryGhost/NQL, nql-lang): a leading '-' on the value negates it (`tag:-news`, `id:-[a,b]`), a
whole clause cannot be negated, strings are single-quoted with `\\'` escapes, a literal is unquoted text without
spaces or the characters ' " + , ( ) > < = [ ] ~, the `~` operators need a quoted string and match without
regard to case, numbers are whole (`1.5` reads as 1), and `now-30d` (units d w M y h m s) is a time relative to
now. Anything else is a `FilterError`, which the API answers as Ghost does (400, "Error parsing filter").
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

MAX_LENGTH = 2000
MAX_DEPTH = 20


class FilterError(ValueError):
    pass


class UnknownProperty(FilterError):
    """A filter names a property the resource lacks (an unknown column to Ghost)."""


@dataclass(frozen=True)
class Condition:
    prop: str
    op: str  # eq ne gt gte lt lte in nin contains startswith endswith (and not_… for the last three)
    value: object


@dataclass(frozen=True)
class Group:
    kind: str  # "and" | "or"
    parts: tuple


TOKEN = re.compile(
    r"""\s*(?:
        (?P<prop>[A-Za-z_][A-Za-z0-9_.]*):
      | (?P<string>'(?:[^'\\]|\\.)*')
      | (?P<relative>now[-+]\d+[dwMyhms](?=$|[\s+,()\[\]]))
      | (?P<op>>=|<=|~\^|~\$|[-+,()\[\]<>~])
      | (?P<literal>(?:[^\s'"+,()<>=\[\]~\\-]|\\.)(?:[^\s'"+,()<>=\[\]~\\]|\\.)*)
    )""",
    re.VERBOSE,
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
UNITS = {"d": "days", "w": "weeks", "h": "hours", "m": "minutes", "s": "seconds"}


def tokens(text: str) -> list[tuple[str, str]]:
    found, at = [], 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise FilterError(f"unexpected character in filter at char {at + 1}")
        kind = match.lastgroup
        found.append((kind, match.group(kind)))
        at = match.end()
    return found


def parse(text: str) -> Group | Condition:
    if not isinstance(text, str) or not text.strip():
        raise FilterError("empty filter")
    if len(text) > MAX_LENGTH:
        raise FilterError("filter too long")
    if CONTROL.search(text):  # no property or value holds one (and PostgreSQL refuses a NUL)
        raise FilterError("control character in filter")
    parser = _Parser(tokens(text))
    tree = parser.expression(0)
    if parser.at != len(parser.tokens):
        raise FilterError("unexpected text after the filter")
    return tree


class _Parser:
    def __init__(self, found):
        self.tokens, self.at = found, 0

    def peek(self, *wanted) -> bool:
        return self.at < len(self.tokens) and self.tokens[self.at][1] in wanted and self.tokens[self.at][0] == "op"

    def take(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise FilterError("the filter ends too early")
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expression(self, depth: int):
        if depth > MAX_DEPTH:
            raise FilterError("filter nested too deep")
        parts = [self.conjunction(depth)]
        while self.peek(","):
            self.take()
            parts.append(self.conjunction(depth))
        return parts[0] if len(parts) == 1 else Group("or", tuple(parts))

    def conjunction(self, depth: int):
        parts = [self.term(depth)]
        while self.peek("+"):
            self.take()
            parts.append(self.term(depth))
        return parts[0] if len(parts) == 1 else Group("and", tuple(parts))

    def term(self, depth: int):
        if self.peek("("):
            self.take()
            inner = self.expression(depth + 1)
            if not self.peek(")"):
                raise FilterError("a parenthesis is not closed")
            self.take()
            return inner
        kind, text = self.take()
        if kind != "prop":
            raise FilterError(f"expected a property, found {text!r}")
        return self.value(text.lower())

    def value(self, prop: str) -> Condition:
        negated = False
        if self.peek("-"):
            self.take()
            negated = True
        if self.peek("["):
            self.take()
            items = [self.item()]
            while self.peek(","):
                self.take()
                items.append(self.item())
            if not self.peek("]"):
                raise FilterError("a list is not closed")
            self.take()
            return Condition(prop, "nin" if negated else "in", tuple(items))
        if self.peek("~", "~^", "~$"):
            operator = {"~": "contains", "~^": "startswith", "~$": "endswith"}[self.take()[1]]
            kind, text = self.take()
            if kind != "string":
                raise FilterError("a ~ match needs a quoted string")
            return Condition(prop, f"not_{operator}" if negated else operator, _unquote(text))
        if self.peek(">", ">=", "<", "<="):
            if negated:
                raise FilterError("'-' cannot come before a comparison")
            operator = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}[self.take()[1]]
            return Condition(prop, operator, self.item())
        return Condition(prop, "ne" if negated else "eq", self.item())

    def item(self):
        kind, text = self.take()
        if kind == "string":
            return _unquote(text)
        if kind == "relative":
            return _relative(text)
        if kind != "literal":
            raise FilterError(f"expected a value, found {text!r}")
        lowered = text.lower()
        if lowered in ("null", "true", "false"):
            return {"null": None, "true": True, "false": False}[lowered]
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return int(text.split(".")[0]) if len(text) < 19 else text
        return re.sub(r"\\(.)", r"\1", text)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _relative(text: str):
    sign, amount, unit = text[3], int(text[4:-1]), text[-1]
    if amount > 100_000:
        raise FilterError("relative date out of range")
    if unit in ("M", "y"):
        delta = timedelta(days=amount * (30 if unit == "M" else 365))
    else:
        delta = timedelta(**{UNITS[unit]: amount})
    return timezone.now() + (delta if sign == "+" else -delta)
