"""Test data built through the register's own services, with defaults from the loaded
register description: sources, purposes and the controller's country are found by
meaning (tests/policy_keys.py), so the same test runs under any description.

    person = PersonFactory()                       # the subject source, a local address
    PersonFactory(email="aino@example.fi", with_address=True)
    CustomershipFactory(person_id=person.pk)       # reported by the company's service
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from typing import Any

import factory
from faker import Faker

from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM, Actor
from rekisteri.register import services as s
from rekisteri.register.models import Customership, Delivery, Feedback, Person
from tests import policy_keys

# Faker's locale for names and places of the controller's country.
_LOCALES = {"FI": "fi_FI", "SE": "sv_SE", "DE": "de_DE", "NL": "nl_NL"}
# A mobile number of the country, as people write it; ``n`` keeps them apart.
_PHONES = {"FI": "040 123 {n:04d}", "SE": "070 123 {n:04d}"}
_phones = itertools.count(1000)


def country() -> str:
    return policy_keys.policy().controller.country


@functools.cache
def _faker(locale: str) -> Faker:
    fake = Faker(locale)
    fake.seed_instance(20261201)
    return fake


def fake() -> Faker:
    return _faker(_LOCALES.get(country(), "en_GB"))


def local_phone() -> str:
    template = _PHONES.get(country(), "+358 40 123 {n:04d}")
    return template.format(n=next(_phones) % 10_000)


class AddressFactory(factory.Factory):
    """An address in the controller's country, in its own shape of postal code."""

    class Meta:
        model = s.AddressIn

    street_address = factory.LazyFunction(lambda: fake().street_address())
    postal_code = factory.LazyFunction(lambda: fake().postcode())
    city = factory.LazyFunction(lambda: fake().city())


class PersonInFactory(factory.Factory):
    """A person as a client sends one: only what every description collects."""

    class Meta:
        model = s.PersonIn

    first_name = factory.LazyFunction(lambda: fake().first_name())
    last_name = factory.LazyFunction(lambda: fake().last_name())
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    phone = None
    address = None

    class Params:
        with_phone = factory.Trait(phone=factory.LazyFunction(local_phone))
        with_address = factory.Trait(address=factory.SubFactory(AddressFactory))


class PersonFactory(PersonInFactory):
    """A person registered by ``person_register``, from the person themself by default."""

    class Meta:
        model = s.PersonIn

    source = factory.LazyFunction(policy_keys.subject_source)
    username: str | None = None
    password: str | None = None

    @classmethod
    def _create(cls, model_class: type[s.PersonIn], *args: Any, **kwargs: Any) -> Person:
        source = kwargs.pop("source")
        username = kwargs.pop("username")
        password = kwargs.pop("password")
        return s.person_register(
            actor=SYSTEM,
            source=source,
            person=model_class(*args, **kwargs),
            username=username,
            password=password,
        )


class CustomershipFactory(factory.Factory):
    """A customership, reported by the company's own service."""

    class Meta:
        model = Customership

    person_id = factory.LazyFunction(lambda: PersonFactory().pk)
    source = factory.LazyFunction(policy_keys.service_source)
    started_on = dt.date(2024, 1, 2)

    @classmethod
    def _create(cls, model_class: type[Customership], *args: Any, **kwargs: Any) -> Customership:
        return s.customership_start(actor=SYSTEM, **kwargs)


class FeedbackFactory(factory.Factory):
    """Feedback the person gave themself."""

    class Meta:
        model = Feedback

    person_id = factory.LazyFunction(lambda: PersonFactory().pk)
    source = factory.LazyFunction(policy_keys.subject_source)
    text = ""
    rating: int | None = None

    @classmethod
    def _create(cls, model_class: type[Feedback], *args: Any, **kwargs: Any) -> Feedback:
        return s.feedback_record(actor=SYSTEM, **kwargs)


class DeliveryFactory(factory.Factory):
    """A message the marketing tool reports sent: only the row, as data for a test.

    A delivery is recorded for real by the consent app's ``delivery_record``,
    which asks the marketing rules first; a test that needs only the row (to read,
    export or erase it) stores it through the register's one write of a row.
    """

    class Meta:
        model = Delivery

    actor: Actor = SYSTEM
    person_id = factory.LazyFunction(lambda: PersonFactory().pk)
    source = factory.LazyFunction(policy_keys.marketing_source)
    channel = "email"
    campaign = "kevät"
    sent_at = factory.LazyFunction(clock.now)

    @classmethod
    def _create(cls, model_class: type[Delivery], *args: Any, **kwargs: Any) -> Delivery:
        return s.person_row_add(model=model_class, **kwargs)
