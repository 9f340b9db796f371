from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rekisteri.rights.models import RequestChannel, RightKind

# An investigation looks at most this far at once: the (actor, time) index serves it.
READS_MAX_DAYS = 92
# A written request comes by these; the portal and the API file their own.
WRITTEN_CHANNELS = [c for c in RequestChannel.choices if c[0] not in ("portal", "api")]


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=200)


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={"invalid": _("Enter the six digits your app shows.")},
    )


class EnrolForm(CodeForm):
    password = forms.CharField(
        label=_("New password (at least 12 characters)"),
        widget=forms.PasswordInput,
        max_length=200,
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, e-mail, phone or organisation"), max_length=200)


class RectifyForm(forms.Form):
    street_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=500)

    # The form's fields of each contact detail ("email", "phone", "address").
    DETAILS = {
        "address": ("street_address", "postal_code", "city"),
        "phone": ("phone",),
        "email": ("email",),
    }

    def __init__(self, *args: Any, collected: Collection[str], **kwargs: Any) -> None:
        """Offer only the contact details the register collects."""
        super().__init__(*args, **kwargs)
        for detail, names in self.DETAILS.items():
            if detail not in collected:
                for name in names:
                    del self.fields[name]


class WrittenRequestForm(forms.Form):
    """A request that came by letter, e-mail or to customer service, as the letter asks it."""

    q = forms.CharField(
        label=_("Find the person by name or e-mail"), max_length=200, required=False
    )
    person_id = forms.IntegerField(
        label=_("Person"),
        min_value=1,
        error_messages={"required": _("Find the person and choose them from the list.")},
    )
    kind = forms.ChoiceField(label=_("Right"), choices=RightKind.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=WRITTEN_CHANNELS)
    received_on = forms.DateField(
        label=_("Received on"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give a date, for example 31.1.2026.")},
    )
    language = forms.ChoiceField(label=_("Language of the answer"), choices=settings.LANGUAGES)
    reason = forms.CharField(
        label=_("What the letter says, in short (never an identity code)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    new_email = forms.CharField(label=_("New e-mail address"), max_length=254, required=False)
    new_phone = forms.CharField(label=_("New phone number"), max_length=32, required=False)
    street_address = forms.CharField(label=_("New street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)

    # The fields a rectification proposes: new contact details.
    PROPOSED = ("new_email", "new_phone", "street_address", "postal_code", "city")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        proposes = any(data.get(name) for name in self.PROPOSED)
        if data.get("kind") == RightKind.RECTIFICATION and not proposes:
            self.add_error(
                "new_email", _("Enter the new data the letter asks for: e-mail, phone or address.")
            )
        address = [data.get(name) for name in ("street_address", "postal_code", "city")]
        if any(address) and not all(address):
            self.add_error(
                "street_address", _("Give the whole new address: street, postal code and city.")
            )
        return data


class StaffReadsForm(forms.Form):
    """Whose reads, over which days (at most a quarter at once)."""

    member = forms.ChoiceField(label=_("Staff member"))
    since = forms.DateField(
        label=_("From"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give a date, for example 31.1.2026.")},
    )
    until = forms.DateField(
        label=_("To"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give a date, for example 31.1.2026.")},
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end comes before the start."))
        elif since and until and (until - since).days > READS_MAX_DAYS:
            self.add_error("until", _("Look at most 92 days at once."))
        return data
