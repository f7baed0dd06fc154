"""The rule a conference votes under, as frozen when it was set up."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _

from voting.conferences.models import Conference
from voting.procedure.ruleset import Rule, Ruleset, Step


@lru_cache(maxsize=256)
def _rule_from(rule_json: str) -> Rule:
    return Rule.from_json(json.loads(rule_json))


def conference_rule(conference: Conference) -> Rule:
    return _rule_from(conference.rule_json)


def current_ruleset() -> Ruleset:
    """The ruleset the app was started with (validated in the app factory)."""
    return current_app.extensions["voting.ruleset"]


def rule_citation(rule: Rule, step: Step | None, ruleset: Ruleset, locale: str) -> str:
    """Where the rule comes from, in the reader's language.

    The ruleset writes its citation in Vietnamese only ("QT.NB.03, bước B3 (quy hoạch
    nhiệm kỳ) / …"), and a frozen rule keeps that text. Vietnamese readers get it as
    frozen; an English reader gets the same reference built from the fields the
    ruleset does translate: the procedure's code, the step and its flow.
    """
    if locale != "en":
        return rule.citation
    # The procedure's code ("QT.NB.03") is the citation's first part, in no language.
    code = rule.citation.split(",", 1)[0].strip()
    if not code or not code.isascii():
        code = ruleset.id.upper()
    steps = [step] if step is not None else [s for s in ruleset.vote_steps() if s.rule == rule.id]
    where = " / ".join(dict.fromkeys(f"{s.step} ({ruleset.flows[s.flow]['en']})" for s in steps))
    if not where:
        return code
    return _("%(code)s, step %(where)s", code=code, where=where)


def step_label(ruleset: Ruleset, step: Step, locale: str) -> str:
    """The step in full: level · flow · step: title (the description under the list)."""
    return (
        f"{ruleset.levels[step.level]['label'][locale]} · "
        f"{ruleset.flows[step.flow][locale]} · {step.step}: {step.title[locale]}"
    )


@dataclass(frozen=True)
class StepRule:
    """What the set-up form shows for one vote step: its name in full and its rule."""

    key: str
    label: str
    rule_label: str
    sentence: str
    citation: str


def step_rules(ruleset: Ruleset, locale: str) -> list[StepRule]:
    """Every vote step's full label and rule lines, rendered up front by the server, so
    the form shows the rule of the step chosen before anything is saved."""
    rows = []
    for step in ruleset.vote_steps():
        assert step.rule is not None  # vote_steps() only lists steps with a rule
        rule = ruleset.rule(step.rule)
        rows.append(
            StepRule(
                key=step.key,
                label=step_label(ruleset, step, locale),
                rule_label=rule.label[locale],
                sentence=rule.sentence[locale],
                citation=rule_citation(rule, step, ruleset, locale),
            )
        )
    return rows
