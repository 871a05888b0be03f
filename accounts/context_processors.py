"""Template context for the console shell: the account menu's label."""

from .identifiers import dashed_account_id


def console(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    account = user.account
    return {
        "console_identity_label": f"{user.display_name} @ {account.menu_label}",
        "console_account_id_dashed": dashed_account_id(account.account_id),
    }
