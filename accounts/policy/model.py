"""The compiled policy: immutable objects that :func:`accounts.policy.evaluate` decides with.

:func:`accounts.policy.validate.parse_policy` builds them from a document it has checked;
nothing here validates. A :class:`Policy` holds its :class:`Statement` objects; each
statement holds its compiled Action patterns (:class:`~accounts.policy.patterns.ActionPattern`),
its Resource/NotResource list (:class:`ResourceMatcher`, with :class:`ArnTemplate` for
patterns holding policy variables, resolved per request), its Principal/NotPrincipal
(:class:`PrincipalSpec`), its conditions (:class:`~accounts.policy.conditions.Condition`) and
the :class:`MatchedStatement` that reports it (with its :class:`Position` in the text).
"""

from __future__ import annotations

import copy
import re
from typing import NamedTuple

from .patterns import ArnSet, arn_regex_parts, cached_regex
from .variables import GLOB, VAR, Lookup, parse_template, resolve_values, substitute, variable_value

KINDS = ("identity", "trust", "resource", "scp")
ACCOUNT_ID = re.compile(r"\d{12}")

_ACTION_MEMO_MAX = 4096


class Position(NamedTuple):
    line: int
    column: int


class MatchedStatement:
    """A statement that decided a request (what the simulator calls ``MatchedStatements``)."""

    __slots__ = ("policy_id", "sid", "index", "effect", "policy_kind", "start", "end")

    def __init__(
        self,
        policy_id: str,
        sid: str | None,
        index: int,
        effect: str,
        policy_kind: str,
        start: Position | None,
        end: Position | None,
    ):
        self.policy_id = policy_id
        self.sid = sid
        self.index = index
        self.effect = effect
        self.policy_kind = policy_kind
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return (
            f"MatchedStatement(policy_id={self.policy_id!r}, sid={self.sid!r}, "
            f"index={self.index}, effect={self.effect!r}, policy_kind={self.policy_kind!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MatchedStatement):
            return NotImplemented
        return (self.policy_id, self.index, self.policy_kind) == (
            other.policy_id,
            other.index,
            other.policy_kind,
        )

    def __hash__(self) -> int:
        return hash((self.policy_id, self.index, self.policy_kind))


# ------------------------------------------------------------------------ principals

STRENGTH_NONE = 0
STRENGTH_ACCOUNT = 1  # an account principal: delegates to the account's identity policies
STRENGTH_ROLE = 2  # the role of the calling role session
STRENGTH_DIRECT = 3  # the caller itself (user ARN, session ARN, service...) or "*"


class PrincipalSpec:
    """A compiled ``Principal`` (or ``NotPrincipal``) element.

    Matching (UG reference_policies_elements_principal): ``"*"`` (or ``{"AWS": "*"}``) is
    everyone; an ARN must match exactly (no partial wildcards); an account ID or
    ``arn:aws:iam::ACCOUNT:root`` stands for the whole account (it delegates to the
    account, it does not name the caller).
    """

    __slots__ = ("everyone", "arns", "accounts", "others", "negated")

    def __init__(self, value: object, negated: bool):
        self.negated = negated
        self.everyone = value == "*"
        self.arns: frozenset[str] = frozenset()
        self.accounts: frozenset[str] = frozenset()
        self.others: dict[str, frozenset[str]] = {}
        if isinstance(value, dict):
            arns, accounts = set(), set()
            for ptype, entries in value.items():
                items = [entries] if isinstance(entries, str) else list(entries)
                if ptype == "AWS":
                    for item in items:
                        if item == "*":
                            self.everyone = True
                        elif ACCOUNT_ID.fullmatch(item):
                            accounts.add(item)
                        elif item.startswith("arn:") and item.endswith(":root"):
                            parts = item.split(":")
                            if len(parts) == 6 and parts[5] == "root":
                                accounts.add(parts[4])
                            else:
                                arns.add(item)
                        else:
                            arns.add(item)
                else:
                    self.others[ptype] = frozenset(items)
            self.arns = frozenset(arns)
            self.accounts = frozenset(accounts)

    def strength(self, request) -> int:
        s = self._raw_strength(request)
        if self.negated:
            return STRENGTH_NONE if s else STRENGTH_DIRECT
        return s

    def _raw_strength(self, request) -> int:
        if self.everyone:
            return STRENGTH_DIRECT
        ptype = request.principal_type
        if ptype != "AWS":
            return STRENGTH_DIRECT if request.principal_arn in self.others.get(ptype, ()) else 0
        if request.principal_arn in self.arns:
            return STRENGTH_DIRECT
        role = request.role_arn
        if role and role in self.arns:
            return STRENGTH_ROLE
        if self.accounts and request.principal_account in self.accounts:
            return STRENGTH_ACCOUNT
        return STRENGTH_NONE


# ------------------------------------------------------------------------- resources


class ArnTemplate:
    """An ARN pattern with policy variables; compiled once per distinct set of values."""

    __slots__ = ("tokens", "variables", "_compiled")

    def __init__(self, tokens: list[tuple[str, object]]):
        self.tokens = tokens
        self.variables = tuple(payload for kind, payload in tokens if kind == VAR)
        self._compiled: dict[tuple[str, ...], object] = {}

    def matches(self, resource: str | None, lookup: Lookup, missing: list[str] | None) -> bool | None:
        """True/False, or ``None`` when a variable cannot be resolved."""
        if len(self.variables) == 1:
            var = self.variables[0]
            raw = lookup(var.key, var.key_lower)
            if type(raw) is str:
                values: tuple[str, ...] | None = (raw,)
            else:
                text = variable_value(var, lookup, missing)
                values = None if text is None else (text,)
        else:
            values = resolve_values(self.tokens, lookup, missing)
        if values is None:
            return None
        if resource is None:
            return False
        compiled = self._compiled.get(values)
        if compiled is None:
            parts = substitute(self.tokens, values)
            if all(kind != GLOB or ("*" not in text and "?" not in text) for kind, text in parts):
                compiled = "".join(text for _k, text in parts)
            else:
                compiled = cached_regex(arn_regex_parts(parts))
            if len(self._compiled) >= 512:
                self._compiled.clear()
            self._compiled[values] = compiled
        if type(compiled) is str:
            return compiled == resource
        return compiled.fullmatch(resource) is not None  # type: ignore[union-attr]


class ResourceMatcher:
    """A compiled ``Resource``/``NotResource`` list, policy variables resolved lazily."""

    __slots__ = ("static", "templates", "negated", "any", "_static_match", "_has_static")

    def __init__(self, patterns: list[str], negated: bool, allow_variables: bool):
        self.negated = negated
        static: list[str] = []
        templates: list[ArnTemplate] = []
        for p in patterns:
            tokens = parse_template(p) if allow_variables else None
            if tokens is not None and _variables_after_fifth_colon(tokens):
                templates.append(ArnTemplate(tokens))
            else:
                static.append(p)
        self.static = ArnSet(static)
        self.templates = tuple(templates)
        self.any = self.static.any and not negated
        self._static_match = self.static.matcher()
        self._has_static = bool(static)

    def matches(self, resource: str | None, lookup: Lookup, missing: list[str] | None) -> bool:
        hit = self._has_static and self._static_match(resource)
        unresolved = False
        if not hit and self.templates:
            for template in self.templates:
                found = template.matches(resource, lookup, missing)
                if found:
                    hit = True
                    break
                if found is None:
                    unresolved = True
        if self.negated:
            if resource is None:
                hit = self.static.any
            return not hit and not unresolved
        return hit


def _variables_after_fifth_colon(tokens: list[tuple[str, object]]) -> bool:
    colons = 0
    for kind, payload in tokens:
        if kind == VAR:
            return colons >= 5
        if kind == GLOB:
            colons += payload.count(":")  # type: ignore[union-attr]
    return True  # only escapes such as ${*}: harmless anywhere


# ------------------------------------------------------------------------- statements


class Statement:
    """A compiled statement. Treat as immutable."""

    __slots__ = (
        "index",
        "sid",
        "effect",
        "allow",
        "action_patterns",
        "not_action",
        "resources",
        "resource_any",
        "principal",
        "conditions",
        "ref",
        "always",
        "applies",
    )

    def action_matches(self, action_lower: str) -> bool:
        hit = False
        for p in self.action_patterns:
            if p.matches(action_lower):
                hit = True
                break
        return not hit if self.not_action else hit

    def finish(self) -> None:
        """Build ``applies(request, lookup, missing)``, specialised for this statement.

        ``applies`` tests the resource and the conditions (the action was matched when the
        statement was picked); ``always`` is true when there is nothing to test.
        """
        self.always = self.resource_any and self.conditions is None
        self.applies = _make_applies(self)


def _make_applies(st: Statement):
    holds = tuple(c.holds for c in st.conditions) if st.conditions is not None else ()
    if st.resource_any or st.resources is None:
        if not holds:

            def applies(request, lookup, missing) -> bool:
                return True

            return applies
        if len(holds) == 1:
            (only,) = holds

            def applies(request, lookup, missing) -> bool:
                return only(request.context, lookup, missing)

            return applies

        def applies(request, lookup, missing) -> bool:
            ctx = request.context
            for h in holds:  # noqa: SIM110 - a plain loop is faster than all()
                if not h(ctx, lookup, missing):
                    return False
            return True

        return applies

    resources = st.resources
    if not resources.templates and not resources.negated:
        static = resources.static.matcher()
        if not holds:

            def applies(request, lookup, missing) -> bool:
                return static(request.resource)

            return applies

        def applies(request, lookup, missing) -> bool:
            if not static(request.resource):
                return False
            ctx = request.context
            for h in holds:  # noqa: SIM110 - a plain loop is faster than all()
                if not h(ctx, lookup, missing):
                    return False
            return True

        return applies

    matches = resources.matches

    def applies(request, lookup, missing) -> bool:
        if not matches(request.resource, lookup, missing):
            return False
        ctx = request.context
        for h in holds:  # noqa: SIM110 - a plain loop is faster than all()
            if not h(ctx, lookup, missing):
                return False
        return True

    return applies


class Policy:
    """A parsed, validated and compiled policy document (immutable, hashed by identity).

    ``policy_id``: the caller's name for it (reported in matched statements);
    ``version_id``: e.g. ``"v3"`` for a managed policy version; ``kind``: ``identity``,
    ``trust``, ``resource`` or ``scp``; ``version``: the document's ``Version`` (``None`` when
    absent); ``statements``: the compiled statements; ``document``: a copy of the decoded
    JSON; ``text``: the source text when one was given.
    """

    __slots__ = (
        "policy_id",
        "version_id",
        "kind",
        "version",
        "statements",
        "_document",
        "text",
        "_memo",
        "_frozen",
    )

    def __init__(self, **fields):
        for k, v in fields.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_memo", {})
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, name, value):
        raise AttributeError("Policy is immutable")

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    def __repr__(self) -> str:
        return f"Policy(policy_id={self.policy_id!r}, kind={self.kind!r}, statements={len(self.statements)})"

    @property
    def document(self) -> dict:
        return copy.deepcopy(self._document)

    def candidates(self, action_lower: str) -> tuple[tuple[Statement, ...], tuple[Statement, ...]]:
        """``(allow statements, deny statements)`` whose Action/NotAction covers the action."""
        memo = self._memo
        found = memo.get(action_lower)
        if found is None:
            allows = []
            denies = []
            for st in self.statements:
                if st.action_matches(action_lower):
                    (allows if st.allow else denies).append(st)
            found = (tuple(allows), tuple(denies))
            if len(memo) >= _ACTION_MEMO_MAX:
                memo.clear()
            memo[action_lower] = found
        return found
