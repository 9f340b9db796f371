from __future__ import annotations

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
