"""Text for speech: each case is what a newsroom writes and what a person reading it aloud would say."""

import pytest

from masthead.narration.speech import sentences, speakable

SPOKEN = [
    # Dates
    ("reported on Jan. 27.", "reported on January 27th."),
    ("On Jan. 23, Ukraine's office announced", "On January 23rd, Ukraine's office announced"),
    ("Sept. 1 and Dec 2", "September 1st and December 2nd"),
    ("on February 11, 2025", "on February 11th, twenty twenty-five"),
    ("by March 3rd", "by March 3rd"),
    ("on 24 February 2022", "on the 24th of February twenty twenty-two"),
    ("May 22", "May 22nd"),
    ("Oct. 13 and Nov. 12", "October 13th and November 12th"),
    ("Jan. 45", "January 45"),  # not a day: no ordinal
    ("Brigade No. 47", "Brigade number 47"),
    # Times
    ("at 1:05 PM", "at 1 oh 5 p m"),
    ("at 10:30 a.m. local time", "at 10 30 a m local time"),
    ("at 9:00 p.m.", "at 9 p m"),
    ("curfew from 00:00 to 05:00", "curfew from 0 hundred to 5 hundred"),
    ("at 18:45", "at 18 45"),
    ("at 7:00", "at 7 o'clock"),
    # Money
    ("$5 million", "5 million dollars"),
    ("a $1.5 billion package", "a 1.5 billion dollars package"),
    ("costs $300", "costs 300 dollars"),
    ("only $1", "only 1 dollar"),
    ("€10bn in aid", "10 billion euros in aid"),
    ("£20m", "20 million pounds"),
    ("UAH 100", "100 hryvnias"),
    ("₴2,500", "2,500 hryvnias"),
    # Percentages and units
    ("rose 12%", "rose 12 percent"),
    ("fell 3.5 %", "fell 3.5 percent"),
    ("a 10 km front", "a 10 kilometers front"),
    ("5km away", "5 kilometers away"),
    ("at 120 km/h", "at 120 kilometers per hour"),
    ("300 sq km", "300 square kilometers"),
    ("a 155 mm shell", "a 155 millimeters shell"),
    ("minus 15 °C", "minus 15 degrees Celsius"),
    ("1,000 MW", "1,000 megawatts"),
    # Ranges
    ("in 2022-2024", "in twenty twenty-two to twenty twenty-four"),
    ("the 2022-23 season", "the twenty twenty-two to twenty twenty-three season"),
    ("10–15 drones", "10 to 15 drones"),
    # Years and decades, and numbers that are not years
    ("in 2024", "in twenty twenty-four"),
    ("since 2005", "since two thousand five"),
    ("in 1905", "in nineteen oh five"),
    ("by 1900", "by nineteen hundred"),
    ("during 1984.", "during nineteen eighty-four."),
    ("the 1990s", "the nineteen nineties"),
    ("the 2000s", "the two thousands"),
    ("Jan. 27, 2025", "January 27th, twenty twenty-five"),
    ("2014, the war began", "twenty fourteen, the war began"),
    ("2024 soldiers", "2024 soldiers"),
    ("about 1500 people", "about 1500 people"),
    ("in 2,024 cases", "in 2,024 cases"),
    # Abbreviations and acronyms
    ("prisoners of war (POWs)", "prisoners of war, P O W's,"),
    ("the SBU said", "the S B U said"),
    ("NATO allies", "NATO allies"),
    ("the U.S. and the EU", "the U S and the E U"),
    ("U.N. observers", "U N observers"),
    ("Gov. Oleh Syniehubov", "Governor Oleh Syniehubov"),
    ("Gen. Valerii Zaluzhnyi", "General Valerii Zaluzhnyi"),
    ("Dr. Smith vs. Mr. Jones", "Doctor Smith versus Mister Jones"),
    ("Donetsk obl.", "Donetsk Oblast"),
    ("HIMARS and ATACMS", "HIMARS and ATACMS"),
    ("the largest theft since WW2", "the largest theft since World War Two"),
    ("after WWII", "after World War Two"),
    ("before WW I", "before World War One"),
    ("AT&T", "A T and T"),
    # Quotes, brackets, dashes, links, footnotes
    ('"This is done to shock," the headquarters reported.', "This is done to shock, the headquarters reported."),
    ("“The railway,” a source said.", "The railway, a source said."),
    ("Russia’s war", "Russia’s war"),
    ("Kyiv (the capital) was hit", "Kyiv, the capital, was hit"),
    ("the city — already damaged — was hit", "the city, already damaged, was hit"),
    ("see https://example.org/report?id=1 for more", "see for more"),
    ("details at www.example.org.", "details at"),
    ("as reported[1] earlier", "as reported earlier"),
    ("the study² found", "the study found"),
    # Ukrainian text is left to its engine
    ("Київ, 27 січня", "Київ, 27 січня"),
    # Nothing to change
    (
        "Kyiv and Moscow have carried out several prisoner exchanges.",
        "Kyiv and Moscow have carried out several prisoner exchanges.",
    ),
    ("", ""),
]


@pytest.mark.parametrize(("written", "said"), SPOKEN)
def test_speakable(written, said):
    assert speakable(written) == said


SPLIT = [
    ("It rained. Then it stopped.", ["It rained.", "Then it stopped."]),
    (
        "The headquarters reported on Jan. 27. The calls are used to pressure relatives.",
        ["The headquarters reported on Jan. 27.", "The calls are used to pressure relatives."],
    ),
    ("The U.S. Army arrived. It left.", ["The U.S. Army arrived.", "It left."]),
    ("Gov. Oleh Syniehubov said so. Nobody doubted it.", ["Gov. Oleh Syniehubov said so.", "Nobody doubted it."]),
    ("Volodymyr O. Zelensky spoke.", ["Volodymyr O. Zelensky spoke."]),
    ('"Stop," he said. "Now."', ['"Stop," he said.', '"Now."']),
    ("Is it over? No. Not yet!", ["Is it over?", "No.", "Not yet!"]),
    ("He served in Brigade No. 47 for years.", ["He served in Brigade No. 47 for years."]),
    ("Prices rose 3.5% in 2024. They fell in 2025.", ["Prices rose 3.5% in 2024.", "They fell in 2025."]),
    ("He works for Acme Inc. He is new.", ["He works for Acme Inc. He is new."]),  # an abbreviation keeps it whole
    ("Київ. Харків.", ["Київ.", "Харків."]),
    ("", []),
]


@pytest.mark.parametrize(("paragraph", "expected"), SPLIT)
def test_sentences(paragraph, expected):
    assert sentences(paragraph) == expected


@pytest.mark.parametrize(
    "hostile", ["<script>alert(1)</script>", "\x00" * 10, "💥" * 1000, "(" * 5000, "9" * 10_000, "Jan. " * 2000]
)
def test_any_text_gives_text(hostile):
    assert isinstance(speakable(hostile), str) and isinstance(sentences(hostile), list)
