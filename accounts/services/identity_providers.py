"""Identity providers (SAML and OpenID Connect) of an account: the console's Identity providers
page. This console has no federation yet (a later issue adds SAML and OIDC providers), so an
account holds none; the page still asks the gate as AWS's console does (ListSAMLProviders and
ListOpenIDConnectProviders), so that a learner without them is refused as in AWS."""

from .. import shapes
from ..authz import authorize
from .base import iam_read


@iam_read("iam:ListSAMLProviders")
def list_saml_providers(actor) -> shapes.Page:
    authorize(actor, "iam:ListSAMLProviders", "*")
    return shapes.Page([])


@iam_read("iam:ListOpenIDConnectProviders")
def list_open_id_connect_providers(actor) -> shapes.Page:
    authorize(actor, "iam:ListOpenIDConnectProviders", "*")
    return shapes.Page([])
