"""Posts built from their brief (issue 13): the brief's words without its request
("Présenter", "Remind people that", "Inviter la communauté à") and without its instructions
on how to write, with the brand's hashtags; offered first and checked like any candidate."""

from __future__ import annotations

from cmassist.bootstrap import Services
from cmassist.domain.guidelines import BrandRules, HashtagRule, PlatformRule
from cmassist.domain.models import Kind
from cmassist.domain.platforms import get_platform
from cmassist.services.drafting.from_brief import hashtags, post_from_brief
from cmassist.services.ports.store import Hit

IG, X = get_platform("instagram"), get_platform("x")
NONE = BrandRules()


def _post(n: int, text: str, platform: str = "instagram") -> Hit:
    return Hit(f"post-{n}", Kind.POST, text, {"platform": platform}, 0.5)


def _built(brief: str, lang: str = "fr", examples: tuple[Hit, ...] = ()) -> str | None:
    got = post_from_brief(brief, lang, X, NONE, examples)
    return got.text if got is not None else None


def test_the_request_goes_and_what_the_brief_says_stays() -> None:
    assert _built(
        "Présenter le Nuit Polaire, notre déca procédé Swiss Water : cacao, datte et biscuit, "
        "23 $ le sac de 340 g."
    ) == (
        "Le Nuit Polaire, notre déca procédé Swiss Water : cacao, datte et biscuit, 23 $ le sac "
        "de 340 g."
    )
    assert _built("Expliquer comment mettre l'abonnement en pause dans le compte client.") == (
        "Comment mettre l'abonnement en pause dans le compte client."
    )
    assert _built(
        "Remind Québec City customers that outside the summer, the café is open 7:30 a.m. to "
        "6 p.m.",
        "en",
    ) == ("Outside the summer, the café is open 7:30 a.m. to 6 p.m.")
    assert _built("Introduce the shop to new followers: a bike shop since 2016.", "en") == (
        "The shop: a bike shop since 2016."
    )
    assert _built("Holding statement: the shop is closed today, everyone is safe.", "en") == (
        "The shop is closed today, everyone is safe."
    )


def test_an_invitation_speaks_as_the_brand_does() -> None:
    brief = "Inviter la communauté à la visite de la torréfaction, chaque samedi à 10 h."
    vous = (_post(1, "Venez nous voir, vous serez bien reçus"), _post(2, "Votre café"))
    tu = (_post(1, "Passe nous voir, ton vélo te remerciera"), _post(2, "Ta chaîne"))
    assert _built(brief, examples=vous) == (
        "On vous invite à la visite de la torréfaction, chaque samedi à 10 h."
    )
    assert _built(brief, examples=tu) == (
        "On t'invite à la visite de la torréfaction, chaque samedi à 10 h."
    )


def test_instructions_on_how_to_write_never_reach_the_post() -> None:
    text = _built(
        "Annoncer la dégustation du premier dimanche à 11 h, gratuite. Ton chaleureux, un seul "
        "point d'exclamation."
    )
    assert text == "La dégustation du premier dimanche à 11 h, gratuite."
    assert _built("Horaire d'hiver en une phrase : ouvert du mardi au samedi, 10 h à 18 h.") == (
        "Horaire d'hiver : ouvert du mardi au samedi, 10 h à 18 h."
    )
    # a request the text cannot lose without changing its sense stays, and the checker says so
    assert _built("Remind riders to check their brakes after the first freeze.", "en") == (
        "Remind riders to check their brakes after the first freeze."
    )
    assert _built("Présenter.") is None  # nothing left to post


def test_hashtags_are_the_required_ones_then_the_brand_s_usual_one_within_the_limit() -> None:
    rules = BrandRules(
        hashtags=HashtagRule(required=["#BrulerieBoreale"]),
        platforms={"x": PlatformRule(max_hashtags=1)},
    )
    usual = tuple(_post(n, f"Post {n} #CafeDeSpecialite") for n in range(3))
    assert hashtags("Le Nuit Polaire", IG, rules, usual) == [
        "#BrulerieBoreale",
        "#CafeDeSpecialite",
    ]
    assert hashtags("Le Nuit Polaire", X, rules, usual) == ["#BrulerieBoreale"]  # X: one
    assert hashtags("Le Nuit Polaire #BrulerieBoreale", IG, rules, ()) == []  # already there
    # a tag of a minority of similar posts is added only when it is about the text
    rare = (_post(1, "a #MileEnd"), _post(2, "b #MileEnd"), *(_post(n, "c") for n in range(3, 8)))
    assert hashtags("Le café Saint-Henri", IG, NONE, rare) == []
    assert hashtags("Au Mile End samedi", IG, NONE, rare) == ["#MileEnd"]


def test_the_built_post_streams_first_and_is_chosen_with_why(services: Services) -> None:
    brief = (
        "Présenter la dégustation publique du premier dimanche du mois à 11 h à Saint-Henri, "
        "gratuite, 10 places sur réservation. Ton chaleureux."
    )
    events = list(services.drafting.stream_posts(brief, brand="boreale", platforms=["threads"]))
    assert events[0].type == "token"
    assert events[0].text.startswith("La dégustation publique du premier dimanche du mois")
    draft = next(e.draft for e in events if e.draft is not None)
    assert not draft.no_good_draft, draft.why
    assert "Ton chaleureux" not in draft.text and "Présenter" not in draft.text
    if draft.text.startswith("La dégustation publique"):
        assert any(w.startswith("built from the brief") for w in draft.why), draft.why


def test_what_the_writer_must_not_do_goes_and_a_later_verb_stays() -> None:
    assert _built(
        "Holding statement: we are aware of the outage and are working on it. Do not "
        "speculate on the cause.",
        "en",
    ) == ("We are aware of the outage and are working on it.")
    assert _built("Annoncer que le café n'est pas encore ouvert, ne pas mentionner de date.") == (
        "Le café n'est pas encore ouvert."
    )
    assert _built("Our loyalty card is here. Present it at the counter for a coffee.", "en") == (
        "Our loyalty card is here. Present it at the counter for a coffee."
    )
