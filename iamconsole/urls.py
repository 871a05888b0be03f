from django.urls import include, path

from accounts.views import signin

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
    path("iam/", include("accounts.urls")),
]
