"""The audit trail: an append-only, hash-chained record of every state change.

``record(...)`` is called by the operations in the same transaction as the
change it describes; ``voting audit verify`` recomputes the chain and every
locked result. Individual ballot casts are never recorded: a time-stamped cast
would be a step towards linking a ballot to a voter.
"""

from voting.audit.operations import record

__all__ = ["record"]
