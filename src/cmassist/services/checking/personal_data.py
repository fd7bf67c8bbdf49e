"""Personal data in a public reply: a customer's email, phone, address, card, IBAN or order
number never goes in one, whether the customer gave it or not."""

from __future__ import annotations

from cmassist.domain.guidelines import Rule
from cmassist.domain.redact import find_pii
from cmassist.services.checking.context import CheckContext

PII_LABELS = {
    "email": "email address", "phone": "phone number", "address": "postal address",
    "card": "card number", "iban": "IBAN", "order": "order number",
}  # fmt: skip


def check_personal_data(ctx: CheckContext, comment: str) -> None:
    """Each piece of personal data the reply carries, except the brand's public contacts."""
    keep = ctx.profile.public_contacts
    comment_pii = {p.key for p in find_pii(comment, keep=keep)} if comment else set()
    for p in find_pii(ctx.text, keep=keep):
        origin = " the customer gave" if p.key in comment_pii else ""
        ctx.add(
            "customer_pii",
            Rule(),
            p.start,
            p.end,
            f"A public reply repeats the {PII_LABELS[p.kind]}{origin} (“{p.text}”); personal "
            "data never goes in a public reply.",
            query="never repeat personal data in public; move order issues to private messages",
            suggestion="remove it and invite the customer to a private message",
            replacement="",
        )
