"""Response compression for text: pages, feeds and JSON go out as zstd, brotli or gzip, as the client accepts.

Files (images, documents, audio) pass as they are: they are compressed already, or seekable, and whitenoise
serves static files precompressed before this middleware runs.
"""

from compression_middleware.middleware import CompressionMiddleware

COMPRESSIBLE_TYPES = ("text/", "application/json", "application/xml", "application/rss+xml", "application/atom+xml")


class TextCompressionMiddleware(CompressionMiddleware):
    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if response.streaming or not content_type.startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)
