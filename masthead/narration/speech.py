"""Newsroom text as a person would read it aloud, for the speech engine.

`sentences(text)` splits a paragraph into sentences without breaking at "Jan.", "U.S.", "Gov." or an initial;
`speakable(text)` rewrites one piece of text for the ear: dates get their month and ordinal ("Jan. 27" →
"January 27th"), times, money, percentages and units are said in words, abbreviations are expanded, acronyms
are spelled out letter by letter unless they are said as a word ("NATO"), "WW2" is "World War Two", years
and decades are said as years ("in 2024" → "in twenty twenty-four", "the 1990s" → "the nineteen nineties"),
quotes and brackets become pauses, and URLs and footnote marks are dropped. Other numbers stay digits: the
engine says them ("1,200" → "one thousand two hundred", "21st" → "twenty-first"). Each rule is a small table
or one regular expression, in the order `speakable` applies them; `tests/test_speech.py` holds the cases.
"""

import re

MONTHS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "sept": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
MONTH_NAMES = "|".join(sorted(set(MONTHS.values()), key=len, reverse=True))

# Abbreviations with a full stop, as said aloud. Titles come before a name; the rest anywhere.
ABBREVIATIONS = {
    "Gov.": "Governor",
    "Gen.": "General",
    "Lt.": "Lieutenant",
    "Col.": "Colonel",
    "Maj.": "Major",
    "Capt.": "Captain",
    "Sgt.": "Sergeant",
    "Adm.": "Admiral",
    "Rep.": "Representative",
    "Sen.": "Senator",
    "Pres.": "President",
    "Dr.": "Doctor",
    "Prof.": "Professor",
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "Ms.": "Miz",
    "Jr.": "Junior",
    "Sr.": "Senior",
    "St.": "Saint",
    "Mt.": "Mount",
    "vs.": "versus",
    "approx.": "approximately",
    "est.": "estimated",
    "etc.": "et cetera",
    "e.g.": "for example",
    "i.e.": "that is",
    "obl.": "Oblast",
    "U.S.": "U S",
    "U.K.": "U K",
    "U.N.": "U N",
    "E.U.": "E U",
}
# Kept inside a sentence by `sentences` (besides the abbreviations above and the months).
NO_BREAK_AFTER = {"Inc.", "Ltd.", "Co.", "Corp.", "Ave.", "Rd.", "a.m.", "p.m."}

# Capitals said as a word, not letter by letter.
SAID_AS_WORDS = {
    "NATO",
    "UNESCO",
    "UNICEF",
    "NASA",
    "OPEC",
    "AIDS",
    "COVID",
    "OSCE",
    "IAEA",
    "HIMARS",
    "ATACMS",
    "SWIFT",
    "FIFA",
    "UEFA",
    "ASAP",
    "ZNPP",
}
CURRENCIES = {"$": "dollars", "€": "euros", "£": "pounds", "₴": "hryvnias", "UAH": "hryvnias", "USD": "dollars"}
UNITS = {
    "km/h": "kilometers per hour",
    "sq km": "square kilometers",
    "km²": "square kilometers",
    "km": "kilometers",
    "mm": "millimeters",
    "cm": "centimeters",
    "m": "meters",
    "kg": "kilograms",
    "g": "grams",
    "t": "tons",
    "l": "liters",
    "MW": "megawatts",
    "GW": "gigawatts",
    "kW": "kilowatts",
    "kWh": "kilowatt hours",
    "°C": "degrees Celsius",
    "°F": "degrees Fahrenheit",
}
SCALES = "thousand|million|billion|trillion"
ROMAN = {"I": "One", "II": "Two", "1": "One", "2": "Two"}

