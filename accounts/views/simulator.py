"""The IAM policy simulator page: simulate the policies of a user, group or role of the
account (iam:SimulatePrincipalPolicy) or pasted documents (iam:SimulateCustomPolicy)."""

from dataclasses import dataclass

from django.shortcuts import render

from ..errors import IAMError
from ..forms.policies import POLICY_SKELETON
from ..forms.simulator import SimulatorForm
from ..services import simulator as simulator_services

DECISION_STATUS = {
    "allowed": "success",
    "explicitDeny": "error",
    "implicitDeny": "warning",
}


@dataclass(frozen=True)
class ResultRow:
    """One action × resource as the page shows it."""

    result: object  # shapes.EvaluationResult

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
                context.update(
                    results=[ResultRow(r) for r in simulation.results],
                    labels=simulation.considered,
                    subject=simulation.subject,
                )
        else:
            status = 400
    return render(request, "iam/simulator.html", context, status=status)
