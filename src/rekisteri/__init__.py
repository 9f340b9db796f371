"""Rekisteri: a customer register that keeps personal data the way its notice promises."""
