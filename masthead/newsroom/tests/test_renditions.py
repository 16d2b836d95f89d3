"""Image renditions are made by the worker, once, and never inside a reader's request."""

from django.test import TestCase

from masthead.locks import lock_acquire, lock_release
from masthead.newsroom import services
from masthead.newsroom.models import NewsroomImage, NewsroomRendition
from masthead.newsroom.models.images import RENDITION_SETS
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import ImageFactory, published_article

SPECS = sum(len(specs) for formats in RENDITION_SETS.values() for specs in formats.values())


class RenditionsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.image = ImageFactory(renditions=False, caption="Flooded street")
        cls.article = published_article(title="Flood", slug="flood", featured_image=cls.image)

    def renditions(self):
        return NewsroomRendition.objects.filter(image=self.image).count()

    def test_readers_requests_make_none(self):
        for _ in range(3):
            html = self.client.get("/flood/").content.decode()
            self.client.get("/")
        self.assertEqual(self.renditions(), 0)
        self.assertNotIn("<picture>", html)
        self.assertIn("Flooded street", html)  # the caption shows while the picture is being made

    def test_the_worker_makes_each_once(self):
        self.assertEqual(services.image_renditions_make(image_id=self.image.pk), "made")
        self.assertEqual(self.renditions(), SPECS)
        self.assertEqual(services.image_renditions_make(image_id=self.image.pk), "already made")
        self.assertEqual(self.renditions(), SPECS)
        html = self.client.get("/flood/").content.decode()
        self.assertIn('type="image/webp"', html)
        self.assertIn("1200w", html)

    def test_a_second_worker_leaves_it_to_the_first(self):
        image = NewsroomImage.objects.get(pk=self.image.pk)
        self.assertTrue(lock_acquire(f"renditions:{image.pk}|{image.renditions_source()}", seconds=60))
        self.addCleanup(lock_release, f"renditions:{image.pk}|{image.renditions_source()}")
        self.assertEqual(services.image_renditions_make(image_id=self.image.pk), "being made by another worker")
        self.assertEqual(self.renditions(), 0)

    def test_an_upload_and_a_new_focal_point_queue_the_worker(self):
        with self.captureOnCommitCallbacks(execute=True):  # the tests run tasks at once on commit
            image = ImageFactory(renditions=False)
        self.assertTrue(NewsroomImage.objects.get(pk=image.pk).renditions_ready)
        before = NewsroomImage.objects.get(pk=image.pk).renditions_made["card"]["webp"]
        with self.captureOnCommitCallbacks(execute=True):
            image = NewsroomImage.objects.get(pk=image.pk)
            image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height = 10, 10, 5, 5
            image.save()
        image = NewsroomImage.objects.get(pk=image.pk)
        self.assertTrue(image.renditions_ready)
        self.assertNotEqual(image.renditions_made["card"]["webp"], before)  # crops follow the focal point

    def test_renditions_are_served_with_a_long_lifetime(self):
        services.image_renditions_make(image_id=self.image.pk)
        url = NewsroomImage.objects.get(pk=self.image.pk).renditions_made["figure"]["webp"][0][0]
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "public, max-age=31536000, immutable")
