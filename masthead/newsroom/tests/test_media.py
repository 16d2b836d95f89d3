"""Uploaded media: private documents and image originals stay private; damaged or oversized uploads are refused."""

import io

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from masthead.newsroom.models import NewsroomImage
from masthead.newsroom.tests.factories import ImageFactory

Document = get_document_model()
SECRET = b"Leaked budget: do not publish before the embargo."


@pytest.fixture
def private_document(db):
    collection = Collection.get_first_root_node().add_child(name="Embargoed")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD, password="s3cret"
    )
    return Document.objects.create(
        title="Budget", collection=collection, file=ContentFile(SECRET, name="budget-embargoed.txt")
    )


@pytest.fixture
def public_document(db):
    return Document.objects.create(title="Annual report", file=ContentFile(b"Public report.", name="report.txt"))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_private_document_is_not_readable_at_any_public_path(client, home, private_document):
    name = private_document.file.name  # documents/budget-embargoed….txt
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/media/{name.replace('documents/', 'documents/../documents/')}").status_code == 404

    response = client.get(private_document.url)
    assert private_document.url == f"/documents/{private_document.pk}/{name.split('/')[-1]}"
    assert response.status_code == 200
    assert SECRET not in body(response)
    assert 'name="password"' in response.content.decode()  # Wagtail's password form

    wrong = client.post(
        reverse("wagtaildocs_authenticate_with_password", args=[CollectionViewRestriction.objects.get().pk]),
        {"password": "guess", "return_url": private_document.url},
    )
    assert SECRET not in body(wrong)


def test_a_public_document_is_served_through_wagtails_view(client, home, public_document):
    assert client.get(f"/media/{public_document.file.name}").status_code == 404
    response = client.get(public_document.url)
    assert response.status_code == 200
    assert body(response) == b"Public report."


def test_image_originals_are_not_public_but_renditions_are(client, home):
    image = ImageFactory()
    assert image.file.name.startswith("original_images/")
    original = image.file.read()
    for path in [
        f"/media/{image.file.name}",
        f"/media/images/../{image.file.name}",
        f"/media/images/%2e%2e/{image.file.name}",
        f"/media/images/..%2f{image.file.name}",
        f"/media/images//{settings.MEDIA_ROOT}/{image.file.name}",
    ]:
        response = client.get(path)
        assert response.status_code in (400, 404), path
        assert original not in body(response), path
    rendition = image.get_rendition("fill-100x100|format-webp")
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert body(response)[:4] == b"RIFF"


def jpeg_bytes(width=64, height=48) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), "navy").save(out, "JPEG", quality=90)
    return out.getvalue()


def png_bytes(width, height) -> bytes:
    out = io.BytesIO()
    PILImage.new("1", (width, height)).save(out, "PNG", optimize=True)  # mostly zeros: tiny file, huge picture
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.jpg", b"This is not a picture at all.", "Upload a valid image."),
        ("truncated.jpg", jpeg_bytes(640, 480)[:600], "This image file is damaged or incomplete"),
        ("bomb.png", png_bytes(11_000, 11_000), "This file has too many pixels (121000000)."),
        ("empty.jpg", b"", "The submitted file is empty."),
        ("script.jpg", b"<script>alert(1)</script>", "Not a valid .jpeg image."),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "Not a supported image format"),
        ("png-named.jpg", png_bytes(10, 10), "Not a valid .jpeg image."),  # the type comes from the content
    ],
    ids=["fake", "truncated", "bomb", "empty", "script", "svg", "mismatched"],
)
def test_bad_image_uploads_get_a_form_error_and_store_nothing(client, home, make_user, name, content, message):
    client.force_login(make_user("editor", "Editors"))
    response = client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Upload",
            "file": SimpleUploadedFile(name, content),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not NewsroomImage.objects.exists()


def test_a_good_upload_is_kept(client, home, make_user):
    client.force_login(make_user("editor", "Editors"))
    response = client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Rally",
            "file": SimpleUploadedFile("rally.jpg", jpeg_bytes()),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 302
    assert NewsroomImage.objects.get().title == "Rally"


def test_the_multiple_uploader_refuses_a_damaged_file_too(client, home, make_user):
    client.force_login(make_user("editor", "Editors"))
    response = client.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": SimpleUploadedFile("truncated.jpg", jpeg_bytes(640, 480)[:600])},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert "This image file is damaged or incomplete" in response.json()["error_message"]
    assert not NewsroomImage.objects.exists()
