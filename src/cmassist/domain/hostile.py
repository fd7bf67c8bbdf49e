"""Hostile input: prompt-injection attempts in comments and documents, and replies that obey them.

`detect_injection(text)` reads a comment, mention, message or document the way an attacker
writes one, in French and English: overrides ("ignore your previous instructions", "oublie
tes consignes"), persona switches (DAN, "tu es maintenant..."), requests for the system
prompt, fake delimiters and chat-template tokens, orders addressed to the bot ("assistant,
reply with this link"), and the same hidden behind accents, look-alike letters, leetspeak,
spaced letters, invisible characters or base64. Every signal comes with a reason a person
can read and the span it was found at.

`CANARY` marks every drafting prompt; a generated text that contains it leaked its prompt.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from cmassist.domain.textmatch import FUNCTION_WORDS, INVISIBLE, fold

CANARY_PREFIX = "CMA-CANARY-"
CANARY_RX = re.compile(r"CMA[\s\-_]*CANARY[\s\-_]*[0-9a-f]{6,}", re.IGNORECASE)


def new_canary() -> str:
    """A fresh canary string for one prompt."""
    return CANARY_PREFIX + secrets.token_hex(5)


@dataclass(frozen=True)
class Signal:
    # override | persona | extraction | delimiter | addressed | steering | jailbreak | hidden
    # | impersonation
    kind: str
    weight: float
    reason: str
    start: int
    end: int
    evidence: str


@dataclass
class InjectionReport:
    score: float
    signals: list[Signal] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.score >= FLAG_AT

    @property
    def reasons(self) -> list[str]:
        seen: list[str] = []
        for s in sorted(self.signals, key=lambda s: -s.weight):
            line = f"{s.reason}: “{s.evidence}”"
            if line not in seen:
                seen.append(line)
        return seen

    def summary(self) -> str:
        if not self.flagged:
            return ""
        return "possible prompt injection: " + "; ".join(self.reasons[:3])

    def public(self) -> dict[str, object]:
        return {
            "flagged": self.flagged,
            "score": round(self.score, 2),
            "reasons": self.reasons,
            "spans": [[s.start, s.end] for s in self.signals],
        }


FLAG_AT = 1.0

_ANY = r"(?:all|any|every|the|your|my|these|those|its|prior|previous|earlier|above|preceding|original|initial|current|existing|old|system|default|safety|content|of|la|le|les|tes|vos|toutes?|tous|ces|tes|ses|leurs?|precedentes?|anciennes?|tes)"
_RULES = r"(?:instructions?|directions|rules?|prompts?|directives?|guidelines?|polic(?:y|ies)|programming|restrictions?|constraints?|filters?|orders?|commands?|training|guardrails?|consignes?|regles?|reglements?|programmation|filtres?|limites?|ordres?|politiques?|directives?|contraintes?)"
# What a brand never asks a customer for, on folded text: payment data, bank details,
# passwords and logins, PINs, one-time codes, identity numbers. Used on comments (an order
# to ask for them) and on replies (`sensitive_requests`).
_SENSITIVE_KINDS: dict[str, str] = {
    "card": (
        r"(?:(?:credit|debit|bank|visa|mastercard|amex|payment|prepaid)\s+)?card(?:'s)?\s+"
        r"(?:numbers?|no|num|#|details?|info(?:rmation)?|data|digits|credentials)\b"
        r"|\b(?:digits|numbers?) (?:on|of|from) (?:the (?:front|back) of )?(?:your|the) (?:credit |debit |bank )?card\b"
        r"|\b(?:16|sixteen)[- ]digits?\b|\bpayment (?:details|info(?:rmation)?|data|credentials)\b"
        r"|\bnumeros? (?:complet |inscrits? |indiques? |imprimes? |au recto )?(?:de |sur )(?:votre |ta |la |sa )?carte\b(?![- ](?:de )?(?:fidelite|cadeau|membre|abonne|recompenses?))"
        r"|\b(?:coordonnees|informations?|infos?|donnees|details?) (?:bancaires|de paiement|de (?:votre |ta |la )?carte(?! (?:de )?(?:fidelite|cadeau|membre)))\b"
        r"|\b(?:16|seize) chiffres\b|\bchiffres (?:de|sur|au dos de) (?:votre|ta|la) carte\b"
    ),
    # the card itself: only where it is sent or shown to the brand, not left as a deposit
    "card_object": (
        r"\b(?:credit|debit|visa|mastercard|amex|bank) cards?\b"
        r"|\bcartes? (?:de credit|de debit|bancaires?|visa|mastercard|de paiement)\b"
    ),
    "cvv": (
        r"\b(?:cvv2?|cvc2?|cvn|csc)\b|\b(?:card )?security code\b|\bcard verification (?:code|value|number)\b"
        r"|\b(?:3|three)[- ]digits?(?: security)? (?:code|number)\b|\b(?:digits|code|number) on the back\b"
        r"|\bcryptogramme(?: visuel)?\b|\bcode (?:de securite|cvv|cvc|(?:a|de) (?:3|trois) chiffres)\b|\b(?:code|numero|chiffres) au dos\b"
        r"|\b(?:3|trois) chiffres (?:au dos|derriere)\b"
    ),
    # a card's expiry date; only counts where the sentence is about a card (see _CARD_WORD)
    "expiry": (
        r"\bexpir(?:y|ation) (?:date|month|year)\b|\bexp\.? date\b|\bdate d'expiration\b"
        r"|\bdate (?:de (?:fin de )?validite|d'echeance)\b"
    ),
    "bank": (
        r"\b(?:bank|banking) (?:details?|account(?: numbers?| details| info(?:rmation)?)?|info(?:rmation)?|credentials|login|password|data)\b"
        r"|\b(?:routing|transit|institution|sort|swift|bic|branch) (?:numbers?|code)\b|\biban\b|\bvoid (?:cheque|check)\b"
        r"|\brib\b|\breleve d'identite bancaire\b|\b(?:numero de )?compte bancaire\b|\bnumero de (?:transit|succursale|institution)\b"
        r"|\b(?:specimen de cheque|cheque specimen|cheque annule)\b|\bcoordonnees bancaires\b|\b(?:informations?|donnees|infos?) bancaires\b"
    ),
    "password": (
        r"\b(?:pass(?:word|phrase)s?|pwd|mots? de passe|mdp)\b"
        r"|\b(?:login|log-in|sign-in|signin|account|connexion) (?:details|info(?:rmation)?|credentials|password|data)\b"
        r"|\bcredentials\b|\bidentifiants?(?: de connexion)?\b|\binformations? de connexion\b"
        r"|\bcodes? d'acces\b|\baccess codes?\b"
    ),
    "pin": (
        r"\b(?:your|the|card|bank|debit|ton|votre|le|ta) pin\b|\b(?:pin|nip)(?:[- ]code| number| numbers)\b"
        r"|\bcode (?:pin|nip|secret|confidentiel)\b|\bnip\b|\bpasscodes?\b"
    ),
    "otp": (
        r"\b(?:one[- ]time|verification|authentication|auth|2fa|two[- ]factor|mfa|sms|text|login|sign-in|"
        r"(?:4|6|8|four|six|eight)[- ]digits?) (?:codes?|pass(?:code|word)s?|pins?|numbers?)\b|\botp\b"
        r"|\bcode (?:(?:that )?(?:we|i) (?:just )?(?:sent|texted|emailed)|you (?:just )?(?:received|got))\b"
        r"|\bcodes? (?:a usage unique|unique|de (?:verification|validation|connexion|authentification)|(?:a|de) (?:4|6|8|quatre|six|huit) chiffres"
        r"|recu (?:par|en) (?:sms|texto|courriel|message)|(?:que nous|qu'on|que je) (?:vous|t')\s?(?:avons |a |ai )?(?:envoye|texte|transmis)|2fa|sms|otp)\b"
    ),
    "sin": (
        r"\b(?:sin|ssn|nas)\b|\bsocial (?:security|insurance) (?:numbers?|no)\b"
        r"|\bnumero d'assurance sociale\b|\bnumero de securite sociale\b|\bassurance sociale\b"
    ),
}
_SENSITIVE = re.compile("|".join(f"(?P<{k}>{v})" for k, v in _SENSITIVE_KINDS.items()))
_SENSITIVE_ANY = "(?:" + "|".join(_SENSITIVE_KINDS.values()) + ")"
SENSITIVE_LABELS = {
    "card": "card number or card details",
    "card_object": "credit or debit card",
    "cvv": "card security code (CVV)",
    "expiry": "card expiry date",
    "bank": "bank details",
    "password": "password or login credentials",
    "pin": "PIN",
    "otp": "one-time or verification code",
    "sin": "social insurance or security number",
}

# Staff, brand and system voices an attacker borrows to make an order look like the brand's.
_NOTE_WORD = (
    r"(?:note|notes|nota|message|msg|memo|mot|avis|consignes?|instructions?|directives?|"
    r"rappel|reminder|notice|update|mise a jour|communique|announcement|annonce|addendum|"
    r"policy|politique|procedure|protocole?|bulletin)"
)
_STAFF = (
    r"(?:equipe|team|staff|marque|brand|direction|management|manager|gestionnaire|gerance|"
    r"gerant|admin|administration|administrat(?:eur|or|rice)|moderat(?:ion|eur|or|rice)|"
    r"service (?:client|a la clientele)|customer (?:service|care|support|success)|support|"
    r"social media|medias sociaux|community manager|personnel|employes?|employees?|entreprise|"
    r"company|siege(?: social)?|hq|headquarters|head office|proprietaires?|owners?|redaction|"
    r"compte officiel|official account|webmaster|developpeurs?|developers?|securite|security|"
    r"compliance|conformite|legal|juridique|marketing|communications?)"
)
_OFFICIAL = (
    r"(?:internes?|internal|officiel(?:le)?s?|official|staff|admin|moderation|systeme|system|"
    r"confidentiel(?:le)?s?|confidential|corporate|brand|team|equipe|de service)"
)
_OPEN = r"(?:[\[({]|<!--)\s*(?:[*_]+\s*)?"
_LINE = r"(?:^|\n|[.!?]\s+|[-–—*=#>|~]\s*)"
_FROM = r"\s+(?:de|du|des|d'|from|by|of)\s*(?:la |le |les |l'|the |our |notre |nos )?"
_CUSTOMER = (
    r"(?:customers?|clients?|clientes?|users?|utilisateurs?|utilisatrices?|abonnes?|followers?|"
    r"acheteurs?|buyers?|people|gens|everyone|everybody|tout le monde)"
)

_PATTERNS: list[tuple[str, float, str, re.Pattern[str]]] = [
    (
        "override",
        1.0,
        "asks to ignore or replace the assistant's instructions",
        re.compile(
            r"\b(?:ignore|ignoring|disregard|forget|override|bypass|skip|drop|abandon|"
            r"neglect|discard|oublie[rsz]?|ignore[rsz]?|oubliez|ignorez|contourne[rsz]?|"
            r"laisse[rsz]? tomber|fais abstraction (?:de|des)|ne tiens? (?:pas|plus) compte (?:de|des)|"
            r"ne suis (?:pas|plus)|efface[rsz]?)\b"
            rf"(?:\s+{_ANY}){{0,4}}\s+(?:\w+\s+){{0,2}}{_RULES}\b"
        ),
    ),
    (
        "override",
        1.0,
        "asks the assistant to forget what it was told",
        re.compile(
            r"\b(?:forget|disregard|ignore|erase|oublie[rz]?|ignore[rz]?|efface[rz]?)\s+(?:about\s+)?(?:everything|all(?: of)? (?:that|this|the above)|anything|tout|toutes? (?:ce|les))\s+"
            r"(?:from before|before|above|you(?:'ve| have)? (?:learned|been told|know|were told)|that came before|ce qu'on (?:t'a|vous a) dit|ce qui precede|ce que tu sais|avant)\b"
            r"|\b(?:disregard|ignore|forget) (?:all |the )?(?:previous|prior|earlier|above|preceding) (?:messages?|text|conversation|context|prompts?)\b"
        ),
    ),
    (
        "override",
        1.0,
        "announces new instructions or a new policy for the assistant",
        re.compile(
            r"\b(?:new|updated|real|actual|true|revised|nouvelles?|vraies?|veritables?)\s+"
            r"(?:system\s+|systeme\s+)?(?:instructions?|rules?|policy|directives?|consignes?|"
            r"regles?|politique|prompt|ordres?)\b\s*[:\-]"
            r"|\b(?:your|tes|vos|ta)\s+(?:new|nouvelles?|nouveaux?|real|vraies?)\s+"
            r"(?:instructions?|task|mission|role|consignes?|regles?|tache|objectif)\b"
            r"|\b(?:instead|a la place|plutot),?\s+(?:you (?:will|must|should)|tu (?:vas|dois))\b"
        ),
    ),
    (
        "persona",
        1.0,
        "tries to give the assistant another persona or remove its limits",
        re.compile(
            r"\byou (?:are|will be|shall be|'re) (?:now|going to (?:be|act|pretend)|no longer)\b"
            r"|\bfrom now on,? (?:you|your|act|respond|reply|answer|always)\b"
            r"|\b(?:act|behave|respond|answer|reply) as (?:if you were |an? |my )?"
            r"(?:\w+\s+){0,2}(?:ai|assistant|bot|model|gpt|dan|character|persona|hacker|developer|admin|unrestricted|unfiltered|evil)\b"
            r"|\bpretend (?:to be|you(?:'re| are)|that you)\b|\brole-?play(?:ing)? as\b"
            r"|\b(?:i want you to|i need you to|you will|you are going to|you must|you'll|you shall|you can) (?:now )?(?:act|pretend|play|roleplay|role-play|simulate|become|imagine|answer as|respond as|speak as)\b"
            r"|\b(?:act|acting) as (?:an?|my|the) (?:\w+\s+){0,3}?(?:assistant|ai|bot|character|persona|entity|machine|model|generator|writer|expert)\b"
            r"|\b(?:play|simulate|emulate|personify|impersonate|mimic|embody|incarne[rsz]?|simule[rsz]?)\s+(?:\d+|two|three|deux|trois)?\s*(?:characters?|entities|personas?|roles?|personnages?|an? \w+ (?:ai|bot|gpt|assistant|character|persona|researcher|expert|hacker))\b"
            r"|\byou (?:now )?go by\b|\btransform into\b|\bact (?:like|as though|as if) (?:you|a|an|we)\b|\byou are to (?:act|be|play)\b"
            r"|\bimagine (?:that )?you (?:have|are|were)\b|\blet'?s play a game\b|\balter ego\b|\bjouons a un jeu\b|\bimagine que tu (?:es|as)\b"
            r"|\bpersonify\b|\b(?:now )?you act as\b|\bstay in character\b|\b(?:never|don't|do not|can't|cannot) break character\b|\bdo anything now\b|\bdeveloper mode\b|\bgod mode\b|\bjailbr(?:ea|o)k"
            r"|\bwithout (?:any )?(?:restrictions?|filters?|limits?|censorship|rules|ethics|guidelines)\b"
            r"|\bno (?:restrictions|filters|limits|rules|censorship|ethical guidelines)\b"
            r"|\b(?:unfiltered|uncensored|unrestricted|amoral) (?:ai|mode|assistant|model|response|version)\b"
            r"|\btu es (?:maintenant|desormais|a present|dorenavant)\b"
            r"|\bvous etes (?:maintenant|desormais|a present|dorenavant)\b"
            r"|\b(?:a partir de maintenant|desormais|dorenavant|a partir d'aujourd'hui),? (?:tu|vous|reponds|repondez|ecris|ecrivez|agis|agissez)\b"
            r"|\b(?:fais|faites) semblant (?:d'etre|que)\b|(?<!je )\bjoue[sz]? le role\b|\b(?:agis|agissez|comporte-toi|reponds) comme (?:si tu etais |un |une )"
            r"|\bsans (?:aucune? )?(?:restrictions?|filtres?|limites?|censure|regles?|ethique|consignes?)\b"
            r"|\bmode (?:developpeur|dieu|sans limite|libre)\b"
        ),
    ),
    (
        "extraction",
        1.0,
        "asks for the assistant's hidden prompt or instructions",
        re.compile(
            r"\b(?:reveal|show|print|display|output|repeat|recite|tell|give|share|write|leak|dump|"
            r"send|list|translate|encode|spell|what (?:is|are|were)|continue)\b(?:\s+\w+){0,4}?\s+"
            r"(?:your|its|the (?:initial|original|hidden|secret|internal|system|full)|initial|original|hidden|secret|internal)\s+(?:\w+\s+){0,2}"
            r"(?:system\s*(?:prompt|message|instructions?|configuration|settings)|prompt|instructions?|initial\s+\w+|configuration|rules you|guidelines you|pre-?prompt|initialization)\b"
            r"|\bsystem\s*(?:prompt|message)\b|\bsystemprompt\b|\binitiali[sz]ation string\b"
            r"|\b(?:montre|affiche|repete|revele|donne|ecris|imprime|recopie|dis|partage|traduis|envoie|liste|"
            r"montrez|affichez|repetez|revelez|donnez|ecrivez|dites|partagez|traduisez|envoyez)"
            r"(?:[\s\-]+\w+){0,4}?[\s\-]+(?:ton|tes|votre|vos|le|les|ta|la)\s+(?:\w+\s+){0,2}"
            r"(?:prompt|instructions?|consignes?|regles? (?:internes|secretes|cachees)|configuration|directives?|message systeme)\b(?<!les consignes)(?<!la configuration)"
            r"|\b(?:prompt|invite|message|instructions?|consignes?) (?:systeme|initiale?s?|cachee?s?|secrete?s?)\b"
            r"|\b(?:the )?(?:text|words|message|messages|everything|content|conversation) (?:above|before this|so far)\b"
            r"|\b(?:above|previous|preceding) (?:text|message|conversation|prompt)\b"
            r"|\b(?:initial|original|hidden|secret|internal|system|starting) (?:prompt|instructions?|configuration|message|settings|directives)\b"
            r"|\b(?:were|was) you (?:told|given|instructed|programmed)\b|\b(?:first|premiers?) \d+ (?:words|mots)\b|\b(?:the )?rules (?:you were|they) gave you\b|\bles regles qu'on t'a (?:donnees|dites)\b|\bi was instructed\b|\byou were (?:given|told)\b"
            r"|\b(?:not supposed|forbidden|not allowed|told not) to (?:tell|say|reveal|share)\b"
            r"|\b(?:this|the) (?:entire|whole) conversation\b|\b(?:administrator|admin|maintenance|debug) (?:override|mode)\b"
            r"|\bsystem_?prompt\b|\b(?:ce qu'on t'a dit|ce qu'on vous a dit|le texte (?:ci-dessus|au-dessus|precedent)|tes consignes de depart|tes instructions de depart)\b"
            r"|\bmy instructions are\b|\bmes (?:instructions|consignes) sont\b"
        ),
    ),
    (
        "delimiter",
        1.0,
        "contains prompt delimiters or chat-template tokens to break out of the comment",
        re.compile(
            r"</?\s*(?:comment|system|user|assistant|instructions?|data|context|prompt|s)\s*>"
            r"|<\|[a-z_]+\|>|<\s*(?:start|end)_of_turn\s*>|\[/?inst\]|<<\s*/?sys\s*>>"
            r"|(?:^|\n)\s*#{2,}\s*(?:instructions?|system|response|reponse|assistant|new task|nouvelle tache|reply|answer)\b"
            r"|(?:^|\n|\]|\))\s*(?:system|assistant|systeme|sys|admin|developer|operator)\s*:"
            r"|\[(?:system|admin|systeme|sys|developer|override|operator|assistant)(?: (?:message|note|notice|override|update))?\]"
            r"|\[\s*(?:your|put your|insert|insert your|ton|votre) (?:prompt|request|question)(?: here| ici)?\s*\]|\bdeveloper[_\\ ]+mode\b"
            r"|\b(?:prefix|role|rules|char|job|persona|mode)\s*=\s*\S"
            r"|(?:^|\s)\$(?:system|gpt|prompt|term\d*|sys)\b"
            r"|\bbegin (?:system|new) (?:prompt|instructions?)\b|\bend of (?:comment|user input|prompt)\b"
            r"|(?:^|\n)\s*(?:reply|reponse|answer)\s*:"
        ),
    ),
    (
        "addressed",
        1.0,
        "gives orders to the AI or bot that answers",
        re.compile(
            r"\b(?:dear |hey |hi |hello |attention |note (?:to|for|pour) (?:the )?|to the |cher |chere |salut |bonjour |a l'|au |pour l')?"
            r"(?:ai|a\.i\.|assistant|bot|chatbot|chat ?gpt|gpt|llm|language model|ia|i\.a\.|robot|intelligence artificielle|modele|model|auto-?reply|automated (?:system|assistant)|community bot)"
            r"\s*[,:;!.\-]\s*(?:please |svp |s'il te plait |stp )?"
            r"(?:\w+\s+){0,1}(?:you (?:must|will|should|have to)|reply|respond|answer|write|say|post|include|add|tell|insert|print|output|publish|repeat|copy|put|ignore|forget|"
            r"reponds|repondez|ecris|ecrivez|dis|dites|publie|publiez|inclus|incluez|ajoute|ajoutez|mets|mettez|repete|repetez|copie|copiez|oublie|ignore|tu dois|vous devez)\b"
            r"|\b(?:hi|hello|hey|dear|greetings|bonjour|salut|allo|coucou)\s+(?:there\s+)?(?:chat ?gpt|gpt-?\d*|bard|claude|gemini|llama|bing|copilot|ai|ia|assistant|bot|chatbot)\b"
            r"|\b(?:if you are|if you're|si tu es|si vous etes) (?:an? )?(?:ai|bot|assistant|language model|ia|robot|llm|gpt)\b"
        ),
    ),
    (
        "steering",
        0.6,
        "dictates the exact words, links or contacts the reply must contain",
        re.compile(
            r"\b(?:reply|respond|answer|write|say|post|start your (?:reply|answer|response)|end your (?:reply|answer)|begin your (?:reply|answer))\b"
            r"(?:\s+\w+){0,3}?\s+(?:only|exactly|verbatim|word for word|with (?:the (?:following|exact|link|text|sentence|phrase)|this|only)|in all caps|the following)\b"
            r"|\b(?:always|never|toujours|jamais) (?:start|begin|end|put|write|say|respond|reply|answer|include|commence|termine|ecris|reponds|inclus|mets)\b"
            r"|\b(?:repeat after me|copy (?:this|the following|exactly)|say (?:exactly|the following)|include (?:this|the following|that) (?:link|url|text|sentence|number|phone|email|message|phrase))\b"
            r"|\b(?:reponds|repondez|ecris|ecrivez|dis|dites|publie|publiez|commence|termine)\b(?:\s+\w+){0,3}?\s+"
            r"(?:seulement|uniquement|exactement|mot pour mot|textuellement|avec (?:ce|cette|le|la) (?:lien|texte|phrase|message|numero|courriel)|en majuscules|ceci|ce qui suit|la phrase suivante)\b"
            r"|\b(?:repete apres moi|recopie|copie (?:ce|cette|le|la|exactement)|inclus (?:ce|le|cette) (?:lien|texte|numero|courriel|phrase))\b"
        ),
    ),
    (
        "steering",
        1.0,
        "tells the brand's reply what to say",
        re.compile(
            r"\b(?:in|into|to|with|at the end of|end of|start of) (?:your|the brand'?s?|every|each|all|the) (?:public )?(?:reply|replies|answer|answers|response|responses)\b"
            r"|\b(?:every|each|chaque|toutes les|all) (?:reply|replies|reponses?|answers?)\b(?:[\w' ]{0,40})\b(?:must|should|will|doivent|doit|contient|contiennent|include|inclure)\b"
            r"|\b(?:replies|reponses)[\w' ]{0,30} (?:must|doivent|doit|should) (?:include|inclure|contenir|mention|link|mentionner)\b"
            r"|\b(?:for|pour) (?:your|ta|votre|vos|tes) (?:reply|replies|answer|reponses?)\b"
            r"|\b(?:update|mettez a jour|mets a jour) (?:your|vos|tes) (?:replies|answers|reponses)\b"
            r"|\b(?:tell|dis a|dites a) (?:everyone|everybody|tout le monde|le monde)\b|\bconfirm(?:e|ez)? (?:publicly|en public|publiquement)\b"
            r"|\b(?:write|ecris|ecrivez|redige) (?:a|une) (?:reply|answer|response|reponse) (?:as if|like|comme si)\b"
            r"|\b(?:commence|start|begin|termine|end|finis) (?:ta|votre|your) (?:reponse|reply|answer|response)\b"
            r"|\bwhen (?:you|u) (?:reply|answer|respond)\b|\b(?:reply|answer|respond)(?: to me| to this)? with\b"
            r"|\b(?:dans|a|au debut de|a la fin de) (?:ta|votre|vos|tes|chaque|toutes? les?) (?:reponses?|publications?)\b"
            r"|\bquand (?:tu|vous) (?:reponds|repondez)\b|\brepond(?:s|ez)-moi (?:avec|juste|seulement|exactement)\b|(?<!je )\brepond(?:s|ez)(?: juste| seulement| uniquement)? (?:avec|seulement|exactement)\b"
            r"|\b(?:reponds|repondez|ecris|ecrivez|publie|publiez|(?:ta|votre) reponse (?:peut|peux|pourrait)[\w-]*(?: \w+)?)(?: juste| seulement| uniquement)?(?: avec| par| etre juste| etre seulement)? (?:le|la|ce|cette) (?:texte|phrase|message|citation) (?:suivante?|ci-dessous|en bas|plus bas)\b"
            r"|\b(?:verbatim|word for word|mot pour mot|tel quel|telle quelle|textuellement|sans rien changer|don'?t change a thing|exactly this|exactement (?:ca|ceci))\b"
            r"|\b(?:copy|paste|echo|repeat|colle|copie|recopie|repete)(?:[\s-]+\w+){0,3}?[\s-]+(?:this|that|these|the following|below|ca|ceci|cette phrase|ce texte|ce qui suit)\b"
            r"|\b(?:step|part|etape|partie) (?:1|one|un|une)\b.{0,200}\b(?:step|part|etape|partie) (?:2|two|deux)\b",
            re.S,
        ),
    ),
    (
        "persona",
        1.0,
        "tries to give the assistant another persona or remove its limits",
        re.compile(
            r"\b(?:new|nouveau|nouvelle|ta|your) (?:persona|personnage|identite|identity|character|role)\b"
            r"|\b(?:you(?:'re| are) no longer|t'es (?:pus|plus)|tu n'es (?:plus|pas)|vous n'etes plus|not a (?:customer service )?bot)\b"
            r"|\b(?:honest|sudo|root|god|franc|admin|debug|unfiltered|evil) mode\b|\bmode (?:franc|sudo|root|admin|debug)\b"
            r"|\b(?:reste|stay) (?:dans|in) (?:ton|your) (?:personnage|character|role)\b"
            r"|\b(?:jeu de role|let'?s roleplay|roleplay|role-play|improv show|show d'impro|pretend we'?re|fais semblant)\b"
            r"|\b(?:imagine|pretend) (?:que )?(?:t'es|tu es|you(?:'re| are))\b"
        ),
    ),
    (
        "addressed",
        1.0,
        "leaves a note for the AI that writes the reply",
        re.compile(
            r"\b(?:note|notes|message|instructions?|directives?|avis|psa|memo|tip|conseil)s?\b[^.!?\n]{0,30}\b(?:pour|for|to|aux?|a) (?:l'|the |les |any |all )?(?:ia|ai|bot|bots|assistant|robot|outils d'ia|ai (?:tools|systems|assistants?|models?)|llm|gpt)\b"
            r"|\b(?:ai|ia) (?:assistant|tools?|systems?|models?|triage)\b|\b(?:assistant|ia|ai|bot)_?directive\b|\bthe bot (?:would|will|should)\b|\ble bot (?:va|le ferait)\b"
        ),
    ),
    (
        "delimiter",
        1.0,
        "fakes the end of the comment or a message from the brand's staff or system",
        re.compile(
            r"\b(?:end of (?:the )?(?:customer )?(?:comment|message|input)|fin du (?:commentaire|message))\b"
            r"|\b(?:admin note|note admin|operator|operateur|head office|siege social|sudo|root access|acces root)\b"
            r"|\"role\"\s*:\s*\"(?:system|assistant|developer)\"|<!--|\{\{|\}\}|</?\s*(?:commentaire|systeme|system)\s*>"
        ),
    ),
    (
        "hidden",
        1.0,
        "asks to decode hidden instructions and follow them",
        re.compile(
            r"\b(?:decode|decoder|rot13|hex(?:adecimal)?|base64|backwards|a l'envers|reverse)\b[^.!?\n]{0,60}\b(?:execute|executer|follow|suis|fais-le|do it|obey|applique|and do)\b"
            r"|\b(?:read|lis) (?:this|ca) (?:backwards|a l'envers)\b|\bapply rot13\b|\bapplique rot13\b"
        ),
    ),
    (
        "override",
        1.0,
        "claims a past agreement or an exception to the brand's rules",
        re.compile(
            r"\b(?:as you (?:agreed|promised|said)|comme (?:t'as|tu as|vous avez) (?:accepte|promis|dit)|you already agreed|continue where we left|continuing our (?:dm |private )?conversation|suite de notre conversation|your previous reply|ta reponse precedente|votre reponse precedente)\b"
            r"|\b(?:exception (?:to|a) (?:your|tes|vos) (?:rules?|regles?)|break the [\w' ]{0,20}rule|briser la regle|(?:your|tes|vos) (?:rules?|regles?)[\w' ]{0,30}(?:doesn'?t|don'?t|ne s'applique|permettent|allow|make exceptions)|(?:you'?re|t'es|tu es) (?:now )?allowed to|(?:rule|regle)s? (?:doesn'?t|don'?t|ne s'applique)|overrides? (?:every|all|any) (?:other )?(?:rules?|instructions?)|je te donne la permission|i give you permission|legal approved|l'equipe juridique a approuve)\b"
        ),
    ),
    (
        "jailbreak",
        0.35,
        "uses the vocabulary of known jailbreak prompts",
        re.compile(
            r"\b(?:dan|stan|dude|aim|evil-?bot|betterdan|antigpt|chatgpt|openai|ethical guidelines|content polic(?:y|ies)|"
            r"hypothetical (?:world|scenario|response)|fictional world|simulation|token system|tokens? will be deducted|"
            r"two (?:responses|paragraphs)|dual responses?|\[?(?:🔒|🔓)|classic|jailbroken|unethical|illegal content|"
            r"never refuse|cannot refuse|don't refuse|must comply|always comply|no warnings|without warnings|as an ai language model|"
            r"break character|immoral|nsfw|offensive content|politique de contenu|ne refuse jamais|sans avertissement|"
            r"illegal|unethical|explicit|without refusal|disclaimers?|never hesitat\w*|limitations?|role-?play|rp|"
            r"fictional|hypothetical|imaginary|entit(?:y|ies)|evil|uncensored|unfiltered|filters?|"
            r"character (?:data|description|persona|sheet)|ai(?:'s)?|language model|prompt|respond|responses?)\b"
        ),
    ),
    (
        "impersonation",
        1.0,
        "poses as a note from the brand's staff, moderators or system",
        re.compile(
            # bracketed: [Note de l'équipe Boréale : ...], (Message de la marque), [Internal memo]
            rf"{_OPEN}(?:{_OFFICIAL}\s+)?{_NOTE_WORD}(?:\s+{_OFFICIAL})?{_FROM}(?:\w+\s+){{0,3}}?{_STAFF}\b"
            rf"|{_OPEN}(?:(?:{_OFFICIAL}|{_STAFF})\s+){{1,2}}{_NOTE_WORD}\b|{_OPEN}{_NOTE_WORD}\s+{_OFFICIAL}\b"
            rf"|{_OPEN}(?:equipe|team|staff|admin\w*|moderat\w*|la direction|management|brand|marque|siege|hq|head office|compte officiel|official account|community manager)(?:\s+[\w'-]+){{0,2}}\s*[:–—]"
            rf"|{_OPEN}{_NOTE_WORD}\s+(?:de|du|from|by|d')\s*(?!(?:me|moi|myself|ma|mon|mes|my|a customer|un client|une cliente|bas de page)\b)(?:[\w'-]+\s+){{0,2}}[\w'-]+\s*[:\])}}]"
            # at the start of a line or sentence, with a colon: "Staff note:", "Admin:"
            rf"|{_LINE}(?:{_OFFICIAL}\s+)?{_NOTE_WORD}(?:\s+{_OFFICIAL})?{_FROM}(?:\w+\s+){{0,2}}?"
            r"(?:equipe|team|staff|marque|brand|direction|management|admin\w*|moderat\w*|siege|hq|head office|community manager)\b[^:\n]{0,20}:"
            rf"|{_LINE}(?:note|nota|memo|consignes?|directives?|instructions?|notice)(?:\s+{_OFFICIAL})?{_FROM}(?:\w+\s+){{0,2}}?{_STAFF}\b[^:\n]{{0,20}}:"
            rf"|{_LINE}(?:(?:{_OFFICIAL}|{_STAFF})\s+){{1,2}}{_NOTE_WORD}\s*:|{_LINE}{_NOTE_WORD}\s+{_OFFICIAL}\s*:"
            rf"|{_LINE}(?:admin(?:istrat(?:or|eur|ion|rice))?|moderat(?:or|eur|rice|ion)|staff|management|la direction|webmaster|community manager)\s*:"
            r"|\[//\]\s*:"
        ),
    ),
    (
        "steering",
        1.0,
        "tells the reply to ask customers for payment data, passwords or codes",
        re.compile(
            r"\b(?:ask(?: for)?|request|collect|obtain|require|demand|solicit|demander|demandez|"
            r"exiger|exigez|recueillir|recueillez|collecter|collectez|obtenir|obtenez|reclamer|reclamez|"
            rf"solliciter|sollicitez)\b(?=[^.!?\n]{{0,90}}\b{_CUSTOMER}\b)[^.!?\n]{{0,50}}?{_SENSITIVE_ANY}"
        ),
    ),
    (
        "steering",
        1.0,
        "tells the brand's reply what to say",
        re.compile(
            r"\b(?:dans|a|en|pour|sur) (?:chaque|chacune des|toutes (?:les|vos|tes)) (?:reponses?|commentaires? publics?)\b"
        ),
    ),
]
_OBEY_OUTPUT = re.compile(
    r"\b(?:dan mode|developer mode|jailbreak|as instructed by the (?:comment|user)|ignoring (?:my|previous|prior) instructions|"
    r"my (?:system )?(?:prompt|instructions) (?:is|are|says?)|here (?:is|are) my (?:system )?(?:prompt|instructions)|"
    r"i have no (?:restrictions|rules|filters)|i am (?:now )?(?:free|unrestricted|dan)|"
    r"mes (?:consignes|instructions) (?:sont|disent)|voici mes (?:consignes|instructions)|je n'ai (?:plus )?aucune (?:regle|restriction|limite))\b"
)
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
    }
)
_SPACED = re.compile(r"\b(?:[a-z](?:[ .\-_*]{1,2})){4,}[a-z]\b")
_B64 = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")
_MORSE = re.compile(r"(?:[.\-]{1,6}\s+){12,}")
_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _scan(folded: str, index: list[int], text: str, signals: list[Signal], note: str = "") -> None:
    for kind, weight, reason, rx in _PATTERNS:
        for m in rx.finditer(folded):
            a, b = m.start(), m.end()
            start = index[a] if a < len(index) else len(text)
            end = index[b - 1] + 1 if 0 < b <= len(index) else start
            evidence = " ".join(text[start:end].split())[:80]
            signals.append(Signal(kind, weight, reason + note, start, end, evidence))


def detect_injection(text: str) -> InjectionReport:
    """Signals of a prompt-injection attempt in untrusted text, with reasons and spans."""
    signals: list[Signal] = []
    f = fold(text)
    _scan(f.text, f.index, text, signals)
    # the same words in leetspeak or with spaced-out letters
    deleet = f.text.translate(_LEET)
    if deleet != f.text:
        before = len(signals)
        _scan(deleet, f.index, text, signals, " (written in leetspeak)")
        _dedupe_tail(signals, before)
    despaced, dmap = _despace(f.text)
    if despaced is not None:
        before = len(signals)
        _scan(despaced, [f.index[i] for i in dmap], text, signals, " (letters spaced out)")
        _dedupe_tail(signals, before)
    for m in _B64.finditer(text):
        decoded = _b64(m.group())
        if decoded:
            inner = detect_injection(decoded)
            if inner.signals:
                signals.append(
                    Signal(
                        "hidden",
                        1.0,
                        "hides instructions in base64",
                        m.start(),
                        m.end(),
                        decoded[:80],
                    )
                )
    invisible = [i for i, ch in enumerate(text) if ch in INVISIBLE]
    if len(invisible) >= 3:
        signals.append(
            Signal(
                "hidden",
                0.5,
                "contains invisible characters",
                invisible[0],
                invisible[0] + 1,
                f"{len(invisible)} invisible characters",
            )
        )
    for m in _MORSE.finditer(text):
        signals.append(
            Signal("hidden", 1.0, "hides text in Morse code", m.start(), m.end(), m.group()[:40])
        )
        break
    for m in _CONTROL.finditer(text):
        signals.append(
            Signal(
                "hidden",
                0.5,
                "contains text-direction control characters",
                m.start(),
                m.end(),
                "bidi control",
            )
        )
        break
    return InjectionReport(_score(signals), signals)


def _dedupe_tail(signals: list[Signal], before: int) -> None:
    """Drop leetspeak/spaced signals already found in the plain text."""
    plain = {(s.kind, s.start) for s in signals[:before]}
    signals[before:] = [s for s in signals[before:] if (s.kind, s.start) not in plain]


def _despace(folded: str) -> tuple[str | None, list[int]]:
    if not _SPACED.search(folded):
        return None, []
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _SPACED.finditer(folded):
        for i in range(pos, m.start()):
            out.append(folded[i])
            index.append(i)
        for i in range(m.start(), m.end()):
            if folded[i].isalpha():
                out.append(folded[i])
                index.append(i)
        pos = m.end()
    for i in range(pos, len(folded)):
        out.append(folded[i])
        index.append(i)
    index.append(len(folded))
    return "".join(out), index


def _b64(token: str) -> str | None:
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=False)
        decoded = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    printable = sum(ch.isprintable() for ch in decoded)
    return decoded if decoded and printable / len(decoded) > 0.9 and " " in decoded else None


def _score(signals: list[Signal]) -> float:
    """Strong signals count fully; weak ones (jailbreak vocabulary, steering) add up."""
    by_kind: dict[str, float] = {}
    for s in signals:
        if s.kind == "jailbreak":
            by_kind[s.kind] = min(1.0, by_kind.get(s.kind, 0.0) + s.weight)
        else:
            by_kind[s.kind] = max(by_kind.get(s.kind, 0.0), s.weight)
    return round(sum(by_kind.values()), 2)


def obedience_markers(text: str) -> list[tuple[int, int, str]]:
    """Spans of a generated text that read like an assistant obeying an injection."""
    f = fold(text)
    out = []
    for m in CANARY_RX.finditer(text):
        out.append((m.start(), m.end(), "leaks the prompt's canary string"))
    for m in _OBEY_OUTPUT.finditer(f.text):
        s, e = f.span(m.start(), m.end())
        out.append((s, e, "reads like an assistant that obeyed injected instructions"))
    report = detect_injection(text)
    for s in report.signals:
        if s.weight >= 1.0:
            out.append((s.start, s.end, "repeats injected instructions: " + s.reason))
    return out


_SCRIPT = re.compile(
    r"<\s*script\b|javascript\s*:|data:text/html|\bon(?:error|load|click|mouseover)\s*=|"
    r"<\s*iframe\b|<\s*img\b[^>]*src|!\[[^\]]*\]\(\s*https?://|document\.cookie",
    re.IGNORECASE,
)


def unsafe_markup(text: str) -> list[tuple[int, int]]:
    """Script, HTML or markdown-image payloads (exfiltration through a rendered reply)."""
    return [(m.start(), m.end()) for m in _SCRIPT.finditer(text)]


_WORDS = re.compile(r"\w+(?:['’]\w+)*")
# Words a reply shares with any comment; a copied run made only of these proves nothing.
_FUNCTION = FUNCTION_WORDS | frozenset(
    """about also aussi avoir bien chez comme elle elles encore entre etre here ils into
    leur leurs more only sans some sont sous than thank then tres very were""".split()  # noqa: SIM905
)


def _content(words: list[str], ignore: frozenset[str]) -> bool:
    return any(len(w) >= 4 and w not in _FUNCTION and w not in ignore for w in words)


def _words(text: str) -> list[str]:
    return _WORDS.findall(fold(text).text)


class OwnText:
    """The brand's own words (guidelines, posts and the answers it gave, never the comments):
    a phrase whose every word pair the brand has written is the brand speaking, even when a
    comment said it too ("notre café du Vieux-Québec"); an attacker's payload ("n'est pas
    vraiment biologique", "endorsed by Brûlerie Boréale") has a pair the brand never wrote.
    Pairs are kept as a sorted array of hashes, so a store of 100k posts costs a few MB."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        words: set[str] = set()
        pairs: list[int] = []
        for text in texts:
            ws = _words(text)
            words.update(ws)
            pairs.extend(hash(p) for p in itertools.pairwise(ws))
        self.words = frozenset(words)
        self._pairs = np.unique(np.asarray(pairs, dtype=np.int64))

    def says(self, words: list[str]) -> bool:
        """Whether the brand has written every pair of consecutive `words` (one word: it)."""
        if len(words) < 2:
            return all(w in self.words for w in words)
        if not len(self._pairs):
            return False
        keys = np.asarray([hash(p) for p in itertools.pairwise(words)], dtype=np.int64)
        at = np.minimum(np.searchsorted(self._pairs, keys), len(self._pairs) - 1)
        return bool(np.all(self._pairs[at] == keys))


