"""nginx with deploy/nginx/masthead.conf in front of the app (the alternative to Varnish): a corrected headline
reaches readers through it within 2 seconds of publishing, and staff pass through."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from masthead.newsroom.tests.test_varnish import article, front_cache_in_front  # noqa: F401 (a fixture)
from masthead.tests.helpers import free_port, wait_for

CONF = Path(__file__).resolve().parents[3] / "deploy" / "nginx" / "masthead.conf"
PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")

pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") and PURGE_MODULE.exists()),
    reason="nginx with libnginx-mod-http-cache-purge is not installed; .ci/run installs them",
)


@pytest.fixture
def nginx(live_server, tmp_path, settings):
    app_port = live_server.url.rsplit(":", 1)[1]
    port, purge_port = free_port(), free_port()
    cache = tmp_path / "cache"
    cache.mkdir()
    site = CONF.read_text().replace("/var/cache/nginx/masthead", str(cache))
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
    site = site.replace("127.0.0.1:8000", f"127.0.0.1:{app_port}").replace("127.0.0.1:8080", f"127.0.0.1:{purge_port}")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        # As root, nginx's workers would become another user, who cannot enter pytest's private folders.
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"load_module {PURGE_MODULE};\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ access_log off; include {tmp_path}/site.conf; }}\n"
    )
    process = subprocess.Popen(  # noqa: S603
        ["nginx", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-g", "daemon off;"],  # noqa: S607
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield from front_cache_in_front(
        process, settings, url=f"http://127.0.0.1:{port}", purge_url=f"http://127.0.0.1:{purge_port}"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_corrected_headline_reaches_readers_through_nginx_within_2_seconds(nginx, article):  # noqa: F811
    requests.get(f"{nginx}/dam-repairs/", timeout=5)
    cached = requests.get(f"{nginx}/dam-repairs/", timeout=5)
    assert cached.headers["X-Cache"] == "HIT"
    requests.get(f"{nginx}/war/", timeout=5)

    article.title = "Dam repairs begin on Monday"
    article.save_revision().publish()
    published = time.monotonic()

    def corrected():
        return "Dam repairs begin on Monday" in requests.get(f"{nginx}/dam-repairs/", timeout=5).text

    wait_for(corrected, what="the corrected headline through nginx", timeout=2)
    assert time.monotonic() - published < 2
    assert "Dam repairs begin on Monday" in requests.get(f"{nginx}/war/", timeout=5).text
    staff = requests.get(f"{nginx}/dam-repairs/", cookies={"sessionid": "abc"}, timeout=5)
    assert staff.headers["X-Cache"] == "BYPASS"
    assert requests.get(f"{nginx}/admin/login/", timeout=5).headers.get("X-Cache") is None  # never cached
