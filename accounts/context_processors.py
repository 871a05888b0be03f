"""Template context for the console shell: the account menu's label, and the switched role."""

from . import consoles
from .identifiers import dashed_account_id
from .services import account as account_services
from .views import session


def console(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    principal = request.principal
    if principal.is_role_session:
        account = account_services.describe_account(principal)  # the role's account
    else:  # the signed-in identity's account came with it: no query
        account = {
            "account_id": user.account.account_id,
            "alias": user.account.alias,
            "name": user.account.name,
        }
    label = account["alias"] or dashed_account_id(account["account_id"])
    has_session = hasattr(request, "session")
    context = {
        "console_service_categories": service_categories(),
        "console_account_id_dashed": dashed_account_id(account["account_id"]),
        "console_recent_roles": session.recent_roles(request) if has_session else [],
    }
    switched = session.switched_role(request) if principal.is_role_session and has_session else None
    if switched:
        context.update(
            console_identity_label=switched["display_name"] or f"{principal.name} @ {label}",
            console_switched_role=switched,
            console_role_name=principal.name,
            console_user_name=user.name,
        )
    else:
        name = account["name"] if principal.is_root else principal.name
        context["console_identity_label"] = f"{name} @ {label}"
    return context


def service_categories() -> list[tuple[str, list]]:
    """The Services menu: the registered consoles by category (in memory, no query), the
    categories in the page's language and in its alphabetical order."""
    groups: dict[str, list] = {}
    for service in consoles.all_services():
        groups.setdefault(str(service.category), []).append(service)
    return sorted(groups.items())
