"""Ghost's filter language, parsed as Ghost parses it (TryGhost/NQL's grammar), and refused with a FilterError
where Ghost's parser fails."""

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.api.nql import Condition, FilterError, Group, parse


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("tag:news", Condition("tag", "eq", "news")),
        ("tags:[news,world]", Condition("tags", "in", ("news", "world"))),
        ("tag:-news", Condition("tag", "ne", "news")),
        ("tag:-[a,b]", Condition("tag", "nin", ("a", "b"))),
        ("featured:true", Condition("featured", "eq", True)),
        ("featured:FALSE", Condition("featured", "eq", False)),
        ("feature_image:null", Condition("feature_image", "eq", None)),
        ("feature_image:-null", Condition("feature_image", "ne", None)),
        ("published_at:>'2017-06-03 23:43:12'", Condition("published_at", "gt", "2017-06-03 23:43:12")),
        ("published_at:<=2017", Condition("published_at", "lte", 2017)),
        ("count:1.5", Condition("count", "eq", 1)),  # whole numbers, as Ghost's parser reads them
        ("slug:getting-started", Condition("slug", "eq", "getting-started")),
        ("title:'It\\'s here, (really)'", Condition("title", "eq", "It's here, (really)")),
        ("title:~'ghost'", Condition("title", "contains", "ghost")),
        ("title:~^'The'", Condition("title", "startswith", "The")),
        ("title:-~$'end'", Condition("title", "not_endswith", "end")),
        ("Tag:News", Condition("tag", "eq", "News")),  # properties case-insensitive, values kept
        ("tags.slug:a", Condition("tags.slug", "eq", "a")),
        (" tag : news ".replace(" : ", ":"), Condition("tag", "eq", "news")),
        (
            "featured:true+tag:news",
            Group("and", (Condition("featured", "eq", True), Condition("tag", "eq", "news"))),
        ),
        (
            "tag:a,tag:b+featured:false",  # '+' binds tighter than ','
            Group(
                "or",
                (
                    Condition("tag", "eq", "a"),
                    Group("and", (Condition("tag", "eq", "b"), Condition("featured", "eq", False))),
                ),
            ),
        ),
        (
            "(tag:a,tag:b)+author:joe",
            Group(
                "and",
                (
                    Group("or", (Condition("tag", "eq", "a"), Condition("tag", "eq", "b"))),
                    Condition("author", "eq", "joe"),
                ),
            ),
        ),
    ],
)
def test_ghosts_examples_parse(text, tree):
    assert parse(text) == tree


def test_relative_dates():
    condition = parse("published_at:>now-30d")
    assert condition.op == "gt"
    assert abs(condition.value - (timezone.now() - timedelta(days=30))) < timedelta(seconds=5)
    assert parse("published_at:<now+2h").value > timezone.now()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "tag:",
        "tag",
        "-featured:true",  # a whole clause cannot be negated in NQL
        "title:~ghost",  # ~ needs a quoted string
        "(tag:a",
        "tag:a)",
        "tag:[a,b",
        "tag:'open",
        'tag:"double"',
        "a:b c:d",
        "+",
        "tag:a,,",
        "tag:a++tag:b",
        "published_at:->5",
        "tag:<script>",
        "tag:a;DROP TABLE x",
        "tag:" + "(" * 50,
        "(" * 30 + "tag:a" + ")" * 30,
        "x" * 5000,
        "published_at:>now-99999999d",
        "tag:\x00",
    ],
)
def test_what_ghosts_parser_refuses_is_refused(text):
    with pytest.raises(FilterError):
        parse(text)


def test_only_text_is_parsed():
    with pytest.raises(FilterError):
        parse(None)
    with pytest.raises(FilterError):
        parse(["tag:a"])
