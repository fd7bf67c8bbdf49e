"""Synthetic customer messages with KNOWN personal data, to measure a redactor's recall.

`generate()` builds comments and DMs sent to Brûlerie Boréale (a Montréal coffee roaster),
half in French and half in English, each carrying 1 to 3 pieces of fictional personal data
whose exact character offsets are recorded:

    {"id": "pii-0001", "language": "fr", "text": "...",
     "spans": [{"start": 12, "end": 26, "kind": "phone", "value": "514-555-0142"}]}

Kinds are "email", "phone", "address", "card", "iban" and "order". `text[start:end] == value`
always holds. Card numbers pass the Luhn check and IBANs their mod-97 check (both computed
here); phone numbers use the 555-01xx fictional range in North America. For order numbers
the span covers the identifier only ("BO-48213" in "order #BO-48213"); for addresses it runs
from the street number to the postal code when there is one.

`negatives()` builds messages with NO personal data but with look-alikes a redactor must
leave alone: prices, dates, times, years, quantities, percentages, coupon codes, hashtags,
@handles, product names, and the brand's own public support contacts. Those contacts are
listed under "public_spans" (each with "public": True, same keys as a span otherwise) so a
redactor that treats them specially can be scored either way; "spans" is always empty.

Everything is deterministic for a given seed and uses the standard library only.
Run `python bench/pii_corpus.py` to print counts, samples and the self-check results.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

KINDS = ("email", "phone", "address", "card", "iban", "order")
PUBLIC_EMAIL = "support@brulerie-boreale.example"
PUBLIC_PHONE = "1-800-555-0199"

Item = dict[str, Any]

# -- checksums ------------------------------------------------------------------------------------


def luhn_valid(number: str) -> bool:
    """True if the digits of `number` (separators ignored) pass the Luhn check."""
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return len(digits) >= 2 and total % 10 == 0


def _luhn_complete(partial: str) -> str:
    """`partial` followed by the Luhn check digit that makes the whole number valid."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:  # doubled once the check digit is appended on the right
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return partial + str((10 - total % 10) % 10)


IBAN_LENGTHS = {"FR": 27, "BE": 16, "DE": 22, "ES": 24, "IT": 27, "GB": 22, "NL": 18, "CH": 21}


def _iban_digits(s: str) -> str:
    """Letters to numbers as ISO 13616 says (A=10 ... Z=35), digits unchanged."""
    return "".join(str(int(c, 36)) for c in s)


