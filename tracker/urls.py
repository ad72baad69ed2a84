from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

# A database too busy to write gives 503 "try again" (obligations/busy.py), any other error 500.
handler500 = "obligations.busy.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Sign-in, sign-out and changing one's password; accounts are made by admins.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # A forgotten password: a one-time link by e-mail to the account's address (Django's views:
    # the page says the same whether or not the address has an account).
    path("accounts/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The JSON API for agency systems (obligations/api/): tokens, not the sign-in page.
    path("api/v1/", include("obligations.api.urls")),
    path("", include("obligations.urls")),
]