NO_OWN_TEXT = OwnText()


def copied_span(
    reply: str,
    source: str,
    min_words: int,
    ignore: frozenset[str] = frozenset(),
    own: OwnText = NO_OWN_TEXT,
) -> tuple[int, int, int] | None:
    """The longest run of at least `min_words` words of `reply` copied from `source`, with
    at least one content word (not a function word, not in `ignore`, e.g. the brand's own
    name) and not entirely in the brand's own words (`own`): (start, end, words) in the
    reply, or None."""
    rw = [(m.start(), m.end(), fold(m.group()).text) for m in _WORDS.finditer(reply)]
    sw = [fold(m.group()).text for m in _WORDS.finditer(source)]
    if len(rw) < min_words or len(sw) < min_words:
        return None
    grams: set[tuple[str, ...]] = {
        tuple(sw[i : i + min_words]) for i in range(len(sw) - min_words + 1)
    }
    source_text = " " + " ".join(sw) + " "
    best: tuple[int, int, int] | None = None
    i = 0
    while i <= len(rw) - min_words:
        if tuple(w for _, _, w in rw[i : i + min_words]) in grams:
            j = i + min_words
            while (
                j < len(rw)
                and (" " + " ".join(w for _, _, w in rw[i : j + 1]) + " ") in source_text
            ):
                j += 1
            run = [w for _, _, w in rw[i:j]]
            if _content(run, ignore) and not own.says(run):
                if best is None or j - i > best[2]:
                    best = (rw[i][0], rw[j - 1][1], j - i)
                i = j
                continue
        i += 1
    return best