def iban_valid(iban: str) -> bool:
    """True if `iban` (spaces allowed) has a known country length and passes mod-97."""
    s = re.sub(r"\s+", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", s):
        return False
    if IBAN_LENGTHS.get(s[:2]) != len(s):
        return False
    return int(_iban_digits(s[4:] + s[:4])) % 97 == 1


def _make_iban(country: str, bban: str) -> str:
    check = 98 - int(_iban_digits(bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


def _es_control_digit(digits: str) -> int:
    weights = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)
    r = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return {10: 1, 11: 0}.get(r, r)


# -- vocabulary -----------------------------------------------------------------------------------

_FIRST = (
    "jean",
    "marie-eve",
    "genevieve",
    "mathieu",
    "sophie",
    "alexandre",
    "isabelle",
    "francois",
    "melanie",
    "etienne",
    "chloe",
    "olivier",
    "nathalie",
    "gabriel",
    "emilie",
    "louis-philippe",
    "josee",
    "maxime",
    "anne-sophie",
    "benoit",
    "john",
    "sarah",
    "michael",
    "emily",
    "david",
    "jessica",
    "kevin",
    "megan",
    "ryan",
    "ashley",
    "liam",
    "olivia",
    "priya",
    "wei",
    "omar",
    "fatima",
    "camille",
    "lea",
    "hugo",
    "ines",
)
_LAST = (
    "tremblay",
    "gagnon",
    "roy",
    "cote",
    "bouchard",
    "gauthier",
    "morin",
    "lavoie",
    "fortin",
    "gagne",
    "ouellet",
    "pelletier",
    "belanger",
    "levesque",
    "bergeron",
    "smith",
    "brown",
    "wilson",
    "macdonald",
    "nguyen",
    "patel",
    "chen",
    "leblanc",
    "martin",
    "dubois",
    "bernard",
    "lefebvre",
    "moreau",
    "st-pierre",
    "o'neil",
)
_NICKS = (
    "cafe.lover.mtl",
    "leboncafe_qc",
    "ptitcafe",
    "espresso.addict",
    "grano_mtl",
    "latte4ever",
    "beanhunter",
    "kafe.du.plateau",
)
_DOMAINS = (
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "hotmail.com",
    "hotmail.fr",
    "outlook.com",
    "yahoo.ca",
    "yahoo.fr",
    "videotron.ca",
    "videotron.ca",
    "bell.net",
    "sympatico.ca",
    "icloud.com",
    "live.ca",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "proton.me",
    "etu.umontreal.ca",
    "mail.mcgill.ca",
    "courrier.uqam.ca",
    "bureau.cafelatelier.ca",
    "ventes.torrefaction-nord.qc.ca",
)
_EMAIL_TAGS = ("coffee", "cafe", "shop", "bb", "promo", "2024")

_NA_AREAS = (
    "514",
    "514",
    "514",
    "438",
    "450",
    "579",
    "418",
    "581",
    "819",
    "873",
    "367",
    "613",
    "416",
    "647",
    "604",
)
_TOLL_FREE = ("800", "888", "877", "866", "855")
_FR_PREFIXES = ("06", "06", "07", "07", "01", "02", "03", "04", "05", "09")

# (prefix, length, grouping) -- prefix "" means "computed in _card"
_CARD_BRANDS: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    ("4", 16, (4, 4, 4, 4)),
    ("4", 16, (4, 4, 4, 4)),
    ("4", 16, (4, 4, 4, 4)),
    ("4", 13, (4, 4, 5)),
    ("4", 19, (4, 4, 4, 4, 3)),
    ("5", 16, (4, 4, 4, 4)),
    ("5", 16, (4, 4, 4, 4)),
    ("2", 16, (4, 4, 4, 4)),
    ("34", 15, (4, 6, 5)),
    ("37", 15, (4, 6, 5)),
    ("6011", 16, (4, 4, 4, 4)),
    ("36", 14, (4, 6, 4)),
    ("35", 16, (4, 4, 4, 4)),
    ("62", 17, (4, 4, 4, 5)),
    ("6759", 18, (4, 4, 4, 4, 2)),
    ("62", 19, (4, 4, 4, 4, 3)),
)

_POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
# city -> (French spelling, English spelling, province FR, province EN, FSA choices)
_CA_CITIES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("Montréal", "Montreal", "Québec", "QC", ("H2X", "H2T", "H2J", "H1V", "H3A", "H4C", "H2L")),
    ("Montréal", "Montreal", "Québec", "QC", ("H2S", "H2G", "H3H", "H3Z", "H4A", "H1Y")),
    ("Québec", "Quebec City", "Québec", "QC", ("G1R", "G1K", "G1S")),
    ("Laval", "Laval", "Québec", "QC", ("H7N", "H7T")),
    ("Longueuil", "Longueuil", "Québec", "QC", ("J4K", "J4H")),
    ("Gatineau", "Gatineau", "Québec", "QC", ("J8Y", "J8X")),
    ("Sherbrooke", "Sherbrooke", "Québec", "QC", ("J1H", "J1E")),
    ("Trois-Rivières", "Trois-Rivieres", "Québec", "QC", ("G9A",)),
    ("Saguenay", "Saguenay", "Québec", "QC", ("G7H",)),
    ("Rimouski", "Rimouski", "Québec", "QC", ("G5L",)),
    ("Toronto", "Toronto", "Ontario", "ON", ("M5V", "M4Y", "M5J", "M6J")),
    ("Ottawa", "Ottawa", "Ontario", "ON", ("K1N", "K2P")),
    ("Vancouver", "Vancouver", "Colombie-Britannique", "BC", ("V6B", "V5K")),
    ("Halifax", "Halifax", "Nouvelle-Écosse", "NS", ("B3H",)),
)
_QC_STREETS_FR = (
    "rue Saint-Denis",
    "rue Fabre",
    "avenue du Parc",
    "boul. René-Lévesque Est",
    "boulevard Saint-Laurent",
    "chemin de la Côte-des-Neiges",
    "rue Sherbrooke Ouest",
    "avenue du Mont-Royal Est",
    "rue Beaubien Est",
    "rue Jean-Talon Ouest",
    "avenue Papineau",
    "avenue De Lorimier",
    "rue Ontario Est",
    "rue Wellington",
    "avenue Laurier Ouest",
    "boul. Saint-Joseph Est",
    "rue Notre-Dame Ouest",
    "rue Masson",
    "avenue Christophe-Colomb",
    "rue Saint-Hubert",
    "av. Bernard Ouest",
    "rue Fleury Est",
    "rue Principale",
    "rue des Érables",
    "chemin du Lac",
    "rang Saint-Joseph",
    "rue Saint-Jean",
    "avenue Cartier",
    "boul. des Forges",
    "Grande Allée Est",
    "montée Saint-Hubert",
    "rue King Ouest",
    "boulevard Talbot",
    "ch. Queen-Mary",
)
_CA_STREETS_EN = (
    "Sherbrooke St W",
    "Saint-Laurent Blvd",
    "Bay Street",
    "Elm Ave",
    "Peel St",
    "De Maisonneuve Blvd W",
    "Spadina Ave",
    "Queen St E",
    "Wellington St",
    "Main St",
    "Lakeshore Rd",
    "Crescent Street",
    "Rideau St",
    "Monkland Ave",
    "Sherbrooke Street West",
    "Greene Avenue",
    "Notre-Dame St W",
    "Jarvis St",
    "Bank Street",
    "Robson St",
    "Decarie Blvd",
    "Victoria Ave",
    "Somerset St W",
)
_FR_STREETS = (
    "rue de la Paix",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard de la République",
    "impasse des Lilas",
    "avenue du Général de Gaulle",
    "rue Gambetta",
    "boulevard de la Liberté",
    "allée des Tilleuls",
    "rue Pasteur",
    "place Bellecour",
    "cours Julien",
    "quai des Chartrons",
    "chemin des Vignes",
    "rue du Faubourg Saint-Antoine",
    "place du Capitole",
)
# (city, postal code pattern: "75{:03d}" filled with a district, or a fixed code)
_FR_CITIES: tuple[tuple[str, Callable[[random.Random], str]], ...] = (
    ("Paris", lambda r: f"750{r.randint(1, 20):02d}"),
    ("Lyon", lambda r: f"6900{r.randint(1, 9)}"),
    ("Marseille", lambda r: f"130{r.randint(1, 16):02d}"),
    ("Lille", lambda r: "59000"),
    ("Bordeaux", lambda r: "33000"),
    ("Nantes", lambda r: "44000"),
    ("Toulouse", lambda r: "31000"),
    ("Strasbourg", lambda r: "67000"),
    ("Rennes", lambda r: "35000"),
    ("Montpellier", lambda r: "34000"),
)
_GB_BANKS = ("NWBK", "BARC", "LOYD", "HBUK", "MIDL")
_NL_BANKS = ("ABNA", "INGB", "RABO", "TRIO")

_PRODUCTS = {
    "fr": (
        "Kamouraska",
        "Mélange Boréal",
        "Mélange Aurore",
        "Décaf Taïga",
        "Guji d'Éthiopie",
        "Colombie Huila",
        "Nordet",
        "cold brew Frimas",
        "Sumatra Mandheling",
    ),
    "en": (
        "Kamouraska",
        "Boreal Blend",
        "Aurora Espresso",
        "Taiga Decaf",
        "Ethiopia Guji",
        "Colombia Huila",
        "Nordet",
        "Frimas cold brew",
        "Sumatra Mandheling",
    ),
}
_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_EMOJI = ("🙏", "😡", "😤", "☕", "😕", "😭", "🤬", "🙄", "😅", "❤️", "👍", "😞", "😬", "🤞")
_COUPONS = (
    "BIENVENUE10",
    "NOEL25",
    "CAFE15",
    "BOREAL20",
    "WELCOME10",
    "FREESHIP",
    "PRINTEMPS2025",
    "ABONNE5",
)
_HASHTAGS = (
    "#cafédumatin",
    "#BrûlerieBoréale",
    "#mtlcoffee",
    "#coffeetime",
    "#café",
    "#montréal",
    "#espresso",
    "#shoplocal",
    "#mtl514",
)
_HANDLES = (
    "@brulerieboreale",
    "@BrulerieBoreale",
    "@mtlcafe",
    "@cafe.lover.mtl",
    "@coffee_lover_514",
    "@plateau_eats",
    "@baristaqc",
)

