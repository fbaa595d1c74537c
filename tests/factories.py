"""factory_boy factories shared by the tests."""

import factory
from django.contrib.auth import get_user_model

TEST_PASSWORD = "mat-khau-thu-nghiem-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Hiền"
    last_name = "Nguyễn Thị"
    password = factory.django.Password(TEST_PASSWORD)
