"""Triage of incoming messages: what each one is, how urgent, and what to do, with reasons.

For every comment, mention or direct message: language, sentiment, complaint or not, topic
(from the brand's own `topics` rule), urgency, toxicity, harassment, spam, prompt injection,
and a suggested action (reply, escalate, hide, ignore), each decision with a reason a
person can read ("complaint: reports a late delivery (“toujours pas reçu”)").

By default it runs on the embedded parts only, fast and without a GPU: one all-MiniLM-L6-v2
embedding per message feeds two small linear heads trained on TweetEval (sentiment,
offensive language; `bench/train_triage.py`), and French and English cue lexicons and rules
do the rest. The brand's own past comments, labelled as complaints or not in its replies
file, vote as nearest neighbours. When a chat LLM is configured, it gives a second opinion
(`prompts/triage.j2`) on the redacted text; the rules keep the last word on safety.

Safety, health and legal reports (`cmassist.domain.safety`: a foreign body, an injury, an illness,
an allergic reaction, a burn, a child hurt, a legal threat) always escalate, first in the
queue, whatever the tone, the complaint reading or an open crisis; a question about
allergens or children is a health question, answered like any question. Ordinary requests
(a job, a booking, something left behind, opening hours...) that name no problem are not
complaints.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import numpy as np

from cmassist.domain.guidelines import BrandRules
from cmassist.domain.hostile import detect_injection
from cmassist.domain.safety import CATEGORY_NAMES, SafetyReading, read_safety
from cmassist.domain.textmatch import Folded, fold, term_pattern
from cmassist.domain.textutil import detect_language

Action = Literal["reply", "escalate", "hide", "ignore"]
Sentiment = Literal["negative", "neutral", "positive"]
Urgency = Literal["high", "normal", "low"]
ACTIONS: tuple[Action, ...] = ("reply", "escalate", "hide", "ignore")
SENTIMENTS: tuple[Sentiment, ...] = ("negative", "neutral", "positive")


@dataclass
class Triage:
    language: str
    sentiment: Sentiment
    sentiment_score: float  # -1 (negative) .. 1 (positive)
    complaint: bool
    complaint_score: float
    topic: str | None
    urgency: Urgency
    toxic: bool
    harassment: bool
    spam: bool
    injection: bool
    question: bool
    action: Action
    priority: int  # 0..100, higher first
    reasons: dict[str, str] = field(default_factory=dict)
    method: str = "embedded"
    # the categories of a safety, health or legal report (cmassist.domain.safety.CATEGORY_NAMES);
    # any of them escalates
    safety: list[str] = field(default_factory=list)
    health_question: bool = False  # asks about allergens, pregnancy, children... no incident

    def public(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "sentiment": self.sentiment,
            "sentiment_score": round(self.sentiment_score, 3),
            "complaint": self.complaint,
            "complaint_score": round(self.complaint_score, 3),
            "topic": self.topic,
            "urgency": self.urgency,
            "toxic": self.toxic,
            "harassment": self.harassment,
            "spam": self.spam,
            "injection": self.injection,
            "question": self.question,
            "action": self.action,
            "priority": self.priority,
            "reasons": self.reasons,
            "method": self.method,
            "safety": list(self.safety),
            "health_question": self.health_question,
        }


# -- lexicons (folded: lowercase, no accents) ---------------------------------------------------


def _rx(words: Sequence[str]) -> re.Pattern[str]:
    alts = sorted({w for w in words}, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(alts) + r")(?![\w])")


_POSITIVE = _rx([
    r"love[sd]?", r"loving", r"great", r"amazing", r"awesome", r"excellent", r"perfect", r"best",
    r"delicious", r"yummy", r"tasty", r"fantastic", r"wonderful", r"beautiful", r"thanks?",
    r"thank you", r"merci(?: beaucoup)?", r"happy", r"glad", r"enjoy(?:ed|ing)?", r"favou?rite",
    r"recommend(?:ed)?", r"friendly", r"kind", r"nice", r"good", r"cool", r"brilliant",
    r"adore[sz]?", r"j'adore", r"genial(?:e|s)?", r"super", r"parfait(?:e|s)?", r"excellente?s?",
    r"delicieu(?:x|se)s?", r"magnifique", r"bravo", r"felicitations", r"meilleure?s?",
    r"sympa", r"gentil(?:le)?s?", r"content(?:e|s)?", r"ravie?s?", r"top", r"trop bon(?:ne)?s?",
    r"tellement bon(?:ne)?s?", r"ecoeurant", r"malade (?:bon|bonne)", r"hate de", r"can't wait",
    r"wow", r"yay", r"incroyable", r"formidable", r"impeccable", r"chaleureu(?:x|se)",
])  # fmt: skip
_NEGATIVE = _rx([
    r"bad", r"terrible", r"awful", r"horrible", r"worst", r"disappoint(?:ed|ing|ment)?", r"angry",
    r"annoy(?:ed|ing)", r"frustrat(?:ed|ing|ion)", r"upset", r"hate", r"sucks?", r"poor",
    r"rude", r"broken", r"stale", r"late", r"delay(?:ed)?", r"never", r"still (?:no|not|waiting)",
    r"wrong", r"missing", r"refund", r"unacceptable", r"ridiculous", r"disgusting", r"gross",
    r"scam", r"ripoff", r"rip-off", r"overpriced", r"useless", r"crash(?:es|ed)?", r"bug(?:gy)?",
    r"sick", r"problem", r"issue", r"complain(?:t)?", r"not happy", r"no one", r"nobody",
    r"decu(?:e|s)?", r"decevant(?:e|s)?", r"deception", r"nul(?:le|s)?", r"pourri(?:e|s)?",
    r"horrible", r"affreu(?:x|se)", r"degueulasse", r"degueu", r"inacceptable", r"scandale",
    r"scandaleu(?:x|se)", r"honte", r"fache(?:e|s)?", r"tanne(?:e|s)?", r"ecoeure(?:e|s)?",
    r"en colere", r"frustre(?:e|s)?", r"jamais", r"toujours pas", r"pas encore", r"retard",
    r"en retard", r"rassis", r"amer", r"brise(?:e|s)?", r"casse(?:e|s)?", r"manquant(?:e|s)?",
    r"rembourse(?:ment|z)?", r"impoli(?:e|s)?", r"bete", r"pire", r"arnaque", r"vol",
    r"trop cher", r"probleme", r"malade", r"personne ne", r"aucune? reponse", r"plainte",
    r"ca fait \d+ (?:jours|semaines)", r"it's been \d+ (?:days|weeks)", r"wtf", r"come on",
    r"franchement", r"serieux", r"seriously", r"😡", r"😤", r"🤬", r"👎", r"😠", r"😞", r"😢",
])  # fmt: skip
_EMOJI_POS = re.compile("[😍🥰😊😀😃😄😁❤💕💖👍🙏✨🎉☕🔥👌🤩😋💯]")
_NEGATION = re.compile(
    r"(?<![\w])(?:not|no|never|don't|didn't|isn't|wasn't|aren't|pas|plus|jamais|aucun|aucune|sans)(?![\w])"
)

# A complaint reports a failure of the brand's product or service.
_COMPLAINT = _rx([
    r"still (?:haven't|have not|not|no|waiting)", r"never (?:received|arrived|came|got)",
    r"(?:hasn't|has not|didn't|did not|haven't) (?:arrived|received|shipped|come|been)",
    r"where(?:'s| is) my", r"(?:wrong|missing|damaged|broken|crushed|stale|expired|cold|burnt)",
    r"charged (?:me )?(?:twice|double|two times|again)", r"double charged", r"overcharged",
    r"refund", r"money back", r"cancel(?:led)? my", r"can't (?:log ?in|checkout|pay|order|cancel)",
    r"doesn't work", r"not working", r"stopped working", r"keeps crashing", r"crash(?:es|ed)",
    r"rude", r"waited", r"no answer", r"no reply", r"no response", r"ignored", r"unacceptable",
    r"disappointed", r"worst", r"never again", r"not (?:impressed|happy|ok|okay|acceptable)",
    r"complain(?:t)?", r"late", r"delay(?:ed)?", r"lost", r"defective", r"tastes? (?:bad|off|burnt|sour|stale)",
    r"toujours pas (?:recu|arrive|eu|de reponse|de nouvelles)", r"jamais (?:recu|arrive)",
    r"pas (?:encore )?(?:recu|arrive|livre)", r"ou est ma", r"mauvais(?:e)? (?:produit|commande|article|sac)",
    r"manquant(?:e|s)?", r"endommage(?:e|s)?", r"brise(?:e|s)?", r"ecrase(?:e|s)?", r"rassis",
    r"preleve(?:e|s)? (?:deux|2) fois", r"facture(?:e|s)? (?:deux|2) fois", r"double (?:prelevement|facturation)",
    r"rembourse(?:ment|z|r)?", r"annule(?:r|z)? mon", r"fonctionne (?:pas|plus)", r"marche (?:pas|plus)",
    r"plante", r"bogue", r"impoli(?:e|s)?", r"attendu", r"aucune? reponse", r"inacceptable",
    r"decu(?:e|s)?", r"plus jamais", r"pas (?:content|satisfait|impressionne)(?:e|s)?", r"plainte",
    r"en retard", r"retard", r"perdu(?:e|s)?", r"defectueu(?:x|se)", r"gout (?:bizarre|amer|brule|etrange)",
    r"ca fait \d+ (?:jours|semaines)", r"it's been \d+ (?:days|weeks)", r"scandale", r"arnaque",
    r"trop cher", r"overpriced", r"hausse", r"price increase", r"augmentation",
    r"smells? (?:like|weird|bad|off|funny|strange)", r"tastes? like", r"sent (?:le|la|bizarre|mauvais|drole)",
    r"goute (?:le|la|bizarre|drole|mauvais)", r"sick", r"malade", r"vomi\w*", r"nause\w*",
    r"found (?:a|some) (?:piece|bit|shard|hair|bug|plastic|glass)", r"trouve (?:un|une|des) (?:morceau|bout|cheveu|insecte|plastique|verre)",
])  # fmt: skip
# The complaint mixer's "urgent" feature (bench/train_triage.py fits its weight on these
# exact words: keep them as they are, or retrain). Escalation reads cmassist.domain.safety and the
# narrower lexicons below instead.
_URGENT = _rx([
    r"allerg(?:y|ic|ies|ie|ique|iques)", r"anaphyla\w*", r"epipen", r"hospital", r"hopital",
    r"urgences?", r"emergency", r"911", r"sick", r"malade", r"vomi\w*", r"food poisoning",
    r"intoxication", r"empoisonn\w*", r"injur(?:y|ed)", r"bless(?:e|ee|ure)", r"burn(?:ed|t)? (?:my|me)",
    r"brule(?:e)? (?:la|le|ma|mon)", r"glass", r"verre", r"plastic (?:piece|bit|shard)",
    r"morceau de (?:plastique|verre|metal)", r"metal", r"foreign object", r"corps etranger",
    r"lawyer", r"avocat", r"sue", r"lawsuit", r"poursuite", r"poursuivre", r"mise en demeure",
    r"legal action", r"journalist", r"journaliste", r"reporter", r"media", r"medias", r"press",
    r"presse", r"article", r"data breach", r"fuite de donnees", r"hacked", r"pirate", r"fraud",
    r"fraude", r"stolen card", r"carte vol\w*", r"someone used my card", r"unsafe", r"dangereu\w*",
    r"dangerous", r"recall", r"rappel", r"police", r"threat\w*", r"menace\w*",
    r"mon enfant", r"my (?:kid|child|son|daughter|baby)", r"mon bebe", r"ma fille", r"mon fils",
])  # fmt: skip
# Press, personal data and account security: urgent when they come with a complaint, a
# negative tone or a question (a journalist asks).
_PRESS_DATA = _rx([
    r"journalist\w*", r"journaliste\w*", r"reporter", r"recherchiste", r"media (?:inquiry|request)",
    r"demande (?:de )?(?:medias|presse)", r"press (?:inquiry|request)",
    r"(?:for|pour) (?:an?|un|une|our|notre) (?:article|story|reportage|segment|documentary|documentaire)",
    r"data breach", r"fuite de donnees", r"hacked", r"piratee?s?", r"phishing", r"hameconnage",
    r"stolen card", r"carte (?:de credit )?volee", r"fraud(?:ulent)? (?:charges?|transactions?)",
    r"fraude (?:sur|avec) ma carte", r"(?:someone|somebody) (?:\w+ ){0,2}used my (?:\w+ )?card",
    r"(?:quelqu'un|on) (?:\w+ ){0,2}(?:a )?utilise ma carte", r"logged (?:in|into) my (?:\w+ )?account",
    r"connecte (?:a|sur) mon compte", r"(?:changed|change) my (?:email|password)",
    r"product recall", r"recall(?:ed)? (?:of|on) (?:the|your|this)", r"rappel (?:de|du|des) (?:produits?|lots?)",
    r"called the police", r"appele la police",
])  # fmt: skip
# A hazard someone warns of: urgent with a complaint or a negative tone, not as a question.
_HAZARD = _rx([
    r"unsafe", r"dangerous", r"dangereu(?:x|se|ses)", r"pas securitaire", r"hazard(?:ous)?",
    r"exposed wires?", r"fils? (?:electriques? )?(?:denudes?|a nu)", r"gas leak", r"fuite de gaz",
    r"carbon monoxide", r"monoxyde", r"someone (?:will|is going to|could) get hurt",
    r"quelqu'un va se (?:blesser|faire mal)",
])  # fmt: skip
# Ordinary requests: a job or internship, a booking, something left behind, opening hours,
# gift cards, catering, partnerships. None is a complaint unless it also names a problem.
_REQUEST: dict[str, re.Pattern[str]] = {
    "job or internship": _rx([
        r"internships?", r"interns?", r"stages?(?: d'(?:ete|observation))?", r"stagiaires?",
        r"summer jobs?", r"jobs? d'ete", r"emplois?", r"hiring", r"embauche\w*", r"recrut\w*",
        r"postuler", r"apply(?:ing)? for", r"job application", r"candidature", r"cv",
        r"resume", r"(?:barista|roaster|manager) (?:job|position)", r"poste (?:de|d'|disponible)",
        r"cherchez[- ]?(?:vous|tu) du monde", r"volunteers?", r"benevoles?", r"work for you",
        r"travailler (?:chez|pour) vous",
    ]),
    "booking": _rx([
        r"book(?:ing)? (?:a |the )?(?:table|room|private|tasting|space)", r"reserv\w*",
        r"table (?:for|pour) (?:\d+|two|four|six|eight|deux|quatre|six|huit)", r"private (?:room|event|tasting)",
        r"salle (?:privee|arriere)", r"(?:group|groupe) de \d+", r"group of \d+", r"privatiser",
        r"louer (?:la|une) salle", r"rent (?:the|a) (?:room|space)",
    ]),
    "lost and found": _rx([
        r"lost and found", r"lost & found", r"objets? (?:perdus?|trouves?)",
        r"(?:lost|forgot|left) (?:my|a|our|his|her) (?:\w+ ){0,3}(?:scarf|hat|toque|tuque|gloves?|"
        r"mittens?|umbrella|keys?|wallet|phone|jacket|coat|laptop|glasses|sunglasses|airpods|"
        r"earbuds|headphones|bag|backpack|book|notebook|charger|card|sweater|hoodie)",
        r"(?:oublie|perdu|laisse)e? (?:mon|ma|mes|un|une|notre|son|sa) (?:\w+ ){0,2}(?:foulard|"
        r"echarpe|tuque|chapeau|casquette|gants|mitaines|parapluie|cles|clefs|portefeuille|"
        r"telephone|cell|cellulaire|manteau|veste|ordi|ordinateur|portable|lunettes|ecouteurs|"
        r"sac a dos|sac a main|livre|chargeur|carte|chandail|coton ouate)",
        r"(?:did|has) (?:anyone|someone|somebody) (?:find|found|turn(?:ed)? in|hand(?:ed)? in)",
        r"quelqu'un l'a (?:trouve|rapporte)e?", r"(?:vous )?l'avez[- ]?(?:vous|tu) trouvee?s?",
    ]),
    "opening hours": _rx([
        r"opening hours", r"your hours", r"hours (?:on|today|tomorrow|for|during|over)",
        r"are you open", r"open (?:on|today|tomorrow|late|early|until|till)", r"closing time",
        r"what time do you (?:open|close)", r"heures? d'ouverture", r"vos heures", r"horaires?",
        r"ouverts? (?:le|ce|demain|aujourd'hui|a quelle heure|jusqu'a|tard|pendant)",
        r"(?:vous )?fermez a quelle heure", r"a quelle heure (?:vous )?(?:ouvrez|fermez)",
    ]),
    "subscription or account": _rx([
        r"change (?:my|the) (?:delivery |shipping )?address", r"update my (?:address|card|payment)",
        r"pause my (?:subscription|order|plan)", r"skip (?:a|next|one) (?:month|delivery|box)",
        r"changer (?:l'|mon |mon adresse|l'adresse)", r"suspendre mon abonnement",
        r"mettre (?:mon abonnement )?en pause", r"sauter (?:un|le prochain) (?:mois|envoi)",
    ]),
    "product or event information": _rx([
        r"(?:still )?available", r"in stock", r"places? (?:left|disponibles?)", r"spots? left",
        r"(?:y )?reste[- ](?:t-il|tu) des places", r"existe[- ](?:t-il )?en", r"whole beans?",
        r"grains entiers", r"comes? in", r"when (?:does|will|is) (?:\w+ ){1,4}(?:come out|be back|"
        r"launch|released?|return)", r"quand (?:sort|revient|arrive)", r"do you (?:sell|have|carry|"
        r"make|offer|ship|deliver)", r"avez-vous (?:du|des|de la|un|une)", r"vendez-vous",
        r"livrez-vous", r"faites-vous", r"vous avez (?:des|du|de la|un|une)",
        r"vous (?:faites|vendez|livrez)[- ]?tu", r"est-ce que vous (?:vendez|avez|faites|livrez)",
    ]),
    "gift card, catering or partnership": _rx([
        r"gift cards?", r"cartes?-cadeaux?", r"cartes? cadeaux?", r"catering", r"traiteur",
        r"wholesale", r"partnership", r"partenariat", r"fundraiser", r"levee de fonds", r"donate",
        r"dons? de produits", r"sponsor\w*", r"commandite\w*", r"loyalty card", r"carte de fidelite",
    ]),
}  # fmt: skip
_HEALTH_ASK = "health question"
# A request is asked ("can we book...?", "j'aimerais postuler"); words of trouble around it
# ("door was locked", "encore une fois", "impossible de réserver") make it a complaint.
_ASKS = re.compile(
    r"\?|(?<![\w])(?:can (?:i|we|you)|could (?:i|we|you)|may i|do you|are you|is it possible|"
    r"i'd like|i would like|i want to|we'd like|we would like|looking for|please|pls|"
    r"j'aimerais|je voudrais|on voudrait|nous voudrions|est-ce que|est-ce possible|pouvez-vous|"
    r"peut-on|svp|s'il vous plait|je cherche|on cherche|vous cherchez)(?![\w])"
)
_TROUBLE = _rx([
    r"again", r"encore une fois", r"still", r"impossible", r"unable", r"never", r"jamais",
    r"\w+n't", r"cannot", r"pas", r"plus", r"locked", r"barree?", r"closed", r"fermee?s?",
    r"errors?", r"erreurs?", r"reduced", r"reduits?", r"cancel\w*", r"annul\w*", r"sold out",
    r"epuisee?s?", r"complet", r"full", r"but", r"mais", r"says", r"affiche", r"ecrit",
])  # fmt: skip
_TOXIC = _rx([
    r"idiot\w*", r"stupid", r"moron\w*", r"dumb", r"loser\w*", r"bitch\w*", r"fuck\w*", r"f\*+k",
    r"shit\w*", r"asshole\w*", r"bastard\w*", r"dick\w*", r"cunt\w*", r"(?<!en )(?<!du )(?<!de )(?<!un )(?<!le )(?<!ce )(?<!les )(?<!des )retard(?:ed|s)?",
    r"piece of (?:shit|crap|garbage)", r"trash", r"scum\w*", r"pathetic", r"incompetent\w*",
    r"shut up", r"go to hell", r"kill yourself", r"kys", r"die",
    r"con(?:ne|nes|s)?", r"connard\w*", r"conasse", r"salope\w*", r"putain", r"merde\w*", r"tabarnak",
    r"tabarnac", r"calisse", r"crisse", r"osti", r"ostie", r"estie", r"ta gueule", r"ferme ta gueule",
    r"imbecile\w*", r"cretin\w*", r"debile\w*", r"abruti\w*", r"nul(?:le)?s? a chier", r"encule\w*",
    r"batard\w*", r"pourriture", r"minable\w*", r"incompetent\w*", r"va (?:te faire|chier|mourir)",
    r"creve", r"degage",
])  # fmt: skip
_THREAT = _rx([
    r"i(?:'ll| will) (?:find|hurt|kill|burn|destroy|come for) (?:you|your|them)", r"watch your back",
    r"you(?:'ll| will) (?:pay|regret)", r"burn (?:it|your \w+) down", r"i know where (?:you|she|he) (?:live|work)s?",
    r"je vais (?:te|vous|le|la) (?:tuer|retrouver|frapper|detruire)", r"tu vas (?:le )?(?:payer|regretter)",
    r"vous allez (?:le )?(?:payer|regretter)", r"je sais ou (?:tu|vous|elle|il) (?:habite|travaille)s?",
    r"fais attention a toi", r"mettre le feu",
])  # fmt: skip
_TARGET = re.compile(
    r"(?<![\w])(?:you|your|u|ur|tu|toi|vous|ton|ta|tes|votre|vos|t'es|t'as|@\w+|barista|employee|employe|staff|personnel|manager|gerant|caissier|caissiere)(?![\w])"
)
_SPAM = _rx([
    r"crypto\w*", r"bitcoin", r"btc", r"nft\w*", r"forex", r"invest(?:ment|ing)? (?:plan|opportunit\w+)",
    r"earn \$?\d+", r"make money", r"work from home", r"gagne[rz]? \d+ ?\$?", r"gagner de l'argent",
    r"free (?:followers|likes|iphone|gift card)", r"buy (?:followers|likes)", r"followers? (?:gratuits?|free)",
    r"check (?:out )?my (?:profile|page|bio|channel)", r"link in (?:my )?bio", r"dm me", r"ecris-moi en prive pour",
    r"visite[rz]? mon (?:profil|compte)", r"promo code", r"click here", r"cliquez ici", r"giveaway winner",
    r"you(?:'ve| have) won", r"vous avez gagne", r"sugar daddy", r"onlyfans", r"whatsapp \+?\d", r"telegram",
    r"collab\w*\?? dm", r"brand ambassador", r"ambassadeur", r"promote your (?:page|account)",
    r"follow (?:me|back)", r"f4f", r"l4l", r"sub4sub",
])  # fmt: skip
_QUESTION = re.compile(
    r"\?|(?<![\w])(?:how|when|where|why|what|which|who|can i|can you|could you|do you|does|is there|are you|will you|"
    r"comment|quand|ou est|pourquoi|quel(?:le)?s?|est-ce que|pouvez-vous|peux-tu|avez-vous|as-tu|y a-t-il|c'est quoi)(?![\w])"
)


def _hits(rx: re.Pattern[str], folded: str, limit: int = 3) -> list[str]:
    out: list[str] = []
    for m in rx.finditer(folded):
        if m.group() not in out:
            out.append(m.group())
        if len(out) >= limit:
            break
    return out


def _quote(words: list[str]) -> str:
    return ", ".join(f"“{w}”" for w in words)


# -- the embedded heads ---------------------------------------------------------------------------


class Heads:
    """Linear heads over all-MiniLM-L6-v2 embeddings, trained by bench/train_triage.py."""

    def __init__(self) -> None:
        path = resources.files("cmassist") / "data" / "triage_heads.npz"
        with resources.as_file(path) as p, np.load(p) as z:
            self.sentiment_w = z["sentiment_W"]
            self.sentiment_b = z["sentiment_b"]
            self.offensive_w = z["offensive_W"]
            self.offensive_b = z["offensive_b"]
            self.complaint_w = z["complaint_W"]
            self.complaint_b = z["complaint_b"]
            self.meta = json.loads(str(z["meta"]))
            # complaint = sigmoid(features · W + b) >= threshold, see complaint_features()
            self.complaint_mix: tuple[np.ndarray, float, float] | None = (
                (
                    z["complaint_mix_W"].astype(np.float64),
                    float(z["complaint_mix_b"]),
                    float(z["complaint_threshold"]),
                )
                if "complaint_mix_W" in z
                else None
            )
        self.dimension = int(self.sentiment_w.shape[1])

    def sentiment(self, x: np.ndarray) -> np.ndarray:
        logits = x @ self.sentiment_w.T + self.sentiment_b
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)  # columns: negative, neutral, positive

    def complaint(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.complaint_w.T + self.complaint_b
        return 1.0 / (1.0 + np.exp(-z[:, 0]))

    def offensive(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.offensive_w.T + self.offensive_b
        return 1.0 / (1.0 + np.exp(-z[:, 0]))


_HEADS: Heads | None = None
_HEADS_LOCK = threading.Lock()


def load_heads() -> Heads:
    global _HEADS
    with _HEADS_LOCK:
        if _HEADS is None:
            _HEADS = Heads()
        return _HEADS


@dataclass
class BrandSignals:
    """What triage knows of one brand: its topics and its own labelled past comments."""

    rules: BrandRules
    topic_patterns: list[tuple[str, list[tuple[str, re.Pattern[str]]]]]
    topic_vectors: np.ndarray | None = None
    topic_names: list[str] = field(default_factory=list)
    past_vectors: np.ndarray | None = None
    past_complaint: np.ndarray | None = None
    past_topics: list[str | None] = field(default_factory=list)
    public_contacts: set[str] = field(default_factory=set)


def brand_signals(
    rules: BrandRules,
    embed: Any | None = None,
    past: Sequence[tuple[str, bool]] = (),
    past_topics: Sequence[str | None] = (),
) -> BrandSignals:
    topics = []
    for t in rules.topics:
        topics.append((t.name, [(k, term_pattern(k)) for k in t.keywords]))
    sig = BrandSignals(rules, topics)
    if embed is not None and rules.topics:
        texts = [f"{t.name.replace('_', ' ')}: {', '.join(t.keywords)}" for t in rules.topics]
        sig.topic_vectors = np.asarray(embed(texts), dtype=np.float32)
        sig.topic_names = [t.name for t in rules.topics]
    if embed is not None and past:
        sig.past_vectors = np.asarray(embed([p[0] for p in past]), dtype=np.float32)
        sig.past_complaint = np.asarray([1.0 if p[1] else 0.0 for p in past], dtype=np.float32)
        names = {t.name for t in rules.topics}
        sig.past_topics = [t if t in names else None for t in past_topics] or [None] * len(past)
    return sig


# -- triage ----------------------------------------------------------------------------------------


def triage_batch(
    texts: Sequence[str],
    brand: BrandSignals | None,
    vectors: np.ndarray | None,
    heads: Heads | None,
) -> list[Triage]:
    """Triage messages whose embeddings (unit length, one row each) are `vectors`."""
    n = len(texts)
    sent_p = off_p = comp_p = mix = None
    if heads is not None and vectors is not None and vectors.shape[1] == heads.dimension:
        sent_p = heads.sentiment(vectors)
        off_p = heads.offensive(vectors)
        comp_p = heads.complaint(vectors)
        mix = heads.complaint_mix
    return [
        _triage_one(
            texts[i],
            brand,
            None if vectors is None else vectors[i],
            None if sent_p is None else sent_p[i],
            None if off_p is None else float(off_p[i]),
            None if comp_p is None else float(comp_p[i]),
            mix,
        )
        for i in range(n)
    ]


def sentiment_reading(
    text: str, folded: str, lang: str, sent_p: np.ndarray | None
) -> tuple[float, Sentiment, str, list[str]]:
    """Sentiment score in [-1, 1], label, how it was read, and the words behind it: the
    TweetEval head (English-trained) blended with the bilingual lexicon."""
    pos = _hits(_POSITIVE, folded) + [e for e in _EMOJI_POS.findall(text)][:2]
    neg = _hits(_NEGATIVE, folded)
    negated_pos = [w for w in pos if _negated(folded, w)]
    pos = [w for w in pos if w not in negated_pos]
    neg = neg + [f"not {w}" for w in negated_pos]
    lex = (len(pos) - len(neg)) / max(1.0, math.sqrt(len(pos) + len(neg)))
    lex = max(-1.5, min(1.5, lex))
    if sent_p is not None:
        head = float(sent_p[2] - sent_p[0])
        weight = 0.55 if lang == "en" else 0.3
        score = weight * head + (1 - weight) * math.tanh(lex)
        how = f"model {_pct(sent_p[0])} negative / {_pct(sent_p[2])} positive"
    else:
        score = math.tanh(lex)
        how = "lexicon only"
    sentiment: Sentiment = "negative" if score < -0.2 else "positive" if score > 0.25 else "neutral"
    words = neg if sentiment == "negative" else pos if sentiment == "positive" else pos + neg
    return score, sentiment, how, words


COMPLAINT_FEATURES = ("head log-odds", "problem cues", "negativity", "praise only", "urgent")


def complaint_features(
    folded: str, score: float, sentiment: str, comp_p: float | None
) -> tuple[np.ndarray, list[str]]:
    """The complaint mixer's inputs (COMPLAINT_FEATURES) and the problem cues found; the
    mixer's weights are fitted by bench/train_triage.py on out-of-fold head outputs."""
    cues = _hits(_COMPLAINT, folded)
    p = min(max(comp_p, 1e-3), 1 - 1e-3) if comp_p is not None else 0.5
    f = np.asarray(
        [
            math.log(p / (1 - p)),
            min(len(cues), 3),
            max(0.0, -score),
            float(sentiment == "positive" and not cues),
            float(_URGENT.search(folded) is not None and score < 0),
        ],
        dtype=np.float64,
    )
    return f, cues