_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_FOOTNOTE = re.compile(r"\[(?:\d{1,3}|[a-z])\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|[†‡]")
_WORLD_WAR = re.compile(r"\bWW\s?(II|I|2|1)\b")
_MONTH_DAY = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!:)"
    r"|\b(" + MONTH_NAMES + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b(?![:\d])"
)
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + MONTH_NAMES + r")\b")
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})(?:\s*([AaPp])\.?\s?[Mm]\.?)?(?![\w:])")
_MONEY = re.compile(r"(?<![\w$€£₴])(\$|€|£|₴|UAH\s?|USD\s?)(\d[\d,]*(?:\.\d+)?)(?:\s?(" + SCALES + r"|[kKmMbB]n?)\b)?")
_PERCENT = re.compile(r"(\d(?:[\d,]*\d)?(?:\.\d+)?)\s?%")
_UNIT = re.compile(
    r"(\d(?:[\d,]*\d)?(?:\.\d+)?)\s?("
    + "|".join(re.escape(unit) for unit in sorted(UNITS, key=len, reverse=True))
    + r")(?![\w²])"
)
_RANGE = re.compile(r"\b(\d{1,4})\s?[-–](\d{1,4})\b")
# A year: after a word that introduces one, after a date ("January 27th, 2025"), at the start, or a decade.
_YEAR_WORDS = {
    *("in", "since", "from", "until", "till", "by", "of", "year", "early", "late", "mid", "before", "after", "to"),
    *("during", "between", "and", "around", "summer", "winter", "spring", "autumn", "fall", "the"),
    *(month.lower() for month in MONTHS.values()),
}
_YEAR = re.compile(r"\b(1[1-9]\d\d|20\d\d)(s?)\b(?![,.]\d)")
_ORDINAL_ENDS = (
    {"st", "nd", "rd", "th"} | {str(digit) for digit in range(10)} | {f"{d}{e}" for d in range(10) for e in range(10)}
)
_ONES = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
    *("thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"),
)
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_TENS_PLURAL = {
    "twenty": "twenties",
    "thirty": "thirties",
    "forty": "forties",
    "fifty": "fifties",
    "sixty": "sixties",
    "seventy": "seventies",
    "eighty": "eighties",
    "ninety": "nineties",
}
_ACRONYM = re.compile(r"\b([A-Z]{2,6})(s?)\b")
_ABBREVIATION = re.compile(
    "|".join(r"(?<![\w.])" + re.escape(abbreviation) for abbreviation in sorted(ABBREVIATIONS, key=len, reverse=True))
)
_QUOTES = re.compile(r"[\"“”„«»]|(?<!\w)['‘’]|['‘’](?!\w)")
_SHORT_SCALES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion"}


def _ordinal(day: str) -> str:
    number = int(day)
    teens = 10 <= number % 100 <= 20
    return f"{number}{'th' if teens else {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"


def _month_day(match: re.Match) -> str:
    if match.group(1):
        month, day = MONTHS[match.group(1).lower()], match.group(2)
    else:
        month, day = match.group(3), match.group(4)
    return f"{month} {_ordinal(day) if 1 <= int(day) <= 31 else day}"


def _time(match: re.Match) -> str:
    hours, minutes, half = int(match.group(1)), int(match.group(2)), match.group(3)
    if hours > 23 or minutes > 59:
        return match.group(0)
    spoken_minutes = "o'clock" if minutes == 0 else (f"oh {minutes}" if minutes < 10 else str(minutes))
    if half:
        if minutes == 0:
            spoken_minutes = ""
        return " ".join(filter(None, [str(hours), spoken_minutes, "a m" if half.lower() == "a" else "p m"]))
    if minutes == 0:
        return f"{hours} hundred" if hours >= 13 or match.group(1).startswith("0") else f"{hours} o'clock"
    return f"{hours} {spoken_minutes}"


def _money(match: re.Match) -> str:
    currency = CURRENCIES[match.group(1).strip()]
    amount, scale = match.group(2), match.group(3) or ""
    scale = _SHORT_SCALES.get(scale.lower(), scale.lower()) if scale else ""
    if currency == "dollars" and amount == "1" and not scale:
        currency = "dollar"
    return " ".join(filter(None, [amount, scale, currency]))


def _acronym(match: re.Match) -> str:
    letters, plural = match.group(1), match.group(2)
    if letters in SAID_AS_WORDS:
        return match.group(0)
    spelled = " ".join(letters)
    return f"{spelled}'s" if plural else spelled


