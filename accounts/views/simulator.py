"""The IAM policy simulator page: simulate the policies of a user, group or role of the
account (iam:SimulatePrincipalPolicy) or pasted documents (iam:SimulateCustomPolicy)."""

import re
from dataclasses import dataclass

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ..errors import IAMError
from ..forms.policies import POLICY_SKELETON
from ..forms.simulator import SimulatorForm
from ..policy.evaluate import BOUNDARY, IDENTITY, RESOURCE, SCP, SESSION, TRUST
from ..services import simulator as simulator_services

DECISION_STATUS = {
    "allowed": "success",
    "explicitDeny": "error",
    "implicitDeny": "warning",
}
# AWS's EvalDecision values stay in the page's data-decision; the status shows them in words
DECISION_LABELS = {
    "allowed": pgettext_lazy("simulator decision", "allowed"),
    "explicitDeny": pgettext_lazy("simulator decision", "explicitDeny"),
    "implicitDeny": pgettext_lazy("simulator decision", "implicitDeny"),
}
# the kinds of policy that can deny ("explicit deny (permissions boundary)")
POLICY_KINDS = {
    IDENTITY: gettext_lazy("identity-based policy"),
    SCP: gettext_lazy("service control policy"),
    BOUNDARY: gettext_lazy("permissions boundary"),
    SESSION: gettext_lazy("session policy"),
    RESOURCE: gettext_lazy("resource-based policy"),
    TRUST: gettext_lazy("role trust policy"),
}
EFFECTS = {"Allow": gettext_lazy("Allow"), "Deny": gettext_lazy("Deny")}
_PASTED = re.compile(r"^Policy (\d+)$")


def pasted_policy_label(policy_id: str) -> str:
    """The name the simulator gives a pasted document (``Policy 1``, ``Permissions boundary``)
    in the page's language; a policy of the account keeps its name."""
    if m := _PASTED.match(policy_id):
        return _("Policy %(number)s") % {"number": m.group(1)}
    if policy_id == "Permissions boundary":
        return _("Permissions boundary")
    return policy_id


@dataclass(frozen=True)
class ResultRow:
    """One action × resource as the page shows it."""

    result: object  # shapes.EvaluationResult
    pasted: bool = False  # pasted documents (their names are the simulator's: Policy 1 …)

    @property
    def action(self) -> str:
        return self.result.eval_action_name

    @property
    def resource(self) -> str:
        return self.result.eval_resource_name

    @property
    def decision(self):
        return self.result.decision

    @property
    def decision_label(self) -> str:
        code = self.result.eval_decision
        return str(DECISION_LABELS.get(code, code))

    @property
    def denied_by_label(self) -> str:
        by = self.result.decision.denied_by
        return str(POLICY_KINDS.get(by, by))

    @property
    def status(self) -> str:
        return DECISION_STATUS.get(self.result.eval_decision, "stopped")

    @property
    def matched(self) -> list[dict]:
        """The statements that decided, with their lines in the editor."""
        out = []
        for st in self.result.decision.matched_statements:
            lines = ""
            if st.start is not None and st.end is not None:
                offset = self.result.line_offsets.get(st.policy_id, 0)
                first, last = st.start.line + offset, st.end.line + offset
                if last != first:
                    lines = _("lines %(first)s–%(last)s") % {"first": first, "last": last}
                else:
                    lines = _("line %(line)s") % {"line": first}
            # a statement is named by its own Sid, as written, else by its place
            statement = f"Sid {st.sid}" if st.sid else _("Statement %(number)s") % {"number": st.index + 1}
            out.append(
                {
                    "policy": pasted_policy_label(st.policy_id) if self.pasted else st.policy_id,
                    "statement": statement,
                    "effect": str(EFFECTS.get(st.effect, st.effect)),
                    "lines": lines,
                }
            )
        return out


def _simulate(actor, form: SimulatorForm, arns: dict):
    data = form.cleaned_data
    if data["mode"] == SimulatorForm.PRINCIPAL:
        return simulator_services.simulate_principal_policy(
            actor,
            policy_source_arn=arns[data["principal"]],
            action_names=data["actions"],
            resource_arns=data["resources"],
            context_entries=form.context_entries(),
        )
    boundary = data.get("boundary_policy")
    return simulator_services.simulate_custom_policy(
        actor,
        policy_input_list=data["custom_policies"],
        permissions_boundary_policy_input_list=[boundary] if boundary else [],
        action_names=data["actions"],
        resource_arns=data["resources"],
        context_entries=form.context_entries(),
        line_offsets=data.get("line_offsets", {}),
    )


def _subject(form: SimulatorForm) -> str:
    """Whose policies were simulated: ``User kim``, ``User group devs``, ``Role AppRole`` or
    ``New policies`` (the pasted documents)."""
    if form.cleaned_data["mode"] != SimulatorForm.PRINCIPAL:
        return _("New policies")
    kind, name = form.cleaned_data["principal"].split(":", 1)
    if kind == "user":
        return _("User %(name)s") % {"name": name}
    if kind == "group":
        return _("User group %(name)s") % {"name": name}
    return _("Role %(name)s") % {"name": name}


def policy_simulator(request):
    actor = request.principal
    choices = simulator_services.simulator_choices(actor)
    # choice value ("user:kim") -> the entity's ARN, which the service takes
    arns = {}
    for kind, entities in choices.items():
        for entity in entities:
            arns[f"{kind[:-1]}:{entity.arn.rsplit('/', 1)[-1]}"] = entity.arn
    users = [(f"user:{u.user_name}", u.user_name) for u in choices["users"]]
    groups = [(f"group:{g.group_name}", g.group_name) for g in choices["groups"]]
    roles = [(f"role:{r.role_name}", r.role_name) for r in choices["roles"]]
    form = SimulatorForm(
        request.POST or None,
        users=users,
        groups=groups,
        roles=roles,
        initial={"policy_documents": POLICY_SKELETON},
    )
    context = {"form": form, "users": users, "groups": groups, "roles": roles}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                simulation = _simulate(actor, form, arns)
            except IAMError as exc:
                if exc.code == "AccessDenied":
                    raise
                form.add_error(None, exc.message)
                status = exc.status if exc.status < 500 else 400
            else:
                pasted = form.cleaned_data["mode"] == SimulatorForm.CUSTOM
                labels = simulation.considered
                if pasted:
                    labels = tuple(pasted_policy_label(label) for label in labels)
                context.update(
                    results=[ResultRow(r, pasted) for r in simulation.results],
                    labels=labels,
                    subject=_subject(form),
                )
        else:
            status = 400
    return render(request, "iam/simulator.html", context, status=status)
