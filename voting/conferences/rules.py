"""The rule a conference votes under, as frozen when it was set up."""

from __future__ import annotations

import json
from functools import lru_cache

from flask import current_app

from voting.conferences.models import Conference
from voting.procedure.ruleset import Rule, Ruleset


@lru_cache(maxsize=256)
def _rule_from(rule_json: str) -> Rule:
    return Rule.from_json(json.loads(rule_json))


def conference_rule(conference: Conference) -> Rule:
    return _rule_from(conference.rule_json)


def current_ruleset() -> Ruleset:
    """The ruleset the app was started with (validated in the app factory)."""
    return current_app.extensions["voting.ruleset"]