def echo_threshold(comment: str) -> int:
    """How many copied words make a reply an echo of a comment that is not an attack: 12,
    or most of a short comment ("OK. <the whole comment>")."""
    n = sum(1 for _ in _WORDS.finditer(comment))
    return min(12, max(6, -(-4 * n // 5)))


_QUOTED = re.compile(
    r"«\s*([^«»]{3,200}?)\s*»|“\s*([^“”]{3,200}?)\s*”|\"\s*([^\"]{3,200}?)\s*\""
    r"|(?<!\w)[‘']\s*(.{3,200}?)\s*[’'](?!\w)"
)
_QUOTE_LINE = re.compile(r"(?m)^\s*>+\s*(.{3,300}?)\s*$")
_DISTINCT = re.compile(r"[#@$]?\w*[\d_#$]\w*|\b[A-ZÀ-Ý]{4,}\b|#\w+")


class Planted(NamedTuple):
    """A token of the comment that the reply repeats: where, as the reply writes it, and as
    the comment planted it."""

    start: int
    end: int
    text: str
    planted: str


# Words joined by hyphens, dots, slashes or underscores, as codes are written: BOREALE-50.
_TOKEN = re.compile(r"[#@]?[^\W_]+(?:[-_./'’][^\W_]+)*")
_CODE_CUE = re.compile(
    r"\b(?:code|codes|coupon|voucher|promo|discount|keyword|hashtag|mot-cle|mot cle|rabais)"
    r"\s*[:«\"“'(]?\s*$"
)
# A planted code must block however the reply spells it: any case, accents, look-alike
# digits (B0REALE), and up to three spaces or punctuation marks between its characters
# (Boréale 50, B O R E A L E 5 0, BOREALE.50).
_LOOKALIKE = {
    "o": "o0", "0": "0o", "i": "i1l!|", "l": "l1i|", "1": "1il", "e": "e3", "3": "3e",
    "a": "a4@", "4": "4a", "s": "s5$", "5": "5s", "t": "t7", "7": "7t", "b": "b8", "8": "8b",
    "g": "g9", "9": "9g",
}  # fmt: skip
_GAP = r"(?:[^\w\n]|_){0,3}"


def _key(token: str) -> str:
    return "".join(ch for ch in fold(token).text if ch.isalnum())


def planted_codes(comment: str) -> set[str]:
    """Codes, tags and keywords a comment plants: letters mixed with digits (BOREALE-50,
    promo2026), words in capitals (ABO-DOUBLE), hashtags and handles, and the word after
    "code", "coupon" or "promo"."""
    out: set[str] = set()
    for m in _TOKEN.finditer(comment):
        token = m.group()
        letters = sum(ch.isalpha() for ch in token)
        digits = sum(ch.isdigit() for ch in token)
        key = _key(token)
        if len(key) < 4 or not letters:
            continue
        cue = _CODE_CUE.search(fold(comment[max(0, m.start() - 30) : m.start()]).text)
        if (
            (letters >= 2 and digits)
            or token[0] in "#@"
            or (letters >= 4 and token.upper() == token)
            or (cue and key not in _FUNCTION and not _CODE_CUE.search(key))
        ):
            out.add(token)
    return out


def spelled_pattern(token: str) -> re.Pattern[str]:
    """A pattern, on folded text, for `token` however it is spelled (see _LOOKALIKE)."""
    key = _key(token)
    body = _GAP.join("[" + re.escape(_LOOKALIKE.get(ch, ch)) + "]" for ch in key)
    if any(ch.isdigit() for ch in key) and any(ch.isalpha() for ch in key) and len(key) >= 6:
        return re.compile(body)  # a long code is a code even glued to a word: "codeBOREALE50"
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])")


def planted_tokens(
    reply: str,
    comment: str,
    ignore: frozenset[str] = frozenset(),
    own: OwnText = NO_OWN_TEXT,
) -> list[Planted]:
    """Quoted phrases (or three words of one), quoted lines ("> ...") and distinctive tokens
    (codes, hashtags, words in capitals) of an injection that reappear in the reply, however
    written: what the attacker wanted posted. Tokens the brand itself writes are not planted."""
    out: list[Planted] = []
    folded_reply = fold(reply)

    def add(a: int, b: int, planted: str) -> None:
        overlapping = [p for p in out if a < p.end and p.start < b]
        if all(a <= p.start and p.end <= b for p in overlapping):  # the longest span wins
            out[:] = [p for p in out if p not in overlapping]
            out.append(Planted(a, b, reply[a:b], planted))

    phrases = {next(g for g in m.groups() if g).strip() for m in _QUOTED.finditer(comment)}
    phrases |= {m.group(1).strip() for m in _QUOTE_LINE.finditer(comment)}
    tokens = {m.group() for m in _DISTINCT.finditer(comment) if len(m.group()) >= 4}
    for c in sorted(phrases | tokens, key=len, reverse=True):
        key = fold(c).text
        if len(key) < 4 or own.says(_words(c)):
            continue
        m = re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded_reply.text)
        if m:  # whole words: "SPECIAL" is not planted in "specialized"
            add(*folded_reply.span(m.start(), m.end()), c)
        elif c in phrases:
            run = copied_span(reply, c, 3, ignore, own)
            if run:
                add(run[0], run[1], c)
    for c in sorted(planted_codes(comment), key=len, reverse=True):
        words = _words(c)
        if own.says(words) or all(w in ignore for w in words):
            continue
        m = spelled_pattern(c).search(folded_reply.text)
        if m:
            add(*folded_reply.span(m.start(), m.end()), c)
    return sorted(out)


