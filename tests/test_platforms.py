import pytest

from cmassist.domain.errors import UnknownPlatformError
from cmassist.domain.platforms import PLATFORMS, count_chars, get_platform, hashtags


def test_aliases_resolve_to_platforms() -> None:
    assert get_platform("Twitter").key == "x"
    assert get_platform(" IG ").key == "instagram"
    assert get_platform("fb").key == "facebook"


def test_unknown_platform_names_the_known_ones() -> None:
    with pytest.raises(UnknownPlatformError) as err:
        get_platform("tiktok")
    message = str(err.value)
    assert "tiktok" in message and "mastodon" in message and "\n" not in message


def test_the_table_has_the_issue_limits() -> None:
    assert {k: p.max_chars for k, p in PLATFORMS.items()} == {
        "x": 280,
        "instagram": 2200,
        "linkedin": 3000,
        "facebook": 63206,
        "threads": 500,
        "mastodon": 500,
    }
    assert PLATFORMS["instagram"].max_hashtags == 30


def test_x_counts_links_as_23_and_emoji_as_2() -> None:
    x = get_platform("x")
    assert count_chars("café", x) == 4  # accents are Latin: one each
    assert count_chars("a https://example.com/a/very/long/path/indeed b", x) == len("a  b") + 23
    assert count_chars("☕", x) == 2
    assert count_chars("👍🏽", x) == 2  # the skin tone rides on the emoji
    assert count_chars("https://example.com/very/long", get_platform("instagram")) == 29


def test_hashtags_are_found_with_accents() -> None:
    assert hashtags("Nouveau #CaféBoréal et #Montréal. Pas#ceci") == ["#CaféBoréal", "#Montréal"]
