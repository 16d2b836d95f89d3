"""The Nu HTML checker that the page tests rely on really reports errors, and names the page they are on."""

from masthead.tests.helpers import html_errors

PAGE = '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>{}</body></html>'


def test_reports_what_is_wrong_and_where():
    errors = html_errors(
        {
            "good": PAGE.format('<p><time datetime="2026-11-25T21:42:24+02:00">Nov 25</time></p>'),
            "microseconds": PAGE.format('<p><time datetime="2026-11-25T21:42:24.769335+02:00">Nov 25</time></p>'),
            "nesting": PAGE.format("<ul><p>not a list item</p></ul>"),
        }
    )
    assert len(errors) == 2, errors
    assert errors[0].startswith("microseconds:1: Bad value “2026-11-25T21:42:24.769335+02:00” for attribute")
    assert errors[1].startswith("nesting:1: Element “p” not allowed as child of element “ul”")