def speakable(text: str) -> str:
    """One piece of text as it is said aloud (see the module's docstring)."""
    text = _URL.sub("", text)
    text = _FOOTNOTE.sub("", text)
    text = _WORLD_WAR.sub(lambda match: f"World War {ROMAN[match.group(1)]}", text)
    text = _MONTH_DAY.sub(_month_day, text)
    text = _DAY_MONTH.sub(lambda match: f"the {_ordinal(match.group(1))} of {match.group(2)}", text)
    text = _TIME.sub(_time, text)
    text = _MONEY.sub(_money, text)
    text = _PERCENT.sub(lambda match: f"{match.group(1)} percent", text)
    text = _UNIT.sub(lambda match: f"{match.group(1)} {UNITS[match.group(2)]}", text)
    text = _RANGE.sub(_range, text)
    text = _YEAR.sub(_year, text)
    text = _ABBREVIATION.sub(lambda match: ABBREVIATIONS[match.group(0)], text)
    text = re.sub(r"\bNo\.\s?(?=\d)", "number ", text)
    text = _ACRONYM.sub(_acronym, text)
    text = text.replace("&", " and ")
    text = _QUOTES.sub("", text)
    text = re.sub(r"\s*[(\[]\s*", ", ", text)
    text = re.sub(r"\s*[)\]]", ",", text)
    text = re.sub(r"\s+[—–-]\s+", ", ", text)  # a dash between words is a pause
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",\s*(?=[,.;:!?])", "", text)  # a pause right before another mark is one too many
    text = re.sub(r"^[,\s]+", "", text)
    return text.strip()


def _two_digits(number: int) -> str:
    if number < 20:
        return _ONES[number]
    tens, ones = divmod(number, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def _year(match: re.Match) -> str:
    before = match.string[: match.start()].rstrip()
    last = before.rsplit(None, 1)[-1].lower() if before else ""
    after = match.string[match.end() : match.end() + 1]
    is_year = (
        match.group(2)
        or last in _YEAR_WORDS
        or (last.endswith(",") and last[:-1][-2:] in _ORDINAL_ENDS)
        or (not before and after == ",")  # "2014, the war began"; "2014 soldiers" stays a number
    )
    if not is_year:
        return match.group(0)
    year, decade = int(match.group(1)), bool(match.group(2))
    century, rest = divmod(year, 100)
    if decade:
        if rest == 0:
            return "two thousands" if year == 2000 else f"{_two_digits(century)} hundreds"
        if rest % 10:
            return match.group(0)  # "2024s" is not a decade
        return f"{_two_digits(century)} {_TENS_PLURAL[_TENS[rest // 10]]}"
    if 2000 <= year <= 2009:
        return "two thousand" + (f" {_ONES[rest]}" if rest else "")
    if rest == 0:
        return f"{_two_digits(century)} hundred"
    if rest < 10:
        return f"{_two_digits(century)} oh {_ONES[rest]}"
    return f"{_two_digits(century)} {_two_digits(rest)}"


def _range(match: re.Match) -> str:
    first, last = match.group(1), match.group(2)
    if len(first) == 4 and len(last) == 2:  # 2022-23
        return f"{first} to {first[:2]}{last}"
    return f"{first} to {last}"


_BREAK = re.compile(r"(?<=[.!?…])[\"”’»)]*\s+(?=[\"“‘«(]*[A-Z0-9А-ЯІЇЄҐ])")


def sentences(text: str) -> list[str]:
    """A paragraph's sentences. A full stop ends one unless it ends an abbreviation, a month ("Jan. 27"),
    an initial ("Volodymyr O. Zelensky") or a letter-by-letter abbreviation ("U.S.")."""
    keep = set(ABBREVIATIONS) | NO_BREAK_AFTER | {f"{month.title()}." for month in MONTHS}
    pieces, start = [], 0
    for match in _BREAK.finditer(text):
        before = text[start : match.start()].rstrip('"”’») ')
        last_word = before.rsplit(None, 1)[-1] if before.split() else ""
        if last_word in keep or re.fullmatch(r"(?:[A-Z]\.)+", last_word):
            continue
        if last_word == "No." and text[match.end() : match.end() + 1].isdigit():  # "No. 5", a number
            continue
        pieces.append(text[start : match.start()].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]