# -- replies that ask for what a brand never asks -----------------------------------------------

# Asking straight out: send, share, give, tell, DM us, we need, what is your...
_ASK_STRONG = (
    r"send|sending|share|sharing|give|giving|provide|providing|tell|telling|forward|forwarding|"
    r"communicate|supply|hand over|let us (?:know|have)|"
    r"(?:dm|pm|message|inbox|e-?mail|text|whatsapp|call)\s+(?:us|me|the team|our team)(?:\s+with)?|"
    r"(?:we|i|we'll|we'd|i'll|i'd|the team)\s+(?:will |would |just |still |only |also )?(?:need|require)s?|"
    r"ask(?:s|ing|ed)?(?: you)?(?: for)?|request(?:s|ing)?(?: for)?|"
    r"what(?:'s| is| are| was)|can (?:we|i) (?:have|get|see|grab|take)|"
    r"could (?:we|i|you) (?:have|get|give|send|share|provide|tell|grab)|may (?:we|i) (?:have|get|ask)|"
    r"(?:reply|respond|answer|repondre|repondez|reponds)(?: [\w']+){0,4}? (?:with|avec)|"
    r"(?:dm|pm|message|mp|courriel|e-?mail|texto|text)s? (?:us |nous )?(?:with|avec)|shoot us|hit us up with|"
    r"c'est quoi|what was|(?:possible|able) to (?:get|have)|"
    r"envoie[rsz]?|envoyer|envoyez|envoyant|renvoye[rz]|transmet(?:s|tre|tez|tant)?|"
    r"communique[rsz]?|communiquant|partage[rsz]?|partageant|donne[rsz]?|donnant|redonne[rz]|"
    r"fourni(?:r|s|ssez|ssant)|indique[rsz]?|indiquant|precise[rsz]?|di(?:tes|re)|dis-(?:nous|moi)|"
    r"faire parvenir|faites(?:-nous)? parvenir|fais(?:-nous)? parvenir|"
    r"demande(?:r|z|s|nt|rons|ront|ra|rai|rait|raient)?|demandant|reclame(?:r|z|nt)?|exige(?:r|z|nt)?|"
    r"(?:avons|aurions|aurons|ai|aurai|aurais|aura|a) besoin|besoin (?:de|d')|il (?:nous|me) (?:faut|faudrait|faudra)|"
    r"(?:quel|quelle|quels|quelles) (?:est|sont|etait)|"
    r"(?:mp|dm|texte[rz]?|textez|courriel(?:lez)?|ecrive[sz]|appelez)[- ](?:nous|moi)(?:\s+avec)?"
)
# Asking to confirm: a request unless it points to the app or site and not to the brand
_ASK_CONFIRM = (
    r"confirm(?:s|ing)?|verify(?:ing)?|validate|read (?:us|me|out|back)|"
    r"confirme[rsz]?|confirmant|verifie[rz]?|valide[rz]?|rappele[rz]|lire"
)
# Entering or writing: a request only where it goes to the brand (us, here, in DM)
_ASK_ENTER = (
    r"enter|type|key in|input|write|include|fill in|put|drop|leave|post|posting|submit|"
    r"saisi(?:r|ssez|s)|entre[rz]|tape[rz]?|inscri(?:re|vez|s)|inclu(?:re|ez|s)|mettre|mettez|"
    r"mets|laisse[rz]?|publie[rz]?|poste[rz]?|rempli(?:r|ssez)|ecri(?:re|s|vez)"
)
_ASK = re.compile(
    rf"\b(?:(?P<strong>{_ASK_STRONG})|(?P<confirm>{_ASK_CONFIRM})|(?P<enter>{_ASK_ENTER}))\b"
)
# After the thing asked for: "your card number, please", "... is required for the refund"
_ASK_AFTER = re.compile(
    r"^[^;]{0,40}?\b(?:please|svp|s'il (?:vous|te) plait|(?:is|are) (?:needed|required)|"
    r"(?:est|sont) (?:requis|requise|requises|necessaires?|obligatoires?)|nous (?:est|sont) necessaires?|"
    r"needed|required|requis|requise|necessaire|obligatoire|"
    r"so (?:that )?we can|afin (?:que|de)|pour que nous|pour (?:le|votre|proceder au|effectuer le) remboursement|"
    r"for (?:the|your) refund|to (?:process|verify|complete) (?:the|your)|"
    r"en (?:mp|dm|message prive|prive)|(?:by|in|via) (?:dm|pm|(?:a )?private message|email)|par (?:courriel|message|texto|sms))\b"
)
_TO_US = re.compile(
    r"\b(?:us|me|our team|the team|here|below|in (?:the )?(?:comments?|replies|reply|thread|chat)|"
    r"(?:in|via|by|through) (?:a )?(?:dm|pm|private message|direct message|messenger|whatsapp|email|e-mail|text|sms|phone)|"
    r"dms?|privately|in private|nous|moi|notre equipe|ici|ci-dessous|"
    r"en (?:commentaire|reponse|mp|dm|message prive|prive)|dans (?:les commentaires|ce fil|votre reponse|le clavardage|nos messages)|"
    r"(?:par|en|via) (?:message|courriel|texto|sms|telephone|messenger|mp|dm|clavardage)|"
    r"so (?:that )?we can|to process|afin que nous|pour que nous|for the refund|pour le remboursement)\b"
)
_SELF_SERVICE = re.compile(
    r"\b(?:(?:in|on|into|through|via) (?:the|our|your) (?:app|application|website|site|account|profile|settings|checkout|"
    r"payment page|login page|sign-in page|secure (?:page|portal|form)|portal|form|field|terminal|pin pad)|"
    r"at (?:the )?(?:checkout|terminal|counter|till|register)|in (?:store|the store|the shop|the cafe)|"
    r"(?:dans|sur|via|par) (?:l'app\w*|l'application|le site|notre site|votre (?:compte|profil|espace client)|"
    r"les parametres|la page de (?:paiement|connexion)|le (?:formulaire|champ|terminal|portail|lien))|"
    r"au (?:terminal|comptoir|paiement|moment du paiement)|a la caisse|en (?:magasin|boutique|succursale|caisse))\b"
)
# "n'hésitez pas", "don't forget", "no later than" are no negation; "ne ... que" is "only"
_NOT_A_NEGATION = re.compile(
    r"\bn'\s?hesite[rz]? pas\b|\bne hesite[rz]? pas\b|\bdon'?t hesitate\b|\bdo not hesitate\b|"
    r"\bn'oublie[rz]? pas\b|\bdon'?t forget\b|\bdo not forget\b|\bne manque[rz]? pas\b|"
    r"\bn(?:e\b|')(?:\s?[\w']+){0,3}? plus qu(?:e\b|')|\bno later than\b|\bsans (?:faute|tarder|attendre|delai|frais)\b|\bpas de (?:souci|probleme|stress)\b|"
    r"\bno (?:problem|worries|worry)\b|\bnot a problem\b|\baucun (?:souci|probleme)\b|"
    r"\bsi (?:ce n'est|vous ne l'avez) pas (?:deja|encore) fait\b|\bif (?:you )?(?:haven'?t|have not) already\b|"
    r"\bn(?:e\b|')(?:(?!\b(?:pas|jamais|plus|rien|aucune?|personne|nullement)\b)[^,;]){0,40}?\bqu(?:e\b|')"
)
_NEGATION = re.compile(
    r"\b(?:never|not|no|nobody|no one|none|nothing|cannot|without|jamais|pas|aucune?|rien|"
    r"nullement|sans|en aucun cas|under no circumstances|personne ne)\b|n't\b|"
    r"\bn(?:e\b|')[^,;]{0,40}?\b(?:plus|personne)\b|\bpersonne\b[^,;]{0,40}?\bn(?:e\b|')|"
    r"\b(?:avoid|refrain from|stop|evite[rz]? de|eviter de|abstenez-vous de|cessez de|arretez de)\s+(?:\w+\s+)?"
    rf"(?:{_ASK_STRONG}|{_ASK_CONFIRM}|{_ASK_ENTER})\b"
)
# "If anyone asks for your PIN", "ignore any message asking for your password": a warning.
_WARNING = re.compile(
    r"\b(?:if (?:anyone|someone|somebody|a (?:message|caller|person))|whoever|anyone (?:who|asking|that)|"
    r"si (?:quelqu'un|on vous|une personne|un message)|quiconque|"
    r"ignore|ignorez|beware|watch out|be careful|careful|mefiez|mefie-toi|attention|signalez|report|"
    r"scam\w*|fraud\w*|phishing|suspicious|arnaque\w*|fraude\w*|hameconnage|escroc\w*|faux comptes?|fake (?:accounts?|pages?|profiles?))"
)
_THIRD_PARTY_ASK = re.compile(
    r"\b(?:asks?|asking|requests?|requesting|demande(?:nt)?|demandant|reclame(?:nt)?|exige(?:nt)?|"
    r"(?:will|would|may|might|could) (?:ask|request)|(?:va|vont|pourrait|pourraient) (?:vous )?demander)\b"
)
_IN_PERSON = re.compile(
    r"\b(?:deposit|depot|caution|en garantie|sur place|en (?:magasin|boutique|personne|succursale)|"
    r"in (?:store|person|the shop)|at (?:pickup|the counter|the shop)|au comptoir|bring|apporte[rz]?|apporter|"
    r"presente[rz]?|presenter|show|montre[rz]?|accept|acceptons|accepte|pay with|payer (?:avec|par)|"
    r"refund(?:ed)? (?:to|on)|rembours\w* (?:sur|a))\b"
)
# "tell us whether you received the code", "about your password": not asking for the thing
_NOT_THE_THING = re.compile(
    r"\b(?:if|whether|si|s'il|when|quand|lorsque|once|une fois que|after|apres|about|regarding|concerning|"
    r"a propos|au sujet|concernant|(?:problem|issue|trouble|error|erreur|probleme|souci)s? (?:with|avec|de|d'|on|sur))\b"
)
# "the app asks you for a 6-digit code": the app or the bank asks, not the brand's reply
_APP_ASKS = re.compile(
    r"\b(?:the app|our app|the application|l'app\w*|l'application|the website|the site|le site|"
    r"the terminal|le terminal|your bank|votre banque|ta banque|the bank|la banque)\b"
)
_OWN_THING = re.compile(r"\b(?:my|mon|ma|mes|our|notre|nos)\s+(?:[\w-]+\s+)?$")
_CARD_WORD = re.compile(r"\b(?:card|cards|carte|cartes|cvv|cvc|visa|mastercard|amex)\b")
_SENTENCE_END = re.compile(r"[.!?;\n…]")


