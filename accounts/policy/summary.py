"""The IAM console's policy summary: a policy's permissions by service and access level.

AWS's console shows, beside a policy's JSON, a table with one row per service the policy
names — *Service*, *Access level*, *Resource*, *Request condition* — in an *Explicit deny*
section, an *Allow* section and an *Uncategorized services* section for the services IAM does
not recognise (IAM User Guide, "Policy summary (list of services)"). The access level says,
for each of AWS's five access levels (List, Read, Write, Permissions management, Tagging),
whether the policy allows every action of the service in that level (*Full*) or some of them
(*Limited*): ``Full access``, ``Full: List, Read``, ``Limited: List, Read``,
``Full: List, Read Limited: Write`` ("Access levels in policy summaries").

What is AWS's and what is ours
------------------------------
AWS classifies every action by hand in the *Service Authorization Reference*. We do not ship
that reference: the catalogue of actions (``access_levels.json``, built by
:mod:`accounts.policy.build_access_levels` from botocore's service models, which name every API
operation of every service) is classified by :func:`classify`, a **heuristic** on AWS's naming
conventions: ``List*``/``Describe*`` → List; ``Get*``, ``Head*``, ``Search*``, ``Simulate*``…
→ Read; ``Tag*``/``Untag*`` and the tag-writing verbs → Tagging; writes of access policies,
permissions, ACLs, grants and public-access blocks → Permissions management; everything else
→ Write. The catalogue also holds the IAM action names that are not API operations (``iam:PassRole``,
S3's ``s3:ListBucket`` for ListObjectsV2 …) with the levels the reference gives them. Where we
checked the reference (a sample of IAM, S3 and EC2 actions, pinned by
``tests/unit/policy/test_summary.py``) the heuristic agrees; elsewhere expect it to differ
from AWS for some actions (AWS calls ``ec2:DescribeInstances`` List but ``dynamodb:DescribeTable``
Read; we call both List). The counts behind *Full* versus *Limited* therefore follow botocore's
operations, not AWS's hand-kept list.

This module is pure Python (no Django): it loads the catalogue once, lazily, and summarises a
document in linear time in its size (a wildcard is matched against one service's actions, a
``*`` or a ``NotAction`` takes whole services without matching).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent / "access_levels.json"

LIST, READ, WRITE, PERMISSIONS, TAGGING = "List", "Read", "Write", "Permissions management", "Tagging"
# AWS's order in an access level summary ("Full: List, Read Limited: Write, Permissions management")
LEVELS = (LIST, READ, WRITE, PERMISSIONS, TAGGING)

FULL_ACCESS = "Full access"
ALL_RESOURCES = "All resources"
NO_CONDITION = "None"
MULTIPLE = "Multiple"


# --- the heuristic ----------------------------------------------------------------------------

_TAGGING = re.compile(r"^(?:Tag[A-Z]|Untag|(?:Add|Remove|Create|Delete|Put)\w*?Tag(?:s|ging)?(?:To|From|$))")
_LIST = re.compile(r"^(?:List|Describe)")
_READ = re.compile(
    r"^(?:Get|Head|BatchGet|Search|Query|Scan|Lookup|Simulate|View|Select)"
    r"|^Generate\w*(?:Report|Details)$"
)
_WRITE_VERB = re.compile(
    r"^(?:Put|Attach|Detach|Delete|Create|Set|Update|Add|Remove|Replace|Modify|Reset|Upload|Import|Enable|"
    r"Disable|Revoke|Retire|Grant|Share|Unshare)"
)
# "…Policy" names that configure behaviour rather than access (AWS calls their writes Write)
_NOT_ACCESS_POLICY = re.compile(
    r"(?:Lifecycle|Scaling|Retention|Backup|Placement|Password|Routing|Ssl|LoadBalancer|Cache|Origin|"
    r"OriginRequest|ResponseHeaders|Realtime\w*|Patch|Scheduling|Compression|Continuous\w*|Data\w*|"
    r"Snapshot\w*|Recovery|Retry|Storage|Termination|Index|Field\w*|Session|Mailbox|Traffic|"
    r"Distribution|Audit\w*|Configuration|Security)Polic(?:y|ies)"
)
_ACCESS_WRITE = re.compile(
    r"Polic(?:y|ies)|Permission|PublicAccessBlock|^Put\w*Acl$|^(?:Create|Revoke|Retire)Grant$"
)


def classify(action_name: str) -> str:
    """The access level AWS's naming conventions suggest for an action name (``CreateUser`` →
    Write). A heuristic: see the module notes; the catalogue's explicit levels win over it."""
    name = action_name
    if _TAGGING.match(name):
        return TAGGING
    if _LIST.match(name):
        return LIST
    if _READ.match(name):
        return READ
    if _WRITE_VERB.match(name) and _ACCESS_WRITE.search(name) and not _NOT_ACCESS_POLICY.search(name):
        return PERMISSIONS
    return WRITE