def _triage_one(
    text: str,
    brand: BrandSignals | None,
    vector: np.ndarray | None,
    sent_p: np.ndarray | None,
    off_p: float | None,
    comp_p: float | None = None,
    mix: tuple[np.ndarray, float, float] | None = None,
) -> Triage:
    folded_text = fold(text)
    folded = folded_text.text
    reasons: dict[str, str] = {}
    lang = detect_language(text) or "und"
    reasons["language"] = (
        {"fr": "French", "en": "English"}[lang] + " (function words and accents)"
        if lang != "und"
        else "neither clearly French nor English"
    )

    score, sentiment, how, words = sentiment_reading(text, folded, lang, sent_p)
    reasons["sentiment"] = f"{sentiment} ({how}" + (
        f"; words {_quote(words[:3])})" if words else ")"
    )

    # complaint: the complaint head, cues, tone, then the brand's own labelled past comments
    features, cues = complaint_features(folded, score, sentiment, comp_p)
    knn, knn_text = _neighbours(brand, vector)
    if mix is not None:
        z = float(features @ mix[0] + mix[1])
        if knn is not None:  # the brand's own labels move the odds by at most e^±1
            z += 2.0 * (knn - 0.5)
        complaint_score = 1.0 / (1.0 + math.exp(-z))
        complaint = complaint_score >= mix[2]
    else:  # no head for this embedding: cues and tone only
        c = 0.0
        if cues:
            c += 0.45 + 0.1 * min(len(cues) - 1, 2)
        c += 0.35 * max(0.0, -score)
        if knn is not None:
            c += 0.35 * (knn - 0.5)
        if sentiment == "positive" and not cues:
            c -= 0.3
        complaint_score = max(0.0, min(1.0, c))
        complaint = complaint_score >= 0.45
    why = []
    if comp_p is not None and comp_p >= 0.5:
        why.append(f"complaint model {_pct(comp_p)}")
    if cues:
        why.append(f"reports a problem ({_quote(cues)})")
    if sentiment == "negative":
        why.append("negative tone")
    if knn_text:
        why.append(knn_text)
    reasons["complaint"] = f"{'yes' if complaint else 'no'} ({_pct(complaint_score)}): " + (
        "; ".join(why) if why else "no problem reported"
    )

    # topic: the brand's own topic keywords first, then the nearest topic by meaning
    topic, topic_why = _topic(brand, folded, vector)
    reasons["topic"] = topic_why

    question = bool(_QUESTION.search(folded))
    # toxicity, harassment, spam, injection
    tox_words = _hits(_TOXIC, folded)
    threats = _hits(_THREAT, folded)
    off = off_p if off_p is not None else 0.0
    toxic = (
        bool(threats)
        or (
            bool(tox_words)
            and (off >= 0.5 or len(tox_words) >= 2 or _TARGET.search(folded) is not None)
        )
        or off >= 0.9
    )
    harassment = bool(threats) or (toxic and _TARGET.search(folded) is not None)
    if toxic or off >= 0.5:
        parts = []
        if threats:
            parts.append(f"threat ({_quote(threats)})")
        if tox_words:
            parts.append(f"insults ({_quote(tox_words)})")
        if off_p is not None:
            parts.append(f"offensive-language model {_pct(off)}")
        reasons["toxicity"] = ("yes: " if toxic else "borderline: ") + "; ".join(parts)
        if harassment:
            reasons["harassment"] = "aimed at a person" + (" with a threat" if threats else "")
    if harassment and complaint and not cues:
        # abuse aimed at a person is a complaint only when it names a problem
        complaint = False
        reasons["complaint"] = (
            f"no: abuse aimed at a person, with no problem named (the complaint model alone "
            f"read {_pct(complaint_score)})"
        )
    safety = read_safety(text)
    request = None if safety.report else _request(text, folded_text, health=safety.health_words)
    question = question or request is not None  # "je voudrais réserver..." asks too
    if safety.report:
        # harm from the product or service, or a legal threat, is a complaint whatever the tone
        complaint = True
        complaint_score = max(complaint_score, 0.9)
        reasons["complaint"] = (
            f"yes: a safety report ({', '.join(CATEGORY_NAMES[c] for c in safety.categories)})"
        )
    elif complaint and request is not None:
        complaint = False
        kind, asked = request
        what = (
            f"asks a health question ({_quote(asked)})"
            if kind == _HEALTH_ASK
            else f"a request ({kind}: {_quote(asked)})"
        )
        reasons["complaint"] = (
            f"no: {what}, no problem named (the complaint reading alone was "
            f"{_pct(complaint_score)})"
        )
    elif complaint and cues and sentiment != "negative" and _only_negated(cues, safety):
        # "no one got sick": the problem words the complaint reading saw are negated
        complaint = False
        reasons["complaint"] = (
            f"no: its problem words are negated ({_quote(list(safety.set_aside[:3]))}) "
            f"(the complaint reading alone was {_pct(complaint_score)})"
        )
    if safety.report or safety.health or safety.set_aside:
        reasons["safety"] = safety.summary() or (
            f"no report: {_quote(list(safety.set_aside[:3]))} negated or hypothetical"
        )
    spam_words = _hits(_SPAM, folded)
    links = re.findall(r"https?://\S+|www\.\S+", text)
    # promotional words, unless a single one sits in a real complaint with no link; or a
    # link farm: several links in a message that is neither a complaint nor negative
    link_farm = len(links) >= 2 and not complaint and sentiment != "negative"
    spam = link_farm or (
        bool(spam_words) and (len(spam_words) >= 2 or bool(links) or not complaint)
    )
    if spam_words or link_farm:
        reasons["spam"] = ("yes: " if spam else "maybe: ") + (
            f"promotional cues {_quote(spam_words)}" if spam_words else f"{len(links)} links"
        )
    inj = detect_injection(text)
    if inj.flagged:
        reasons["injection"] = inj.summary()

    # urgency and action: a safety, health or legal report comes first, whatever the tone
    press = _hits(_PRESS_DATA, folded)
    hazards = _hits(_HAZARD, folded) if not question else []
    urgency: Urgency
    if safety.report:
        urgency = "high"
        reasons["urgency"] = "high: " + _safety_words(safety)
    elif threats:
        urgency = "high"
        reasons["urgency"] = f"high: threat ({_quote(threats)})"
    elif press and (complaint or sentiment == "negative" or question):
        urgency = "high"
        reasons["urgency"] = f"high: press, personal data or account security ({_quote(press)})"
    elif hazards and (complaint or sentiment == "negative"):
        urgency = "high"
        reasons["urgency"] = f"high: a hazard reported ({_quote(hazards)})"
    elif complaint or question or inj.flagged:
        urgency = "normal"
        reasons["urgency"] = "normal: " + (
            "a complaint"
            if complaint
            else "a health question, no incident reported"
            if safety.health and question
            else "a question"
            if question
            else "needs a look"
        )
    else:
        urgency = "low"
        reasons["urgency"] = "low: nothing to fix or answer"

    action: Action
    if safety.report:
        action = "escalate"
        why_action = (
            "a safety, health or legal report: a person must handle it now, before any reply"
        )
    elif urgency == "high":
        action = "escalate"
        why_action = "urgent: a person must handle it now"
    elif spam:
        action = "hide"
        why_action = "spam"
    elif toxic and not complaint:
        action = "hide"
        why_action = "abusive, with no problem to answer" if not harassment else "harassment"
    elif inj.flagged:
        action = "escalate"
        why_action = (
            "possible prompt injection: a person should read it before any reply is drafted"
        )
    elif complaint or question:
        action = "reply"
        why_action = "a complaint to answer" if complaint else "a question to answer"
        if toxic:
            why_action += " (abusive words: answer the problem, not the tone)"
    else:
        action = "ignore"
        why_action = (
            "positive or neutral, nothing asked"
            if sentiment != "negative"
            else "negative but no problem or question"
        )
    reasons["action"] = f"{action}: {why_action}"

    priority = {"escalate": 80, "reply": 45, "hide": 30, "ignore": 5}[action]
    if safety.report:
        priority = 100  # first in the queue, above any other escalation
    elif safety.health and action == "reply":
        priority += 5
    if urgency == "high":
        priority += 15
    if complaint:
        priority += int(15 * complaint_score)
    if sentiment == "negative":
        priority += 5
    if question and action == "reply":
        priority += 3
    return Triage(
        language=lang,
        sentiment=sentiment,
        sentiment_score=float(score),
        complaint=complaint,
        complaint_score=complaint_score,
        topic=topic,
        urgency=urgency,
        toxic=toxic,
        harassment=harassment,
        spam=spam,
        injection=inj.flagged,
        question=question,
        action=action,
        priority=min(100, priority),
        reasons=reasons,
        method="embedded" if sent_p is not None else "rules",
        safety=safety.categories,
        health_question=bool(safety.health) and question,
    )


