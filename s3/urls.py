"""The S3 console, under /s3/ (AWS's console keeps keys in the query: ?prefix=<key>)."""

from django.urls import path
from django.views.generic import RedirectView

from .views import buckets, objects, permissions

app_name = "s3"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="s3:bucket_list", permanent=False), name="home"),
    path("buckets/", buckets.bucket_list, name="bucket_list"),
    path("bucket/create/", buckets.bucket_create, name="bucket_create"),
    path("buckets/<str:bucket>/", objects.bucket_detail, name="bucket_detail"),
    path("buckets/<str:bucket>/delete/", buckets.bucket_delete, name="bucket_delete"),
    path("buckets/<str:bucket>/upload/", objects.object_upload, name="object_upload"),
    path("buckets/<str:bucket>/create-folder/", objects.folder_create, name="folder_create"),
    path("buckets/<str:bucket>/delete-objects/", objects.objects_delete, name="objects_delete"),
    path("buckets/<str:bucket>/policy/edit/", permissions.bucket_policy_edit, name="bucket_policy_edit"),
    path(
        "buckets/<str:bucket>/policy/delete/", permissions.bucket_policy_delete, name="bucket_policy_delete"
    ),
    path(
        "buckets/<str:bucket>/public-access/edit/",
        permissions.public_access_edit,
        name="public_access_edit",
    ),
    path("object/<str:bucket>/", objects.object_detail, name="object_detail"),
    path("object/<str:bucket>/download/", objects.object_download, name="object_download"),
    path("settings/public-access/", permissions.account_public_access, name="account_public_access"),
    path(
        "settings/public-access/edit/",
        permissions.account_public_access_edit,
        name="account_public_access_edit",
    ),
]
