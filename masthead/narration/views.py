"""The narrations' MP3 files, when the app serves media itself (MASTHEAD_SERVE_MEDIA): with HTTP Range requests,
which players need to seek. Their names carry the spoken text's hash, so they are kept for a year."""

import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@require_safe
def audio(request, path: str):
    if len(path) > 255 or "\x00" in path:
        raise Http404("No such audio")  # the file system would refuse the name (an error, not a 404)
    root = (Path(settings.MEDIA_ROOT) / "narration").resolve()
    file = (root / path).resolve()
    if not file.is_relative_to(root) or file.suffix != ".mp3" or not file.is_file():
        raise Http404("No such audio")
    size = file.stat().st_size
    asked = _RANGE.fullmatch(request.headers.get("Range", "").strip())
    if asked and (asked.group(1) or asked.group(2)):
        first, last = asked.group(1), asked.group(2)
        start = int(first) if first else max(size - int(last), 0)
        end = min(int(last), size - 1) if first and last else size - 1
        if start >= size or start > end:
            return HttpResponse(status=416, headers={"Content-Range": f"bytes */{size}"})
        with file.open("rb") as stream:
            stream.seek(start)
            part = stream.read(end - start + 1)
        response = HttpResponse(part, status=206, content_type="audio/mpeg")
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(file.open("rb"), content_type="audio/mpeg")
    response["Accept-Ranges"] = "bytes"
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response