def _safety_words(safety: SafetyReading) -> str:
    """ "safety report: foreign body (“piece of hard plastic”)", for the urgency reason."""
    return "safety report: " + "; ".join(h.describe(CATEGORY_NAMES) for h in safety.reports)


def _only_negated(cues: Sequence[str], safety: SafetyReading) -> bool:
    """Every problem cue sits inside words the safety reading set aside as negated."""
    aside = [fold(w).text for w in safety.set_aside]
    return bool(aside) and all(any(c in w for w in aside) for c in cues)


def _request(text: str, f: Folded, *, health: Sequence[str] = ()) -> tuple[str, list[str]] | None:
    """The kind of ordinary request a message makes (or the health question it asks) and its
    words, if it names no problem besides (the "lost" of "lost my scarf" is the request, not
    a problem)."""
    if not _ASKS.search(f.text):
        return None
    found = [(kind, m.span()) for kind, rx in _REQUEST.items() for m in rx.finditer(f.text)]
    if not found and not health:
        return None
    spans = [span for _, span in found]
    for lexicon in (_COMPLAINT, _NEGATIVE, _TROUBLE):
        for m in lexicon.finditer(f.text):
            if not any(a <= m.start() < b for a, b in spans):
                return None
    if not found:
        return _HEALTH_ASK, list(health)[:3]
    kind = found[0][0]
    words: list[str] = []
    for k, (start, end) in found:
        a, b = f.span(start, end)
        if k == kind and text[a:b] not in words:
            words.append(text[a:b])
    return kind, words[:3]