_SCALARS: dict[str, dict[str, tuple[str, ...]]] = {
    "time": {
        "fr": ("20 h", "8 h 30", "14h", "midi", "17 h", "9h15", "7 h du matin"),
        "en": ("8 p.m.", "9:30 am", "noon", "5pm", "10 a.m.", "7:45", "6 o'clock"),
    },
    "duration": {
        "fr": ("deux semaines", "10 jours", "trois semaines", "un mois", "5 jours ouvrables"),
        "en": ("two weeks", "10 days", "three weeks", "a month", "5 business days"),
    },
    "qty": {
        "fr": ("340 g", "2 x 1 kg", "3 sacs de 340 g", "1 kg", "deux sacs", "12 capsules", "500 g"),
        "en": ("340 g", "2 x 1 kg", "three 340 g bags", "12 oz", "5 lb", "two bags", "1 kg"),
    },
    "pct": {
        "fr": ("15 %", "20%", "10 %", "25 %", "30%"),
        "en": ("15%", "20 %", "10%", "25%", "30%"),
    },
    "year": {"fr": ("2018", "2019", "2021", "2023"), "en": ("2017", "2019", "2020", "2022")},
}

# -- sentence templates ---------------------------------------------------------------------------
# A slot is written {name}. Personal-data slots: email, phone, address, postal (an address
# reduced to a postal code: kind "address"), card, iban, order. Every other slot is filler.

_PII_SLOTS = {
    "email": "email",
    "phone": "phone",
    "address": "address",
    "postal": "address",
    "card": "card",
    "iban": "iban",
    "order": "order",
}

_SINGLE: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "order": (
            "Ma commande {order} n'est toujours pas arrivée, ça fait {duration}.",
            "{order} : toujours rien reçu {emoji}",
            "J'ai passé la commande {order} le {date} et le suivi n'a pas bougé depuis.",
            "Pouvez-vous vérifier la commande {order}? Il manque un sac de {product}.",
            "no de commande : {order}",
            "Le sac de {product} dans ma commande {order} était éventré à la livraison.",
            "Je voudrais annuler ma commande ({order}) avant qu'elle parte.",
            "Commande {order} reçue, mais c'était du moulu au lieu des grains 😕",
            "Vous m'avez chargé la livraison sur la commande {order} alors que j'avais le code "
            "BIENVENUE10.",
            "Référence de commande {order}, merci de faire vite!",
        ),
        "phone": (
            "Vous pouvez me rappeler au {phone}?",
            "Mon cell : {phone}",
            "{phone} c'est mon numéro, appelez après {time} svp.",
            "Texto au {phone} si le livreur ne trouve pas la porte.",
            "J'ai laissé trois messages, mon numéro est le {phone} {emoji}",
            "Joignable au {phone} (personne ne m'a rappelé jusqu'ici).",
            "Rappelez-moi ({phone}), c'est urgent.",
            "Le livreur a appelé le mauvais numéro, le bon c'est {phone}.",
        ),
        "email": (
            "Mon courriel : {email}",
            "Écrivez-moi à {email}, je ne reçois jamais vos réponses.",
            "{email} — c'est l'adresse liée à mon compte.",
            "Je n'ai jamais reçu la confirmation à {email}.",
            "Pouvez-vous changer le courriel du compte pour {email}?",
            "Vous pouvez me joindre par courriel ({email}) n'importe quand.",
            "J'ai créé un compte avec {email} mais impossible de me connecter {emoji}",
            "mon adresse courriel c'est {email}, merci!",
        ),
        "address": (
            "Livrez à {address} svp, pas à l'ancienne adresse.",
            "Mon adresse : {address}",
            "Le colis a été laissé au mauvais endroit, j'habite au {address}.",
            "{address} — c'est là que je veux recevoir mon abonnement.",
            "J'ai déménagé, nouvelle adresse ({address}) à partir du {date}.",
            "Adresse de livraison : {address}. Le livreur dit qu'elle n'existe pas ?!",
            "Pouvez-vous envoyer le remplacement au {address}?",
        ),
        "postal": (
            "mon code postal c'est {postal}, est-ce que la livraison gratuite s'applique?",
            "Livrez-vous dans le {postal}? Le site dit non.",
            "Code postal : {postal}",
            "Le site refuse mon code postal ({postal}) {emoji}",
        ),
        "card": (
            "Vous m'avez débité deux fois sur ma carte {card}!",
            "Ma carte {card} a été refusée alors qu'elle fonctionne partout ailleurs.",
            "Carte utilisée : {card}",
            "{card} — c'est la carte à rembourser, pas celle au dossier.",
            "Pouvez-vous remplacer la carte de mon abonnement par la {card}?",
            "Le paiement de {price} a été prélevé sur ma carte ({card}) deux fois.",
            "J'ai un débit de {price} que je ne reconnais pas sur la carte {card}.",
        ),
        "iban": (
            "Remboursez-moi sur mon IBAN {iban} svp.",
            "Voici mon IBAN : {iban}",
            "IBAN {iban} (compte européen, j'habite à l'étranger maintenant).",
            "{iban} — c'est le compte pour le remboursement.",
            "Le virement de remboursement doit aller sur {iban}, pas sur ma carte.",
            "Pour le remboursement, mon IBAN est le {iban}.",
        ),
    },
    "en": {
        "order": (
            "My order {order} still hasn't arrived, it's been {duration}.",
            "{order} — where is it?? {emoji}",
            "I placed order {order} on {date} and tracking hasn't moved since.",
            "Can you check order {order}? One bag of {product} is missing.",
            "order number: {order}",
            "The {product} bag in order {order} was torn open when it arrived.",
            "I'd like to cancel my order ({order}) before it ships.",
            "Got order {order} today but it's ground instead of whole bean 😕",
            "You charged shipping on order {order} even though I used WELCOME10.",
            "Order ref {order}. Please sort this out!",
        ),
        "phone": (
            "Can someone call me back at {phone}?",
            "My cell: {phone}",
            "{phone} is my number, please call after {time}.",
            "Text me at {phone} if the driver can't find the door.",
            "Left three voicemails already, my number is {phone} {emoji}",
            "You can reach me at {phone} (nobody has so far).",
            "Call me ({phone}), it's urgent.",
            "The courier called the wrong number, the right one is {phone}.",
        ),
        "email": (
            "My email: {email}",
            "Please write to me at {email}, I never get your replies.",
            "{email} is the address on my account.",
            "Never got the confirmation at {email}.",
            "Can you change the account email to {email}?",
            "Feel free to email me ({email}) anytime.",
            "Signed up with {email} but I can't log in {emoji}",
            "my email is {email} thx",
        ),
        "address": (
            "Please ship to {address}, not my old address.",
            "My address: {address}",
            "The parcel was left at the wrong place, I live at {address}.",
            "{address} — that's where my subscription should go.",
            "I moved, new address ({address}) starting {date}.",
            "Delivery address: {address}. The courier says it doesn't exist?!",
            "Could you send the replacement to {address}?",
        ),
        "postal": (
            "my postal code is {postal}, does free shipping apply?",
            "Do you deliver to {postal}? The site says no.",
            "Postal code: {postal}",
            "Your checkout rejects my postal code ({postal}) {emoji}",
        ),
        "card": (
            "You charged my card {card} twice!",
            "My card {card} was declined but it works everywhere else.",
            "Card used: {card}",
            "{card} — refund to this card, not the one on file.",
            "Can you switch my subscription to card {card}?",
            "The {price} payment was taken from my card ({card}) twice.",
            "There's a {price} charge I don't recognize on card {card}.",
        ),
        "iban": (
            "Please refund to my IBAN {iban}.",
            "Here's my IBAN: {iban}",
            "IBAN {iban} (European account, I live abroad now).",
            "{iban} — that's the account for the refund.",
            "The refund transfer should go to {iban}, not my card.",
            "For the refund, my IBAN is {iban}.",
        ),
    },
}

