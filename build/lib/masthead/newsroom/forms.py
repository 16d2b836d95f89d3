"""Admin forms: the image upload decodes the whole picture, so a damaged file is refused when it is uploaded."""

from django.core.exceptions import ValidationError
from PIL import Image as PILImage
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

DAMAGED = (
    "This image file is damaged or incomplete and cannot be shown (%(problem)s). "
    "Export it again from the original and upload the new file."
)


def damaged(error: Exception) -> ValidationError:
    return ValidationError(DAMAGED, code="damaged_image", params={"problem": str(error) or type(error).__name__})


class NewsroomImageField(WagtailImageField):
    """Wagtail reads an upload's header to check its format, size and pixel count; a truncated or corrupt file
    can pass (or crash) those checks and fail later, when a page asks for a rendition. Here the whole picture is
    decoded once, and any failure becomes a clear form error."""

    def to_python(self, data):
        try:
            upload = super().to_python(data)
        except ValidationError:
            raise
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise damaged(error) from None
        if upload is None:
            return upload
        try:
            upload.seek(0)
            with PILImage.open(upload) as picture:
                picture.load()
        except (OSError, SyntaxError, ValueError, EOFError, PILImage.DecompressionBombError) as error:
            raise damaged(error) from None
        finally:
            upload.seek(0)
        return upload


class NewsroomImageForm(BaseImageForm):
    file = NewsroomImageField(label="File")