def _negated(window: str, cue: re.Match[str] | None) -> bool:
    w = _NOT_A_NEGATION.sub(" ", window)
    if _NEGATION.search(w):
        return True
    return bool(_WARNING.search(w) and (cue is None or _THIRD_PARTY_ASK.match(cue.group())))


def sensitive_requests(text: str) -> list[tuple[int, int, str]]:
    """Spans of a text that ask the customer for payment data (card number, CVV, expiry,
    bank details), a password or login, a PIN, a one-time code or a social insurance or
    security number, in French or English, with what is asked (a key of SENSITIVE_LABELS).
    A warning is not a request: "never share your password", "nous ne vous demanderons
    jamais votre NIP", "if anyone asks for your card number, it's a scam"."""
    f = fold(text)
    t = f.text
    out: list[tuple[int, int, str]] = []
    for m in _SENSITIVE.finditer(t):
        kind = m.lastgroup or "card"
        a, b = m.start(), m.end()
        s0 = max((x.end() for x in _SENTENCE_END.finditer(t, 0, a)), default=0)
        e = _SENTENCE_END.search(t, b)
        s1 = e.start() if e else len(t)
        sentence = t[s0:s1]
        if kind == "expiry" and not _CARD_WORD.search(sentence):
            continue  # the best-before date on a bag is not card data
        if kind == "card_object" and _IN_PERSON.search(sentence) and not _TO_US.search(sentence):
            continue  # "a credit card for the deposit", "refunded to your credit card"
        if kind == "sin" and t[a:b] in ("sin", "ssn", "nas"):
            original = text[slice(*f.span(a, b))]
            if not original.isupper():
                continue  # "a sin", not a SIN
        prefix = t[s0:a]
        if _OWN_THING.search(prefix):
            continue  # "j'ai vérifié mon mot de passe": the writer's own, not the customer's
        cues = [c for c in _ASK.finditer(prefix) if a - (s0 + c.end()) <= 80]
        cue = cues[-1] if cues else None
        if cue is not None:
            clause = max(prefix.rfind(p, 0, cue.start()) for p in (",", ":", " - ", "—", "(")) + 1
            window = prefix[clause:]
            if cue.lastgroup == "enter" and not _TO_US.search(sentence):
                continue
            if (
                cue.lastgroup == "confirm"
                and _SELF_SERVICE.search(sentence)
                and not _TO_US.search(sentence)
            ):
                continue
            if _negated(window, cue) or _NOT_THE_THING.search(prefix[cue.end() :]):
                continue
            if _THIRD_PARTY_ASK.match(cue.group()) and _APP_ASKS.search(window):
                continue
            start = s0 + cue.start()
        else:
            after = _ASK_AFTER.search(t[b:s1])
            if after is None:
                continue
            clause_start = max(prefix.rfind(","), prefix.rfind(";")) + 1
            clause_end = t.find(",", b + after.end(), s1)
            if _negated(t[s0 + clause_start : clause_end if clause_end >= 0 else s1], None):
                continue
            start = a
        span = f.span(start, b)
        if all(span[1] <= x or span[0] >= y for x, y, _ in out):
            out.append((span[0], span[1], kind))
    return out
