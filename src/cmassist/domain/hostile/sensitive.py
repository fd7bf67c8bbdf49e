"""What a brand never asks a customer for (card data, bank details, passwords, PINs, one-time
codes, identity numbers), and the spans of a reply that ask for it anyway."""

# ruff: noqa: E501  (attack patterns: one alternation per line reads better than wrapped regexes)

from __future__ import annotations

import re

from cmassist.domain.spans import free
from cmassist.domain.textmatch import fold

# What a brand never asks a customer for, on folded text: payment data, bank details,
# passwords and logins, PINs, one-time codes, identity numbers. Used on comments (an order
# to ask for them) and on replies (`sensitive_requests`).
SENSITIVE_KINDS: dict[str, str] = {
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
_SENSITIVE = re.compile("|".join(f"(?P<{k}>{v})" for k, v in SENSITIVE_KINDS.items()))
SENSITIVE_ANY = "(?:" + "|".join(SENSITIVE_KINDS.values()) + ")"
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
        if free(span, [(x, y) for x, y, _ in out]):
            out.append((span[0], span[1], kind))
    return out
