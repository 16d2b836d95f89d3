"""The page cache's own behaviour, apart from any page: concurrent misses of one page render it once."""

import threading
import time

from django.core.cache import caches
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.utils.cache import patch_cache_control

from masthead.http_cache import PAGE_CACHE, PageCacheMiddleware

renders = []


def slow_public_page(request):
    renders.append(threading.get_ident())
    time.sleep(0.3)  # a cold render of a heavy page
    response = HttpResponse("<!doctype html><title>Front page</title><p>" + "news " * 100)
    patch_cache_control(response, public=True, s_maxage=300)
    return response


def private_page(request):
    renders.append(threading.get_ident())
    time.sleep(0.1)
    response = HttpResponse("per visitor")
    patch_cache_control(response, private=True, no_store=True)
    return response


def concurrently(view, count: int = 6) -> list:
    middleware, answers = PageCacheMiddleware(view), []
    threads = [
        threading.Thread(target=lambda: answers.append(middleware(RequestFactory().get("/front/"))))
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@override_settings(MASTHEAD_PAGE_CACHE=True)
def test_concurrent_misses_of_one_page_render_it_once():
    caches[PAGE_CACHE].clear()
    renders.clear()
    answers = concurrently(slow_public_page)
    assert len(renders) == 1
    assert sorted(answer["X-Page-Cache"] for answer in answers) == ["hit"] * 5 + ["miss"]
    assert len({answer.content for answer in answers}) == 1


@override_settings(MASTHEAD_PAGE_CACHE=True)
def test_a_page_that_may_not_be_kept_is_rendered_for_each_reader():
    caches[PAGE_CACHE].clear()
    renders.clear()
    answers = concurrently(private_page, count=3)
    assert len(renders) == 3
    assert all(answer.content == b"per visitor" and "X-Page-Cache" not in answer for answer in answers)