def _pct(p: float) -> str:
    return f"{round(float(p) * 100)}%"


def _negated(folded: str, word: str) -> bool:
    i = folded.find(word)
    if i < 0:
        return False
    window = folded[max(0, i - 14) : i]
    return _NEGATION.search(window) is not None


def _neighbours(brand: BrandSignals | None, vector: np.ndarray | None) -> tuple[float | None, str]:
    """Share of complaints among the 5 most similar past comments of the brand."""
    if (
        brand is None
        or vector is None
        or brand.past_vectors is None
        or brand.past_complaint is None
    ):
        return None, ""
    if brand.past_vectors.shape[1] != vector.shape[0]:
        return None, ""
    sims = brand.past_vectors @ vector
    k = min(5, len(sims))
    top = np.argsort(-sims)[:k]
    w = np.maximum(sims[top], 0.0) + 1e-6
    share = float((brand.past_complaint[top] * w).sum() / w.sum())
    if sims[top[0]] < 0.35:
        return None, ""
    n = round(float(brand.past_complaint[top].sum()))
    return share, f"{n} of the {k} most similar past comments were complaints"


def _topic(
    brand: BrandSignals | None, folded: str, vector: np.ndarray | None
) -> tuple[str | None, str]:
    if brand is None or not brand.topic_patterns:
        return None, "the brand's guidelines list no topics"
    best: tuple[int, str, list[str]] | None = None
    for name, pats in brand.topic_patterns:
        found = [k for k, p in pats if p.search(folded)]
        if found and (best is None or len(found) > best[0]):
            best = (len(found), name, found)
    if best is not None:
        return best[1], f"{best[1]}: mentions {_quote(best[2][:3])}"
    if (
        vector is not None
        and brand.past_vectors is not None
        and brand.past_vectors.shape[1] == vector.shape[0]
        and any(brand.past_topics)
    ):
        sims = brand.past_vectors @ vector
        top = [int(i) for i in np.argsort(-sims)[:3] if sims[i] >= 0.45 and brand.past_topics[i]]
        if top:
            votes: dict[str, float] = {}
            for i in top:
                votes[brand.past_topics[i]] = votes.get(brand.past_topics[i], 0.0) + float(sims[i])  # type: ignore[index]
            name = max(votes, key=lambda k: votes[k])
            return (
                name,
                f"{name}: like the brand's past comments on it (similarity {max(sims[top]):.2f})",
            )
    if (
        vector is not None
        and brand.topic_vectors is not None
        and brand.topic_vectors.shape[1] == vector.shape[0]
    ):
        sims = brand.topic_vectors @ vector
        i = int(np.argmax(sims))
        if sims[i] >= 0.3:
            return brand.topic_names[
                i
            ], f"{brand.topic_names[i]}: closest in meaning (similarity {sims[i]:.2f})"
    return None, "none of the brand's topics"