# --- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    """One service prefix of the catalogue: its display name and its actions by level."""

    prefix: str
    name: str
    levels: dict[str, str]  # action name (lower case) -> access level
    names: dict[str, str]  # action name (lower case) -> action name as AWS spells it
    counts: dict[str, int]  # access level -> number of actions
    sorted_names: tuple[str, ...] = ()  # the lower-case names, sorted (prefix searches)
    # True when botocore has no model of the service: we know only the actions AWS's managed
    # policies name, so a summary never claims that a pattern covers all of a level
    partial: bool = False

    def level_of(self, action_lower: str) -> str | None:
        return self.levels.get(action_lower)


@dataclass(frozen=True)
class Catalogue:
    services: dict[str, Service]
    source: str

    def service(self, prefix: str) -> Service | None:
        return self.services.get(prefix.lower())


def catalogue_from(data: dict) -> Catalogue:
    services = {}
    for prefix, entry in data["services"].items():
        levels, names, counts = {}, {}, {}
        for level in LEVELS:
            actions = entry.get(level, ())
            counts[level] = len(actions)
            for action in actions:
                levels[action.lower()] = level
                names[action.lower()] = action
        services[prefix] = Service(
            prefix, entry["name"], levels, names, counts, tuple(sorted(levels)), bool(entry.get("partial"))
        )
    return Catalogue(services, data.get("source", ""))


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The shipped catalogue, read once per process."""
    return catalogue_from(json.loads(CATALOGUE.read_text()))


def access_level(action: str) -> str | None:
    """The access level of ``service:Action`` (case-insensitive), or None when the catalogue
    does not know it."""
    prefix, _, name = action.partition(":")
    service = catalogue().service(prefix)
    return service.level_of(name.lower()) if service and name else None


# --- summaries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceRow:
    """One row of the summary table: what one effect (Allow or Deny) gives for one service."""

    service: str  # AWS's short name ("IAM", "S3")
    prefix: str
    access_level: tuple[str, ...]  # ("Full access",) or ("Full: List, Read", "Limited: Write")
    resource: str
    condition: str
    unrecognized_actions: tuple[str, ...] = ()

    @property
    def access_level_text(self) -> str:
        return " ".join(self.access_level) or "None"


@dataclass(frozen=True)
class UnrecognizedService:
    prefix: str
    effect: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class PolicySummary:
    """A policy's summary: the Explicit deny, Allow and Uncategorized services sections;
    ``service_count`` is the number of services the catalogue knows ("1 of 370 services")."""

    deny: tuple[ServiceRow, ...]
    allow: tuple[ServiceRow, ...]
    unrecognized: tuple[UnrecognizedService, ...]
    service_count: int

    def row(self, effect: str, prefix: str) -> ServiceRow | None:
        rows = self.deny if effect == "Deny" else self.allow
        return next((r for r in rows if r.prefix == prefix), None)

    @property
    def sections(self) -> tuple[tuple[str, tuple[ServiceRow, ...]], ...]:
        """The table's sections in AWS's order: Explicit deny, then Allow."""
        return (("Explicit deny", self.deny), ("Allow", self.allow))

    @property
    def has_unrecognized(self) -> bool:
        return bool(self.unrecognized) or any(r.unrecognized_actions for r in self.deny + self.allow)


@dataclass
class _Grant:
    """What the statements of one effect give for one service, while they are read."""

    actions: set[str] | None = field(default_factory=set)  # None: every action of the service
    resources: set[str] = field(default_factory=set)
    conditions: set[str] = field(default_factory=set)
    unrecognized: list[str] = field(default_factory=list)

    def add_all(self) -> None:
        self.actions = None

    def add(self, names) -> None:
        if self.actions is not None:
            self.actions.update(names)


def _as_list(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str | dict) else list(value)


@lru_cache(maxsize=1024)
def _pattern(text: str) -> re.Pattern[str]:
    """An action pattern (``Get*``, ``?et*``) as a case-insensitive regex."""
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text), re.I | re.S
    )


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _services_for(catalogue_: Catalogue, prefix_pattern: str) -> list[Service]:
    if not _has_wildcard(prefix_pattern):
        found = catalogue_.service(prefix_pattern)
        return [found] if found else []
    rx = _pattern(prefix_pattern)
    return [s for p, s in catalogue_.services.items() if rx.fullmatch(p)]


def _matching(service: Service, name_pattern: str) -> list[str] | None:
    """The actions of ``service`` that ``name_pattern`` names (None: all of them)."""
    if name_pattern == "*":
        return None
    lower = name_pattern.lower()
    if not _has_wildcard(lower):
        return [lower] if lower in service.levels else []
    stem = lower[:-1]
    if lower.endswith("*") and not _has_wildcard(stem):  # "Get*": a range of the sorted names
        names = service.sorted_names
        start = bisect.bisect_left(names, stem)
        end = bisect.bisect_left(names, stem + "\U0010ffff", start)
        return list(names[start:end])
    rx = _pattern(name_pattern)
    return [a for a in service.sorted_names if rx.fullmatch(a)]


def _resource_label(statement: dict) -> str:
    if "NotResource" in statement:
        items = _as_list(statement["NotResource"])
        return "All resources except " + (items[0] if len(items) == 1 else f"{len(items)} resources")
    items = [str(r) for r in _as_list(statement.get("Resource"))]
    if not items or "*" in items:
        return ALL_RESOURCES
    return items[0] if len(items) == 1 else MULTIPLE


def _condition_label(statement: dict) -> str:
    condition = statement.get("Condition")
    if not isinstance(condition, dict) or not condition:
        return NO_CONDITION
    pairs = [
        (operator, key, values)
        for operator, block in condition.items()
        if isinstance(block, dict)
        for key, values in block.items()
    ]
    if len(pairs) != 1:
        return MULTIPLE
    operator, key, values = pairs[0]
    return f"{key} | {operator} | {', '.join(str(v) for v in _as_list(values))}"


def _access_level(service: Service, actions: set[str] | None) -> tuple[str, ...]:
    if actions is None or (len(actions) >= len(service.levels) and not service.partial):
        return (FULL_ACCESS,)
    granted: dict[str, int] = dict.fromkeys(LEVELS, 0)
    for action in actions:
        granted[service.levels[action]] += 1
    complete = {lv for lv in LEVELS if granted[lv] == service.counts[lv] and not service.partial}
    full = [lv for lv in LEVELS if granted[lv] and lv in complete]
    limited = [lv for lv in LEVELS if granted[lv] and lv not in complete]
    parts = []
    if full:
        parts.append("Full: " + ", ".join(full))
    if limited:
        parts.append("Limited: " + ", ".join(limited))
    return tuple(parts)


def _one(labels: set[str], default: str) -> str:
    if not labels:
        return default
    return next(iter(labels)) if len(labels) == 1 else MULTIPLE


def summarize(document: dict | str, catalogue_: Catalogue | None = None) -> PolicySummary:
    """The policy summary of a (valid) identity policy document, as AWS's console shows it.

    ``Action`` patterns are matched against each service's actions (``*`` and ``iam:*`` take
    whole services); ``NotAction`` gives every action of every service it does not name; an
    action of a known service that the catalogue does not know, and a service it does not
    know, are listed as unrecognised (AWS's *Uncategorized* actions and services).
    """
    cat = catalogue_ or catalogue()
    if isinstance(document, str):
        document = json.loads(document)
    grants: dict[tuple[str, str], _Grant] = {}
    unknown: dict[tuple[str, str], list[str]] = {}

    def grant(effect: str, prefix: str) -> _Grant:
        return grants.setdefault((effect, prefix), _Grant())

    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict):
            continue
        effect = "Deny" if statement.get("Effect") == "Deny" else "Allow"
        touched: list[_Grant] = []
        if "NotAction" in statement:
            excluded: dict[str, list[str]] = {}
            everything_excluded = False
            for pattern in (str(p) for p in _as_list(statement["NotAction"])):
                if pattern == "*":
                    everything_excluded = True
                    continue
                prefix, _, name = pattern.partition(":")
                for service in _services_for(cat, prefix):
                    excluded.setdefault(service.prefix, []).append(name)
            if not everything_excluded:
                for prefix, service in cat.services.items():
                    names = excluded.get(prefix)
                    target = grant(effect, prefix)
                    if not names:
                        target.add_all()
                    else:
                        gone: set[str] = set()
                        for name in names:
                            matched = _matching(service, name)
                            if matched is None:
                                gone = set(service.levels)
                                break
                            gone.update(matched)
                        left = set(service.levels) - gone
                        if not left:
                            continue
                        target.add(left)
                    touched.append(target)
        else:
            for pattern in (str(p) for p in _as_list(statement.get("Action"))):
                if pattern == "*":
                    for prefix in cat.services:
                        target = grant(effect, prefix)
                        target.add_all()
                        touched.append(target)
                    continue
                prefix, _, name = pattern.partition(":")
                services = _services_for(cat, prefix)
                if not services:
                    unknown.setdefault((effect, prefix.lower()), []).append(pattern)
                    continue
                for service in services:
                    target = grant(effect, service.prefix)
                    matched = _matching(service, name)
                    if matched is None:
                        target.add_all()
                    elif matched:
                        target.add(matched)
                    elif not _has_wildcard(pattern):
                        target.unrecognized.append(pattern)
                    touched.append(target)
        resource, condition = _resource_label(statement), _condition_label(statement)
        for target in {id(t): t for t in touched}.values():
            target.resources.add(resource)
            target.conditions.add(condition)

    sections: dict[str, list[ServiceRow]] = {"Allow": [], "Deny": []}
    for (effect, prefix), g in grants.items():
        service = cat.services[prefix]
        if g.actions is not None and not g.actions and not g.unrecognized:
            continue
        level = _access_level(service, g.actions) if g.actions is None or g.actions else ()
        sections[effect].append(
            ServiceRow(
                service=service.name,
                prefix=prefix,
                access_level=level,
                resource=_one(g.resources, ALL_RESOURCES),
                condition=_one(g.conditions, NO_CONDITION),
                unrecognized_actions=tuple(dict.fromkeys(g.unrecognized)),
            )
        )
    for rows in sections.values():
        rows.sort(key=lambda r: (r.service.lower(), r.prefix))
    unrecognized = tuple(
        UnrecognizedService(prefix, effect, tuple(dict.fromkeys(actions)))
        for (effect, prefix), actions in sorted(
            unknown.items(), key=lambda kv: (kv[0][0] != "Deny", kv[0][1])
        )
    )
    return PolicySummary(tuple(sections["Deny"]), tuple(sections["Allow"]), unrecognized, len(cat.services))
