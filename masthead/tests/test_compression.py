"""Pages go out compressed as the client accepts (zstd, brotli, gzip), files and tiny responses as they are; a page
the client already has answers 304 Not Modified."""

import gzip

import brotli
import pytest


@pytest.fixture
def front_page(client, home):
    plain = client.get("/")
    assert plain.status_code == 200 and "Content-Encoding" not in plain
    return plain.content


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip", "gzip", gzip.decompress),
        ("gzip, deflate, br", "br", brotli.decompress),
        ("br;q=1.0, gzip;q=0.8", "br", brotli.decompress),
        ("gzip, br;q=0", "gzip", gzip.decompress),
    ],
)
def test_pages_are_compressed_as_the_client_accepts(client, front_page, accept, encoding, decode):
    response = client.get("/", headers={"accept-encoding": accept})
    assert response["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response["Vary"]
    assert int(response["Content-Length"]) == len(response.content) < len(front_page) / 2
    assert decode(response.content) == front_page


@pytest.mark.parametrize("accept", ["", "identity", "compress", "x" * 5000])
def test_without_a_common_encoding_the_page_is_plain(client, front_page, accept):
    response = client.get("/", headers={"accept-encoding": accept})
    assert "Content-Encoding" not in response
    assert response.content == front_page


def test_image_files_are_not_compressed_again(client, home):
    from masthead.newsroom.tests.factories import ImageFactory

    rendition = ImageFactory().get_rendition("fill-100x100|format-webp")
    response = client.get(rendition.url, headers={"accept-encoding": "gzip, br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response


@pytest.mark.parametrize("accept", ["", "gzip", "br"])
def test_a_page_the_client_has_answers_304(client, front_page, accept):
    first = client.get("/", headers={"accept-encoding": accept})
    etag = first["ETag"]
    again = client.get("/", headers={"accept-encoding": accept, "if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    changed = client.get("/", headers={"accept-encoding": accept, "if-none-match": '"something-else"'})
    assert changed.status_code == 200 and changed.content == first.content
