"""What a streaming draft request yields: tokens as they come, word that the service is
choosing among candidates, then each finished draft."""

from __future__ import annotations

from dataclasses import dataclass

from cmassist.domain.models import Draft


@dataclass
class DraftEvent:
    """One step of a streamed draft request.

    - "token": a piece of the candidate being written into the card of `variant`;
    - "choosing": candidate `candidates` of at most `total` for `platform` is being written
      to choose among (its tokens are not streamed: the cards keep what they show);
    - "draft": the finished draft of `variant`, chosen among the candidates (its text may
      differ from the tokens streamed into that card), or one with `no_good_draft` set.
    """

    type: str  # "token" | "choosing" | "draft"
    variant: int
    platform: str | None = None
    text: str = ""
    draft: Draft | None = None
    candidates: int = 0
    total: int = 0
