"""The column names exports give past posts and replies (English and French, as platforms
and tools write them), and how a file's columns tell posts from replies."""

from __future__ import annotations

from collections.abc import Iterable

from cmassist.domain.readers import column_key

# Column names as found in exports, in `readers.column_key` form (lowercase, no accents,
# "_" for separators).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "post_id", "external_id", "tweet_id", "status_id", "message_id", "comment_id"),
    "text": (
        "text",
        "content",
        "message",
        "post",
        "body",
        "caption",
        "tweet",
        "full_text",
        "post_text",
        "texte",
        "contenu",
        "publication",
        "status",
    ),
    "platform": (
        "platform",
        "network",
        "social_network",
        "channel",
        "service",
        "plateforme",
        "reseau",
        "reseau_social",
        "source",
    ),
    "date": (
        "date",
        "published_at",
        "publish_date",
        "publication_date",
        "created_at",
        "timestamp",
        "time",
        "posted_at",
        "datetime",
        "date_published",
        "sent_at",
        "date_de_publication",
    ),
    "language": ("language", "lang", "locale", "langue"),
    "topic": ("topic", "brief", "subject", "theme", "sujet", "campaign", "campagne", "category"),
    "likes": (
        "likes",
        "like_count",
        "favorites",
        "favorite_count",
        "favourites_count",
        "reactions",
        "jaime",
        "j_aime",
        "mentions_j_aime",
    ),
    "comments": (
        "comments",
        "comment_count",
        "replies",
        "reply_count",
        "replies_count",
        "commentaires",
    ),
    "shares": (
        "shares",
        "share_count",
        "retweets",
        "retweet_count",
        "reposts",
        "repost_count",
        "reblogs",
        "reblogs_count",
        "boosts",
        "partages",
    ),
    "impressions": (
        "impressions",
        "impression_count",
        "views",
        "view_count",
        "reach",
        "vues",
        "portee",
    ),
    "link": ("link", "url", "permalink", "post_url", "lien"),
    "comment": (
        "comment",
        "comment_text",
        "customer_comment",
        "customer_message",
        "question",
        "incoming",
        "incoming_message",
        "commentaire",
        "message_client",
    ),
    "reply": (
        "reply",
        "response",
        "answer",
        "brand_reply",
        "our_reply",
        "reponse",
        "reponse_marque",
    ),
    "complaint": ("complaint", "is_complaint", "plainte", "reclamation"),
    "brand": ("brand", "marque"),
}
POST_FIELDS = (
    "id",
    "text",
    "platform",
    "date",
    "language",
    "topic",
    "likes",
    "comments",
    "shares",
    "impressions",
    "link",
    "brand",
)
REPLY_FIELDS = (
    "id",
    "comment",
    "reply",
    "platform",
    "date",
    "language",
    "topic",
    "complaint",
    "link",
    "brand",
)
REQUIRED = {"posts": ("text", "platform"), "replies": ("comment", "reply")}


def detect_kind(columns: Iterable[str]) -> str | None:
    """posts (a text column), replies (comment and reply columns), or None."""
    keys = {column_key(k) for k in columns}
    has = {t: any(a in keys for a in ALIASES[t]) for t in ("comment", "reply", "text")}
    if has["comment"] and has["reply"]:
        return "replies"
    if has["text"]:
        return "posts"
    return None