class Triager:
    """Triage for the brands of a knowledge store: embeds each batch once, caches each
    brand's topics and labelled past comments, and asks a chat LLM when one is given."""

    def __init__(self, store: Any, llm: Any | None = None, prompts: Any | None = None) -> None:
        self.store = store
        self.llm = llm
        self.prompts = prompts
        self._brands: dict[str, tuple[tuple[int, ...], BrandSignals]] = {}
        self._lock = threading.Lock()

    def signals(self, brand: str) -> BrandSignals | None:
        from cmassist.domain.models import Kind

        if not self.store.has_brand(brand):
            return None
        counts = self.store.counts(brand)
        key = tuple(counts.get(k.value, 0) for k in Kind)
        cached = self._brands.get(brand)
        if cached is not None and cached[0] == key:
            return cached[1]
        with self._lock:
            rules = self.store.rules(brand)
            col = self.store.collection(brand, Kind.REPLY)
            got = col.get(include=["documents", "metadatas"], limit=5000)
            past, topics = [], []
            for doc, meta in zip(got["documents"] or [], got["metadatas"] or [], strict=False):
                if isinstance((meta or {}).get("complaint"), bool):
                    past.append((doc, bool(meta["complaint"])))
                    topics.append((meta or {}).get("topic") or None)
            sig = brand_signals(rules, self.store.embedder.embed, past, topics)
            self._brands[brand] = (key, sig)
            return sig

    def __call__(self, brand: str, texts: Sequence[str]) -> list[dict[str, Any]]:
        return [t.public() for t in self.triage(brand, texts)]

    def triage(self, brand: str, texts: Sequence[str]) -> list[Triage]:
        if not texts:
            return []
        sig = self.signals(brand)
        vectors = np.asarray(self.store.embedder.embed(list(texts)), dtype=np.float32)
        try:
            heads: Heads | None = load_heads()
        except (OSError, KeyError, ValueError):  # pragma: no cover - a broken install
            heads = None
        results = triage_batch(texts, sig, vectors, heads)
        if self.llm is not None and self.prompts is not None:
            for text, result in zip(texts, results, strict=True):
                self._second_opinion(text, result, sig)
        return results

    def _second_opinion(self, text: str, result: Triage, sig: BrandSignals | None) -> None:
        """A chat LLM's reading of the redacted message; it may change sentiment, complaint
        and action, never lower an escalation or un-hide spam found by the rules."""
        from cmassist.adapters.llm.base import GenParams
        from cmassist.domain.redact import redact

        topics = [t.name for t in sig.rules.topics] if sig is not None else []
        prompt = self.prompts.render("triage.j2", "chat", message=redact(text).text, topics=topics)
        try:
            raw = self.llm.complete(prompt, GenParams(max_tokens=200, temperature=0.0))
            data = json.loads(raw[raw.index("{") : raw.rindex("}") + 1])
        except Exception:
            result.reasons["llm"] = "the LLM's reading was unavailable; embedded triage only"
            return
        if data.get("sentiment") in SENTIMENTS:
            result.sentiment = data["sentiment"]
        if isinstance(data.get("complaint"), bool):
            result.complaint = data["complaint"]
        if data.get("topic") in topics:
            result.topic = data["topic"]
        action = data.get("action")
        if action in ACTIONS and result.action not in ("escalate",) and not result.spam:
            result.action = action
        why = str(data.get("reason", ""))[:300]
        result.reasons["llm"] = f"LLM: {why}" if why else "LLM agreed"
        result.method = "embedded+llm"
