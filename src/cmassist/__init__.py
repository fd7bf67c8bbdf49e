"""cmassist: a community manager's assistant that drafts posts and replies in a brand's voice."""

__version__ = "0.1.0"
