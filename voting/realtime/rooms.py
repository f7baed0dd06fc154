"""Socket.IO room names, one place for all of them."""


def chair_room(public_id: str) -> str:
    return f"conference:{public_id}:chair"


def public_room(public_id: str) -> str:
    """Turnout on every tick: the projector, the kiosk and the chair."""
    return f"conference:{public_id}:public"


def phone_room(public_id: str) -> str:
    """Phones only need to learn that the ballot closed, not every tick's turnout."""
    return f"conference:{public_id}:phones"