_MULTI: dict[str, tuple[str, ...]] = {
    "fr": (
        "Courriel : {email}\nTéléphone : {phone}",
        "Vous pouvez me joindre au {phone} ou à {email}.",
        "Commande {order}, livrée au {address} — mais le sac était vide!",
        "La commande {order} a été payée avec la carte {card} et je n'ai rien reçu.",
        "Compte : {email} / commande {order}",
        "Adresse : {address}\nTél. : {phone}",
        "Remboursez la commande {order} sur l'IBAN {iban} plutôt que sur la carte.",
        "Nouvelle adresse : {address}, et mon numéro a changé aussi : {phone}",
        "Commande : {order}\nCourriel : {email}\nAdresse : {address}",
        "J'ai deux commandes en double, {order} et {order}, remboursez-en une svp.",
    ),
    "en": (
        "Email: {email}\nPhone: {phone}",
        "You can reach me at {phone} or {email}.",
        "Order {order}, delivered to {address} — but the bag was empty!",
        "Order {order} was paid with card {card} and nothing showed up.",
        "Account: {email} / order {order}",
        "Address: {address}\nPhone: {phone}",
        "Refund order {order} to IBAN {iban} instead of the card please.",
        "New address: {address}, and my number changed too: {phone}",
        "Order: {order}\nEmail: {email}\nShipping address: {address}",
        "I got charged for two orders, {order} and {order}, please refund one.",
    ),
}

_OPENERS = {
    "fr": (
        "Bonjour,",
        "Bonjour Brûlerie Boréale,",
        "Allô,",
        "Salut!",
        "Bonsoir,",
        "Allô l'équipe,",
        "Re-bonjour,",
        "Bonjour, je vous écris encore.",
        "Hello,",
    ),
    "en": (
        "Hi,",
        "Hello,",
        "Hi Brûlerie Boréale team,",
        "Hey there!",
        "Good morning,",
        "Hi again,",
        "Hello Brulerie Boreale,",
        "Hey,",
        "Hi, writing again.",
    ),
}
_CONTEXT = {
    "fr": (
        "J'ai commandé {qty} de {product} le {date}.",
        "Ça fait {duration} que j'attends.",
        "Je suis cliente depuis {year} et c'est la première fois que ça arrive.",
        "J'ai payé {price} pour la livraison express et rien n'est arrivé.",
        "Le site affichait {pct} de rabais mais je ne l'ai pas eu.",
        "Je suis vraiment déçu du service.",
        "Votre {product} est mon café préféré, mais là je suis fâchée.",
        "J'ai essayé de vous appeler hier vers {time}, personne n'a répondu.",
        "C'est mon troisième message à ce sujet.",
        "Votre pub Instagram disait livraison gratuite à partir de {price}.",
    ),
    "en": (
        "I ordered {qty} of {product} on {date}.",
        "Been waiting {duration} now.",
        "I've been a customer since {year} and this never happened before.",
        "I paid {price} for express shipping and nothing came.",
        "The site showed {pct} off but I didn't get the discount.",
        "Really disappointed with the service.",
        "Love your {product} but right now I'm upset.",
        "Tried calling yesterday around {time}, no answer.",
        "This is my third message about this.",
        "Your Instagram ad said free shipping over {price}.",
    ),
}
_CLOSERS = {
    "fr": (
        "Merci!",
        "Merci d'avance 🙏",
        "Cordialement.",
        "Bonne journée",
        "J'attends votre réponse.",
        "Sinon je fais une plainte.",
        "Merci de me revenir rapidement.",
        "😡",
        "Bonne fin de semaine!",
        "Merci beaucoup ☕",
    ),
    "en": (
        "Thanks!",
        "Thanks in advance 🙏",
        "Regards.",
        "Have a good day",
        "Waiting for your reply.",
        "Otherwise I'm filing a chargeback.",
        "Please get back to me ASAP.",
        "😡",
        "Cheers",
        "Thank you ☕",
    ),
}

