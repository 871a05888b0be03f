from django.urls import path  # noqa: F401

app_name = "s3"

urlpatterns: list = []
