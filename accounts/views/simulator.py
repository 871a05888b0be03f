"""The IAM policy simulator: decide actions on resources with the policy engine, without
changing anything.

Simulate the policies of a user of the account (the gate's own set: its policies, its
groups' and its permissions boundary; iam:SimulatePrincipalPolicy on the user), of a user
group or of a role (its policies and its permissions boundary, as a session of the role would
be decided; iam:SimulatePrincipalPolicy on it), or pasted policy documents
(iam:SimulateCustomPolicy on ``*``). The engine is a pure function, so no service writes
anything; the gate still decides who may simulate.
"""

from dataclasses import dataclass, field

from django.shortcuts import render

from .. import authz
from .. import policy as engine
from ..models import InlinePolicy, PolicyVersion
from ..policy_forms import POLICY_SKELETON, SimulatorForm
from ..services import groups as group_services
from ..services import roles as role_services
from ..services import users as user_services
from ..services.lookups import find_group, find_role, find_user, group_arn, role_arn, user_arn

DECISION_STATUS = {
    "allowed": "success",
    "explicitDeny": "error",
    "implicitDeny": "warning",
}


@dataclass(frozen=True)
class SimulationResult:
    action: str
    resource: str
    decision: engine.Decision
    # policy id -> editor lines before that policy (pasted policies share one editor)
    line_offsets: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        return DECISION_STATUS.get(self.decision.decision, "stopped")

    @property
    def matched(self) -> list[dict]:
        """The statements that decided, as the page shows them."""
        out = []
        for st in self.decision.matched_statements:
            lines = ""
            if st.start is not None and st.end is not None:
                offset = self.line_offsets.get(st.policy_id, 0)
                first, last = st.start.line + offset, st.end.line + offset
                lines = f"lines {first}–{last}" if last != first else f"line {first}"
            out.append(
                {
                    "policy": st.policy_id,
                    "statement": f"Sid {st.sid}" if st.sid else f"Statement {st.index + 1}",
                    "effect": st.effect,
                    "lines": lines,
                }
            )
        return out


def _entity_policies(kind: str, entity) -> tuple[engine.PolicySet, tuple[str, ...]]:
    """A group's or role's attached (default versions) and inline policies, and a role's
    permissions boundary, labelled as the gate labels a user's."""
    policies, labels = [], []
    attached = PolicyVersion.objects.filter(**{f"policy__attached_{kind}s": entity, "is_default": True})
    for name, document in attached.order_by("policy__name").values_list("policy__name", "document"):
        labels.append(name)
        policies.append(engine.parse_policy(document, policy_id=name))
    inline = InlinePolicy.objects.filter(**{kind: entity}).order_by("name").values_list("name", "document")
    for name, document in inline:
        label = f"{name} (inline)"
        labels.append(label)
        policies.append(engine.parse_policy(document, policy_id=label))
    boundary = None
    if kind == "role" and entity.permissions_boundary_id:
        version = PolicyVersion.objects.select_related("policy").get(
            policy_id=entity.permissions_boundary_id, is_default=True
        )
        label = f"{version.policy.name} (permissions boundary)"
        labels.append(label)
        boundary = [engine.parse_policy(version.document, policy_id=label)]
    return engine.PolicySet(identity=policies, boundary=boundary), tuple(labels)


def _simulate(actor, form: SimulatorForm):
    """Run the engine for every action × resource; returns (results, policy labels, subject)."""
    data = form.cleaned_data
    account_id = actor.account.account_id
    offsets: dict = {}
    if data["mode"] == SimulatorForm.PRINCIPAL:
        kind, name = form.principal_choice()
        if kind == "user":
            principal = find_user(actor, name)
            authz.authorize(actor, "iam:SimulatePrincipalPolicy", principal.arn)
            loaded = authz.policies_for(principal)
            policy_set, labels = loaded.policy_set, loaded.considered
            subject = f"User {principal.name}"
        else:
            principal = find_group(actor, name) if kind == "group" else find_role(actor, name)
            authz.authorize(actor, "iam:SimulatePrincipalPolicy", principal.arn)
            policy_set, labels = _entity_policies(kind, principal)
            subject = f"{'User group' if kind == 'group' else 'Role'} {principal.name}"
        caller = principal.arn
    else:
        authz.authorize(actor, "iam:SimulateCustomPolicy", "*")
        identity = data["custom_policies"]
        boundary = data.get("boundary_policy")
        policy_set = engine.PolicySet(identity=identity, boundary=boundary)
        labels = tuple(p.policy_id for p in identity) + ((boundary.policy_id,) if boundary else ())
        subject = "New policies"
        caller = ""
        offsets = data.get("line_offsets", {})
    results = []
    for action in data["actions"]:
        for resource in data["resources"]:
            request = engine.RequestContext(
                action,
                resource,
                caller,
                dict(data["context"]),
                principal_account=account_id,
                # pasted policies have no caller: keys such as aws:username stay missing
                derive_keys=bool(caller),
            )
            decision = engine.evaluate(request, policy_set)
            results.append(SimulationResult(action, resource, decision, offsets))
    return results, labels, subject


def policy_simulator(request):
    actor = request.user
    can_list_users = authz.is_allowed(actor, "iam:ListUsers", user_arn(actor, ""))
    can_list_groups = authz.is_allowed(actor, "iam:ListGroups", group_arn(actor, ""))
    can_list_roles = authz.is_allowed(actor, "iam:ListRoles", role_arn(actor, ""))
    if not (can_list_users or can_list_groups or can_list_roles):
        # Nothing to choose from: the page is only of use for pasted policies.
        authz.authorize(actor, "iam:SimulateCustomPolicy", "*")
    users = [u.name for u in user_services.list_users(actor)] if can_list_users else []
    groups = [g.name for g in group_services.list_groups(actor)] if can_list_groups else []
    roles = [r.name for r in role_services.list_roles(actor)] if can_list_roles else []
    form = SimulatorForm(
        request.POST or None,
        user_names=users,
        group_names=groups,
        role_names=roles,
        initial={"policy_documents": POLICY_SKELETON},
    )
    context = {"form": form, "users": users, "groups": groups, "roles": roles}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            results, labels, subject = _simulate(actor, form)
            context.update(results=results, labels=labels, subject=subject)
        else:
            status = 400
    return render(request, "iam/simulator.html", context, status=status)