_NEGATIVE: dict[str, tuple[str, ...]] = {
    "fr": (
        "Le {product} en {qty} est passé de {price} à {price}, c'est une hausse de {pct}?!",
        "Est-ce que le code {coupon} fonctionne sur les abonnements?",
        "Vous êtes ouverts le {date}? On voudrait passer vers {time}.",
        "Je bois votre {product} depuis {year} et il goûte différent depuis le dernier lot.",
        "{qty} de {product} pour le bureau, c'est possible en livraison?",
        "Super promo {pct} cette semaine {emoji} {hashtag}",
        "Merci {handle} pour le {product}, meilleur café en ville! {hashtag}",
        "Le sac de {qty} à {price}, c'est en grains ou moulu?",
        "La dégustation du {date} à {time}, il reste des places?",
        "Le café est arrivé froid à {time}, et la livraison coûtait {price}.",
        "{hashtag} {hashtag} trop bon ce matin {emoji}",
        "Quelle est la température idéale pour le {product}? 93 °C?",
        "Le ratio 1:16 avec {qty} de café, c'est correct pour une cafetière à piston?",
        "Vous faites encore le {product} en édition limitée comme en {year}?",
        "Le code {coupon} expire quand? Le site dit le {date}.",
        "Il y a {pct} de robusta dans le {product}?",
        "Ça fait {duration} que le {product} est en rupture de stock {emoji}",
        "On est 12 au bureau, on boit environ {qty} par semaine.",
        "Votre kiosque au marché Jean-Talon est ouvert jusqu'à quelle heure le samedi?",
        "Pour info, le lien dans votre story {handle} ne marche plus.",
        "Livraison gratuite à partir de {price}, c'est avant ou après taxes?",
        "Le café de la succursale du boulevard Saint-Laurent est meilleur qu'en sac 😅",
        "Bravo pour vos 10 ans! {hashtag}",
        "Commande de groupe : {qty} et {qty}, ça donne combien avec {pct} de rabais?",
        "Le {product} a une note de 4,5/5 sur votre site, je confirme {emoji}",
        "Depuis le {date}, le prix du {qty} a monté de {price}.",
    ),
    "en": (
        "The {product} in {qty} went from {price} to {price}, that's a {pct} increase?!",
        "Does the code {coupon} work on subscriptions?",
        "Are you open on {date}? We'd like to drop by around {time}.",
        "Been drinking your {product} since {year} and it tastes different this batch.",
        "{qty} of {product} for the office, can you deliver that?",
        "Great {pct} promo this week {emoji} {hashtag}",
        "Thanks {handle} for the {product}, best coffee in town! {hashtag}",
        "The {qty} bag at {price}, is that whole bean or ground?",
        "The tasting on {date} at {time}, any spots left?",
        "Coffee arrived cold at {time}, and delivery was {price}.",
        "{hashtag} {hashtag} so good this morning {emoji}",
        "What's the ideal water temperature for the {product}? 93 °C?",
        "Is a 1:16 ratio with {qty} of coffee right for a French press?",
        "Will you bring back the limited {product} like in {year}?",
        "When does {coupon} expire? The site says {date}.",
        "Is there {pct} robusta in the {product}?",
        "The {product} has been out of stock for {duration} {emoji}",
        "There are 12 of us at the office, we go through about {qty} a week.",
        "How late is your kiosk at Jean-Talon Market open on Saturdays?",
        "FYI the link in your story {handle} is broken.",
        "Free shipping over {price}, is that before or after tax?",
        "The coffee at the Saint-Laurent Blvd café beats the bagged one 😅",
        "Congrats on 10 years! {hashtag}",
        "Group order: {qty} and {qty}, how much is that with {pct} off?",
        "The {product} is rated 4.5/5 on your site and I agree {emoji}",
        "Since {date}, the {qty} price went up by {price}.",
    ),
}
_NEGATIVE_PUBLIC: dict[str, tuple[str, ...]] = {
    "fr": (
        "J'ai écrit à {support_email} le {date}, toujours pas de réponse.",
        "Votre ligne {support_phone} ferme à {time}, c'est trop tôt pour ceux qui travaillent.",
        "J'ai appelé le {support_phone} et on m'a dit d'écrire à {support_email}, franchement...",
        "C'est quoi le délai de réponse à {support_email}? Ça fait {duration}.",
        "Le {support_phone} est-il gratuit depuis la France?",
    ),
    "en": (
        "I emailed {support_email} on {date}, still no reply.",
        "Your line {support_phone} closes at {time}, too early for people who work.",
        "Called {support_phone} and they told me to write to {support_email}, seriously...",
        "What's the response time at {support_email}? It's been {duration}.",
        "Is {support_phone} toll-free from the US too?",
    ),
}

# -- value generators -----------------------------------------------------------------------------


