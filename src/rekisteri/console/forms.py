from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


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
