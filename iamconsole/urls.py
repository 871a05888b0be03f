from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts.views import home, signin, switch_role

urlpatterns = [
    path("", signin.home, name="home"),
    path("signup/", signin.signup, name="signup"),
    path("signin/", signin.signin_start, name="signin"),
    path("root-signin/", signin.signin_root, name="signin_root"),
    path("mfa-signin/", signin.signin_mfa, name="signin_mfa"),
    path("reauthenticate/", signin.reauthenticate, name="reauthenticate"),
    path("change-password/", signin.password_change_required, name="password_change_required"),
    path("signin/<str:account>/", signin.signin_account, name="signin_account"),
    path("signout/", signin.signout, name="signout"),
    path("console/home/", home.console_home, name="console_home"),
    # the footer's Language menu (a POST; kept in a cookie), on every page, signed in or not
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # AWS's own form of the URL: /switchrole?account=…&roleName=… (no trailing slash)
    path("switchrole", switch_role.switch_role, name="switch_role"),
    path("switchrole/back/", switch_role.switch_back, name="switch_back"),
    path("switchrole/recent/", switch_role.switch_recent, name="switch_recent"),
    path("iam/", include("accounts.urls")),
    path("ec2/", include("ec2.urls")),
    path("s3/", include("s3.urls")),
]
