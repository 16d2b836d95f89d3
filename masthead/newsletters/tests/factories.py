"""Factories for the newsletters' models."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from masthead.newsletters.models import Newsletter, Subscriber, Subscription


class NewsletterFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Newsletter {n}")
    slug = factory.Sequence(lambda n: f"newsletter-{n}")
    description = "What the subscriber gets."
    sender_email = "news@example.org"

    class Meta:
        model = Newsletter


class SubscriberFactory(DjangoModelFactory):
    email = factory.Sequence(lambda n: f"reader{n}@example.org")

    class Meta:
        model = Subscriber


class SubscriptionFactory(DjangoModelFactory):
    subscriber = factory.SubFactory(SubscriberFactory)
    newsletter = factory.SubFactory(NewsletterFactory)
    requested_at = factory.LazyFunction(timezone.now)

    class Meta:
        model = Subscription
