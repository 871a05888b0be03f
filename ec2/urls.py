from django.urls import path

from .views import instances, metadata

app_name = "ec2"

urlpatterns = [
    path("", instances.dashboard, name="dashboard"),
    path("instances/", instances.instance_list, name="instance_list"),
    path("launch-instance/", instances.instance_launch, name="instance_launch"),
    path("instance-state/<str:action>/", instances.instance_state, name="instance_state"),
    path("instance-actions/", instances.instance_go, name="instance_go"),
    path("instances/<str:instance_id>/", instances.instance_detail, name="instance_detail"),
    path(
        "instances/<str:instance_id>/modify-iam-role/",
        instances.instance_modify_iam_role,
        name="instance_modify_iam_role",
    ),
    path("instances/<str:instance_id>/tags/", instances.instance_tags_edit, name="instance_tags_edit"),
    path("instances/<str:instance_id>/connect/", instances.instance_connect, name="instance_connect"),
    # the instance's own metadata service and container-credentials URL (no console session)
    path("instances/<str:instance_id>/latest/api/token", metadata.imds_token, name="imds_token"),
    path("instances/<str:instance_id>/latest/", metadata.imds_get, name="imds_root"),
    path("instances/<str:instance_id>/latest/<path:path>", metadata.imds_get, name="imds_get"),
    path(
        "instances/<str:instance_id>/container-credentials",
        metadata.container_credentials,
        name="container_credentials",
    ),
]
