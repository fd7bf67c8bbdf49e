"""What a brand's guidelines state, read into typed records: its fact sheet (hours, prices,
delays, policies, addresses, contacts and names), one reader module per kind of fact."""

from cmassist.services.knowledge.factsheet import build_factsheet

__all__ = ["build_factsheet"]