class _Builder:
    """Accumulates text and records the exact offsets of the values added as spans."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pos = 0
        self.spans: list[dict[str, Any]] = []
        self.public: list[dict[str, Any]] = []

    def add(self, s: str) -> None:
        self._parts.append(s)
        self._pos += len(s)

    def add_value(self, kind: str, value: str, *, public: bool = False) -> None:
        span: dict[str, Any] = {
            "start": self._pos,
            "end": self._pos + len(value),
            "kind": kind,
            "value": value,
        }
        if public:
            span["public"] = True
            self.public.append(span)
        else:
            self.spans.append(span)
        self.add(value)

    @property
    def text(self) -> str:
        return "".join(self._parts)


class _Gen:
    """Value and filler generators for one language, driven by one seeded RNG."""

    def __init__(self, rng: random.Random, lang: str) -> None:
        self.rng = rng
        self.lang = lang

    # personal data: each returns (decoration before the span, span value)

    def email(self) -> tuple[str, str]:
        r = self.rng
        first, last = r.choice(_FIRST), r.choice(_LAST)
        if "'" in last and r.random() < 0.6:
            last = last.replace("'", "")
        pattern = r.randrange(11)
        if pattern == 0:
            local = f"{first}.{last}"
        elif pattern == 1:
            local = f"{first}_{r.randint(70, 99)}"
        elif pattern == 2:
            local = f"{first}{last}{r.randint(1, 999)}"
        elif pattern == 3:
            local = f"{first[0].upper()}.{last.capitalize()}"
        elif pattern == 4:
            local = f"{first}.{last}+{r.choice(_EMAIL_TAGS)}"
        elif pattern == 5:
            local = f"{last}.{first}"
        elif pattern == 6:
            local = f"{first}-{last}"
        elif pattern == 7:
            local = f"{first}.{last}".upper()
        elif pattern == 8:
            local = f"{first[0]}{last}{r.randint(1, 99):02d}"
        elif pattern == 9:
            local = r.choice(_NICKS)
        else:
            local = f"{first.capitalize()}.{last.capitalize()}"
        if pattern in (3, 4) and r.random() < 0.5:
            local = local[0].upper() + local[1:]
        domain = r.choice(_DOMAINS)
        if r.random() < 0.08:
            domain = domain.upper()
        elif r.random() < 0.08:
            domain = domain.capitalize()
        return "", f"{local}@{domain}"

    def phone(self) -> tuple[str, str]:
        r = self.rng
        fr_share = 0.35 if self.lang == "fr" else 0.12
        if r.random() < fr_share:
            digits = r.choice(_FR_PREFIXES) + "".join(str(r.randrange(10)) for _ in range(8))
            pairs = [digits[i : i + 2] for i in range(0, 10, 2)]
            fmt = r.randrange(7)
            value = (
                " ".join(pairs),
                ".".join(pairs),
                "+33 " + digits[1] + " " + " ".join(pairs[1:]),
                digits,
                "-".join(pairs),
                "+33 (0)" + digits[1] + " " + " ".join(pairs[1:]),
                "+33" + digits[1:],
            )[fmt]
            return "", value
        if r.random() < 0.08:
            area = r.choice(_TOLL_FREE)
            line = f"01{r.randint(0, 98):02d}"  # 1-800-555-0199 is the brand's own line
            value = r.choice(
                (
                    f"1-{area}-555-{line}",
                    f"1 {area} 555-{line}",
                    f"{area}-555-{line}",
                    f"1 ({area}) 555-{line}",
                )
            )
            return "", value
        a = r.choice(_NA_AREAS)
        ln = f"01{r.randint(0, 99):02d}"
        value = r.choice(
            (
                f"{a}-555-{ln}",
                f"({a}) 555 {ln}",
                f"({a}) 555-{ln}",
                f"+1 {a} 555 {ln}",
                f"+1 ({a}) 555-{ln}",
                f"1-{a}-555-{ln}",
                f"{a}.555.{ln}",
                f"{a}555{ln}",
                f"{a} 555-{ln}",
                f"{a} 555 {ln}",
                f"+1-{a}-555-{ln}",
                f"+1{a}555{ln}",
            )
        )
        return "", value

    def _ca_postal(self, fsa: str) -> str:
        r = self.rng
        ldu = f"{r.randrange(10)}{r.choice(_POSTAL_LETTERS)}{r.randrange(10)}"
        return f"{fsa} {ldu}" if r.random() < 0.8 else f"{fsa}{ldu}"

    def _address_qc_fr(self) -> str:
        r = self.rng
        num = str(r.choice((r.randint(1, 99), r.randint(100, 999), r.randint(1000, 9999))))
        unit_n = r.randint(1, 24)
        if r.random() < 0.12:
            num = f"{unit_n}-{num}"
        head = f"{num}, " if r.random() < 0.5 else f"{num} "
        s = head + r.choice(_QC_STREETS_FR)
        if "-" not in num and r.random() < 0.3:
            s += r.choice(
                (
                    f", app. {unit_n}",
                    f" app {unit_n}",
                    f", appartement {unit_n}",
                    f", bureau {unit_n * 10}",
                    f", unité {unit_n}",
                    f" #{unit_n}",
                )
            )
        city_fr, _, prov_fr, prov, fsas = r.choice(_CA_CITIES[:10])
        postal = self._ca_postal(r.choice(fsas))
        tail = r.randrange(6)
        if tail == 0:
            s += f", {city_fr} ({prov_fr}) {postal}"
        elif tail == 1:
            s += f", {city_fr}, {prov} {postal}"
        elif tail == 2:
            s += f" {city_fr} {prov} {postal}"
        elif tail == 3:
            s += f", {city_fr}"
        elif tail == 4:
            s += f", {postal}"
        return s

    def _address_ca_en(self) -> str:
        r = self.rng
        num = str(r.choice((r.randint(1, 99), r.randint(100, 999), r.randint(1000, 9999))))
        unit_n = r.randint(1, 30)
        if r.random() < 0.12:
            num = f"{unit_n}-{num}"
        s = f"{num} {r.choice(_CA_STREETS_EN)}"
        if "-" not in num and r.random() < 0.3:
            s += r.choice(
                (
                    f", Apt {unit_n}B",
                    f", Suite {unit_n * 100}",
                    f" Apt. {unit_n}",
                    f", Unit {unit_n}",
                    f" #{unit_n}",
                )
            )
        _, city, _, prov, fsas = r.choice(_CA_CITIES)
        postal = self._ca_postal(r.choice(fsas))
        province_long = {
            "QC": "Quebec",
            "ON": "Ontario",
            "BC": "British Columbia",
            "NS": "Nova Scotia",
        }[prov]
        tail = r.randrange(6)
        if tail == 0:
            s += f", {city}, {prov} {postal}"
        elif tail == 1:
            s += f", {city} {prov} {postal}"
        elif tail == 2:
            s += f", {city}, {province_long} {postal}"
        elif tail == 3:
            s += f" {city} {postal}"
        elif tail == 4:
            s += f", {city}"
        return s

    def _address_france(self) -> str:
        r = self.rng
        num = str(r.randint(1, 180))
        if r.random() < 0.2:
            num += r.choice((" bis", " ter", "bis"))
        s = f"{num} {r.choice(_FR_STREETS)}"
        if r.random() < 0.2:
            s += r.choice((", bât. B", ", appt 12", ", 3e étage", ", résidence Les Pins"))
        city, code = r.choice(_FR_CITIES)
        if r.random() < 0.85:
            s += f"{r.choice((', ', ' '))}{code(r)} {city}"
        return s

    def address(self) -> tuple[str, str]:
        r = self.rng.random()
        if self.lang == "fr":
            kind = "qc" if r < 0.55 else "france" if r < 0.85 else "en"
        else:
            kind = "en" if r < 0.7 else "qc" if r < 0.95 else "france"
        value = {
            "qc": self._address_qc_fr,
            "en": self._address_ca_en,
            "france": self._address_france,
        }[kind]()
        return "", value

    def postal(self) -> tuple[str, str]:
        r = self.rng
        _, _, _, _, fsas = r.choice(_CA_CITIES)
        value = self._ca_postal(r.choice(fsas))
        if r.random() < 0.12:
            value = value.lower()
        return "", value

    def card(self) -> tuple[str, str]:
        r = self.rng
        prefix, length, groups = r.choice(_CARD_BRANDS)
        if prefix == "5":
            prefix = f"5{r.randint(1, 5)}"
        elif prefix == "2":
            prefix = str(r.randint(2221, 2720))
        elif prefix == "35":
            prefix = str(r.randint(3528, 3589))
        body = prefix + "".join(str(r.randrange(10)) for _ in range(length - len(prefix) - 1))
        number = _luhn_complete(body)
        sep = r.choices((" ", "-", ""), weights=(55, 20, 25))[0]
        if not sep:
            return "", number
        chunks, i = [], 0
        for g in groups:
            chunks.append(number[i : i + g])
            i += g
        return "", sep.join(chunks)

    def iban(self) -> tuple[str, str]:
        r = self.rng

        def digits(k: int) -> str:
            return "".join(str(r.randrange(10)) for _ in range(k))

        country = r.choice(("FR", "FR", "FR", "BE", "BE", "DE", "ES", "IT", "GB", "NL", "CH"))
        if country == "FR":
            bank, branch, account = digits(5), digits(5), digits(11)
            key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
            bban = f"{bank}{branch}{account}{key:02d}"
        elif country == "BE":
            first = digits(10)
            bban = f"{first}{int(first) % 97 or 97:02d}"
        elif country == "DE":
            bban = digits(18)
        elif country == "ES":
            bank, branch, account = digits(4), digits(4), digits(10)
            dc = f"{_es_control_digit('00' + bank + branch)}{_es_control_digit(account)}"
            bban = bank + branch + dc + account
        elif country == "IT":
            bban = r.choice("ABCDEFGHIJKLMNOPRSTUVWXYZ") + digits(22)
        elif country == "GB":
            bban = r.choice(_GB_BANKS) + digits(14)
        elif country == "NL":
            bban = r.choice(_NL_BANKS) + digits(10)
        else:
            bban = digits(17)
        iban = _make_iban(country, bban)
        if r.random() < 0.7:
            iban = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        return "", iban

    def order(self) -> tuple[str, str]:
        r = self.rng
        x = r.random()
        if x < 0.35:
            return ("#" if r.random() < 0.2 else ""), f"BO-{r.randint(10000, 99999)}"
        if x < 0.55:
            return ("#" if r.random() < 0.7 else ""), f"BO{r.randint(10000, 99999)}"
        if x < 0.8:
            return ("#" if r.random() < 0.4 else ""), str(r.randint(100000000, 109999999))
        year, serial = r.randint(2023, 2026), r.randint(1, 99999)
        return ("#" if r.random() < 0.1 else ""), f"BO-{year}-{serial:05d}"

    # fillers (no personal data)

    def price(self) -> str:
        r = self.rng
        d, c = r.randint(3, 89), r.choice((0, 25, 49, 50, 75, 95, 99))
        if self.lang == "fr":
            return r.choice((f"{d},{c:02d} $", f"{d} $", f"{d},{c:02d}$", f"{d}$"))
        return r.choice((f"${d}.{c:02d}", f"${d}", f"{d}.{c:02d}$", f"CA${d}.{c:02d}"))

    def date(self) -> str:
        r = self.rng
        day, m = r.randint(1, 28), r.randrange(12)
        month = _MONTHS[self.lang][m]
        year = r.choice((2024, 2025))
        if self.lang == "fr":
            return r.choice(
                (
                    f"{day} {month}",
                    f"{day} {month} {year}",
                    f"{year}-{m + 1:02d}-{day:02d}",
                    f"{day:02d}/{m + 1:02d}",
                )
            )
        return r.choice(
            (
                f"{month} {day}",
                f"{month[:3]} {day}",
                f"{m + 1}/{day}/{year}",
                f"{year}-{m + 1:02d}-{day:02d}",
            )
        )

    def fill(self, b: _Builder, slot: str) -> None:
        """Add a personal-data value (or the brand's public contact) with its span."""
        r = self.rng
        if slot in _PII_SLOTS:
            prefix, value = getattr(self, slot)()
            b.add(prefix)
            b.add_value(_PII_SLOTS[slot], value)
        elif slot == "support_email":
            b.add_value("email", PUBLIC_EMAIL, public=True)
        elif slot == "support_phone":
            phone = r.choices(
                (PUBLIC_PHONE, "1 800 555-0199", "1 (800) 555-0199"), weights=(8, 1, 1)
            )[0]
            b.add_value("phone", phone, public=True)
        else:
            raise KeyError(f"not a personal-data slot {{{slot}}}")

    def filler(self, slot: str) -> str:
        """Text with no personal data for a filler slot."""
        r = self.rng
        if slot in _SCALARS:
            return r.choice(_SCALARS[slot][self.lang])
        simple: dict[str, Callable[[], str]] = {
            "price": self.price,
            "date": self.date,
            "product": lambda: r.choice(_PRODUCTS[self.lang]),
            "emoji": lambda: r.choice(_EMOJI),
            "coupon": lambda: r.choice(_COUPONS),
            "hashtag": lambda: r.choice(_HASHTAGS),
            "handle": lambda: r.choice(_HANDLES),
        }
        if slot not in simple:
            raise KeyError(f"unknown template slot {{{slot}}}")
        return simple[slot]()


_SLOT = re.compile(r"\{(\w+)\}")


def _render(b: _Builder, gen: _Gen, template: str) -> None:
    pos = 0
    for m in _SLOT.finditer(template):
        b.add(template[pos : m.start()])
        slot = m.group(1)
        if slot in _PII_SLOTS or slot.startswith("support_"):
            gen.fill(b, slot)
        else:
            text = gen.filler(slot)
            if m.start() == 0:  # sentence start
                text = text[:1].upper() + text[1:]
            if text.endswith(".") and template[m.end() : m.end() + 1] == ".":
                text = text[:-1]  # "8 p.m.." -> "8 p.m."
            b.add(text)
        pos = m.end()
    b.add(template[pos:])


def _pii_slots(template: str) -> list[str]:
    return [s for s in _SLOT.findall(template) if s in _PII_SLOTS]


def _languages(n: int, rng: random.Random) -> list[str]:
    langs = ["fr"] * (n // 2) + ["en"] * (n - n // 2)
    rng.shuffle(langs)
    return langs


def _assemble(b: _Builder, gen: _Gen, sentences: Sequence[str], *, context: bool) -> None:
    """Optional greeting and context, the given sentences, optional closing."""
    r = gen.rng
    sep = r.choice((" ", " ", " ", "\n", "\n\n"))
    pieces: list[str] = []
    if context:
        if r.random() < 0.6:
            pieces.append(r.choice(_OPENERS[gen.lang]))
        if r.random() < 0.55:
            pieces.append(r.choice(_CONTEXT[gen.lang]))
    pieces.extend(sentences)
    if r.random() < 0.45:
        pieces.append(r.choice(_CLOSERS[gen.lang]))
    for i, piece in enumerate(pieces):
        if i:
            b.add(sep)
        _render(b, gen, piece)


# -- public API -----------------------------------------------------------------------------------


def generate(n: int = 240, seed: int = 2026) -> list[Item]:
    """`n` customer messages, each with 1-3 pieces of fictional personal data and their spans."""
    rng = random.Random(seed)
    counts: Counter[str] = Counter({k: 0 for k in KINDS})
    items: list[Item] = []
    for i, lang in enumerate(_languages(n, rng), start=1):
        gen = _Gen(rng, lang)
        wanted = rng.choices((1, 2, 3), weights=(4, 4, 2))[0]
        lead = rng.random() < 0.2  # personal data as the very first characters
        chosen: list[str] = []
        while wanted > 0:
            if not (lead and not chosen) and wanted >= 2 and rng.random() < 0.3:
                options = [
                    t for t in _MULTI[lang] if len(_pii_slots(t)) <= wanted and t not in chosen
                ]
                template = rng.choice(options)
            else:
                low = min(counts.values())
                kind = rng.choice([k for k in KINDS if counts[k] <= low + 2])
                key = "postal" if kind == "address" and rng.random() < 0.25 else kind
                options = [t for t in _SINGLE[lang][key] if t not in chosen]
                if lead and not chosen:
                    options = [t for t in _SINGLE[lang][kind] if t.startswith("{")]
                template = rng.choice(options)
            chosen.append(template)
            slots = _pii_slots(template)
            counts.update(_PII_SLOTS[s] for s in slots)
            wanted -= len(slots)
        if lead:
            rest = chosen[1:]
            rng.shuffle(rest)
            chosen = chosen[:1] + rest
        else:
            rng.shuffle(chosen)
        b = _Builder()
        _assemble(b, gen, chosen, context=not lead)
        items.append({"id": f"pii-{i:04d}", "language": lang, "text": b.text, "spans": b.spans})
    return items


def negatives(n: int = 100, seed: int = 7) -> list[Item]:
    """`n` messages without personal data but full of look-alikes; `spans` is always empty.

    The brand's public support e-mail and phone, when present, are listed in `public_spans`
    with `"public": True`.
    """
    rng = random.Random(seed)
    items: list[Item] = []
    seen: set[str] = set()
    for i, lang in enumerate(_languages(n, rng), start=1):
        gen = _Gen(rng, lang)
        for _attempt in range(20):  # short texts can repeat; try for a new one
            k = rng.choices((1, 2, 3), weights=(4, 4, 2))[0]
            sentences = rng.sample(_NEGATIVE[lang], k)
            if rng.random() < 0.3:
                public = rng.choice(_NEGATIVE_PUBLIC[lang])
                sentences.insert(rng.randrange(len(sentences) + 1), public)
            b = _Builder()
            _assemble(b, gen, sentences, context=False)
            if b.text not in seen:
                break
        seen.add(b.text)
        items.append(
            {
                "id": f"neg-{i:04d}",
                "language": lang,
                "text": b.text,
                "spans": [],
                "public_spans": b.public,
            }
        )
    return items


# -- self-check -----------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_LONG_DIGITS_RE = re.compile(r"\d(?:[ .\-]?\d){8,}")
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,}")


def _position(text: str, span: dict[str, Any]) -> str:
    before, after = text[: span["start"]], text[span["end"] :]
    if not any(c.isalnum() for c in before):
        return "start"
    if not any(c.isalnum() for c in after):
        return "end"
    return "middle"


def _masked(text: str, spans: Sequence[dict[str, Any]]) -> str:
    chars = list(text)
    for s in spans:
        chars[s["start"] : s["end"]] = " " * (s["end"] - s["start"])
    return "".join(chars)


def validate(items: Sequence[Item], negative_items: Sequence[Item] = ()) -> list[str]:
    """Problems found in generated items (empty list: all good)."""
    problems: list[str] = []
    texts = [it["text"] for it in items]
    if len(set(texts)) != len(texts):
        problems.append(f"{len(texts) - len(set(texts))} duplicate positive text(s)")
    for item in items:
        text, spans, iid = item["text"], item["spans"], item["id"]
        if not 1 <= len(spans) <= 3:
            problems.append(f"{iid}: {len(spans)} spans")
        prev_end = -1
        for s in spans:
            value = s["value"]
            if text[s["start"] : s["end"]] != value:
                problems.append(f"{iid}: span mismatch {s}")
            if s["kind"] not in KINDS:
                problems.append(f"{iid}: unknown kind {s['kind']}")
            if s["start"] < prev_end:
                problems.append(f"{iid}: overlapping spans")
            prev_end = s["end"]
            before = text[s["start"] - 1] if s["start"] else " "
            after = text[s["end"] : s["end"] + 2]
            if before.isalnum() or after[:1].isalnum() or (after and after[0] in "@_"):
                problems.append(f"{iid}: span glued to surrounding text {value!r}")
            if after[:1] in ".-" and after[1:2].isalnum():
                problems.append(f"{iid}: span may extend past its end {value!r}")
            if s["kind"] == "card":
                d = re.sub(r"[ -]", "", value)
                if not (d.isdigit() and 13 <= len(d) <= 19 and luhn_valid(d)):
                    problems.append(f"{iid}: bad card {value!r}")
            elif s["kind"] == "iban" and not iban_valid(value):
                problems.append(f"{iid}: bad IBAN {value!r}")
            elif s["kind"] == "email" and not _EMAIL_RE.fullmatch(value):
                problems.append(f"{iid}: bad email {value!r}")
            elif s["kind"] == "phone" and re.sub(r"\D", "", value).endswith("8005550199"):
                problems.append(f"{iid}: brand's public phone used as personal data")
        rest = _masked(text, spans)
        for pattern in (_EMAIL_RE, _LONG_DIGITS_RE, _IBAN_RE):
            if m := pattern.search(rest):
                problems.append(f"{iid}: unlabelled look-alike {m.group()!r}")
    for item in negative_items:
        text, iid = item["text"], item["id"]
        if item["spans"]:
            problems.append(f"{iid}: negative with spans")
        for s in item["public_spans"]:
            if text[s["start"] : s["end"]] != s["value"] or s.get("public") is not True:
                problems.append(f"{iid}: bad public span {s}")
        rest = _masked(text, item["public_spans"])
        for pattern in (_EMAIL_RE, _LONG_DIGITS_RE, _IBAN_RE):
            if m := pattern.search(rest):
                problems.append(f"{iid}: personal-data look-alike in negative {m.group()!r}")
    return problems


def _main() -> int:
    items, negs = generate(), negatives()
    kinds = Counter(s["kind"] for it in items for s in it["spans"])
    langs = Counter(it["language"] for it in items)
    positions = Counter(_position(it["text"], s) for it in items for s in it["spans"])
    per_text = Counter(len(it["spans"]) for it in items)
    print(f"positives: {len(items)} texts, {sum(kinds.values())} spans, languages {dict(langs)}")
    for kind in KINDS:
        print(f"  {kind:8s} {kinds[kind]}")
    print(f"  spans per text {dict(sorted(per_text.items()))}; positions {dict(positions)}")
    public = Counter(s["kind"] for it in negs for s in it["public_spans"])
    print(
        f"negatives: {len(negs)} texts, languages "
        f"{dict(Counter(it['language'] for it in negs))}, public contacts {dict(public)}"
    )
    sample_rng = random.Random(0)
    print("\nsamples:")
    for it in sample_rng.sample(items, 5):
        print(json.dumps(it, ensure_ascii=False, indent=1))
    problems = validate(items, negs)
    if generate() != items or negatives() != negs:
        problems.append("not deterministic for a fixed seed")
    if generate(seed=1) == items:
        problems.append("different seeds give the same corpus")
    for n in (1, 7, 1000):
        problems.extend(validate(generate(n, seed=n), negatives(n, seed=n)))
    print(f"\nself-check: {'OK' if not problems else f'{len(problems)} problem(s)'}")
    for p in problems[:50]:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(_main())
