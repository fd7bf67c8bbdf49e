"""Street addresses, each of the place its passage is about: "5412, boulevard Saint-Laurent,
Montréal (Québec) H2T 1S1", "12 rue de la Paix, 75002 Paris", "220 King Street West,
Toronto, ON M5H 1K4" (a number, a street, then up to a postal code when one follows)."""

from __future__ import annotations

import re

from cmassist.domain.factsheet import Address
from cmassist.services.knowledge.sections import Guidelines, Section

_STREET = (
    r"(?:rue|boulevard|boul\.|bd|avenue|av\.|chemin|ch\.|route|rang|place|allée|impasse|quai|"
    r"cours|montée|côte|promenade|street|st\.?|road|rd\.?|drive|dr\.?|lane|way|blvd\.?|ave\.?|"
    r"court|square|terrace|highway|parkway|crescent)"
)
_NAME = r"[\w'’.-]+(?:[ \u00a0-][\w'’.-]+){0,4}?"
_START = re.compile(
    rf"\b\d{{1,5}}[a-zA-Z]?(?:[-–]\d{{1,5}})?,?\s+(?:{_STREET}\s+{_NAME}|{_NAME}\s+{_STREET})\b",
    re.IGNORECASE,
)
# Postal codes: Canada (H2T 1S1), United States (90210, 90210-1234), France and others
# (75002 Paris: five digits before the city).
_POSTAL = re.compile(
    r"\b[A-Z]\d[A-Z][ \u00a0]?\d[A-Z]\d\b|\b\d{5}(?:-\d{4})?\b(?:[ \u00a0][A-Z][\w'’-]+)?"
)
_REACH = 90  # how far after the street its postal code may be


def read_addresses(section: Section, guidelines: Guidelines) -> list[Address]:
    """The street addresses `section` gives, for the place it is about."""
    place = guidelines.place_of(section)
    out: list[Address] = []
    for sentence in section.sentences:
        for m in _START.finditer(sentence):
            end = m.end()
            rest = sentence[end : end + _REACH]
            stop = re.search(r"[;.](?:\s|$)", rest)
            postal = _POSTAL.search(rest[: stop.start()] if stop else rest)
            if postal:
                end += postal.end()
            address = sentence[m.start() : end].strip(" ,")
            out.append(Address(place, address, section.cite(sentence)))
    return out
