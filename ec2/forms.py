"""The EC2 console's forms: Launch an instance, Modify IAM role, Manage tags, and the
instance-state confirmations. They own validation with EC2's rules and codes; the services
check everything again."""

from django import forms
from django.core.exceptions import ValidationError as FormError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import catalog, ids
from .services.tags import KEY_MAX, TAGS_PER_RESOURCE, VALUE_MAX

EXTRA_TAG_ROWS = 3
MAX_LAUNCH_COUNT = 20


def _image_choices():
    return [(i.image_id, f"{i.name}") for i in catalog.IMAGES]


def _type_label(t: catalog.InstanceType) -> str:
    """The catalogue's label (``t3.micro — 2 vCPU, 1 GiB memory (Free tier eligible)``) in the
    console's language."""
    values = {"name": t.name, "vcpus": t.vcpus, "memory": f"{t.memory_gib:g}"}
    if t.free_tier:
        return gettext("%(name)s — %(vcpus)s vCPU, %(memory)s GiB memory (Free tier eligible)") % values
    return gettext("%(name)s — %(vcpus)s vCPU, %(memory)s GiB memory") % values


def _type_choices():
    return [(t.name, _type_label(t)) for t in catalog.INSTANCE_TYPES]


def _tag_key_field(required=False):
    return forms.CharField(
        label=_("Key"),
        max_length=KEY_MAX,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _tag_value_field():
    return forms.CharField(
        label=_("Value"),
        max_length=VALUE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _check_key(key: str) -> str:
    if key.lower().startswith("aws:"):
        raise FormError(
            "Tag keys starting with 'aws:' are reserved for internal use", code="InvalidParameterValue"
        )
    return key


class LaunchInstanceForm(forms.Form):
    """AWS's "Launch an instance", on one page."""

    name = forms.CharField(
        label=_("Name"),
        max_length=VALUE_MAX,
        required=False,
        help_text=_("The value of the instance's Name tag."),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. My Web Server"), "autocomplete": "off"}),
    )
    image_id = forms.ChoiceField(label=_("Amazon Machine Image (AMI)"), widget=forms.RadioSelect)
    instance_type = forms.ChoiceField(label=_("Instance type"))
    iam_instance_profile = forms.ChoiceField(
        label=_("IAM instance profile"),
        required=False,
        help_text=_(
            "The role the instance's applications get temporary credentials of. Giving an instance a role "
            "needs iam:PassRole on it."
        ),
    )
    http_tokens = forms.ChoiceField(
        label=_("Metadata version"),
        choices=[("required", _("V2 only (token required)")), ("optional", _("V1 and V2 (token optional)"))],
        initial="required",
    )
    count = forms.IntegerField(
        label=_("Number of instances"), min_value=1, max_value=MAX_LAUNCH_COUNT, initial=1
    )

    def __init__(self, *args, instance_profiles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image_id"].choices = _image_choices()
        self.fields["image_id"].initial = catalog.IMAGES[0].image_id
        self.fields["instance_type"].choices = _type_choices()
        self.fields["instance_type"].initial = catalog.DEFAULT_INSTANCE_TYPE
        self.fields["iam_instance_profile"].choices = [("", gettext("No IAM instance profile"))] + [
            (name, name) for name in instance_profiles
        ]
        for n in range(1, EXTRA_TAG_ROWS + 1):
            self.fields[f"tag_key_{n}"] = _tag_key_field()
            self.fields[f"tag_value_{n}"] = _tag_value_field()

    def tag_rows(self):
        return [(self[f"tag_key_{n}"], self[f"tag_value_{n}"]) for n in range(1, EXTRA_TAG_ROWS + 1)]

    def clean(self):
        data = super().clean()
        tags = []
        if data.get("name"):
            tags.append(("Name", data["name"]))
        for n in range(1, EXTRA_TAG_ROWS + 1):
            key, value = data.get(f"tag_key_{n}"), data.get(f"tag_value_{n}") or ""
            if not key:
                if value:
                    self.add_error(f"tag_key_{n}", gettext("Enter a key for this value."))
                continue
            try:
                _check_key(key)
            except FormError as exc:
                self.add_error(f"tag_key_{n}", exc)
                continue
            if key in {k for k, _ in tags}:
                self.add_error(f"tag_key_{n}", gettext("The tag key %(key)s is given twice.") % {"key": key})
                continue
            tags.append((key, value))
        data["tags"] = tags
        return data


class ModifyIamRoleForm(forms.Form):
    """Security → Modify IAM role: choose the instance profile (or none)."""

    iam_instance_profile = forms.ChoiceField(label=_("IAM role"), required=False)

    def __init__(self, *args, instance_profiles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["iam_instance_profile"].choices = [("", gettext("No IAM Role"))] + [
            (name, name) for name in instance_profiles
        ]
        self.fields["iam_instance_profile"].help_text = _(
            "Select an instance profile (it holds the role) to attach to the instance."
        )


class ManageTagsForm(forms.Form):
    """Tags → Manage tags: the instance's tags as key/value rows (an empty key removes the row)."""

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        rows = len(tags) + EXTRA_TAG_ROWS
        self.row_count = min(rows, TAGS_PER_RESOURCE)
        for n in range(self.row_count):
            self.fields[f"key_{n}"] = _tag_key_field()
            self.fields[f"value_{n}"] = _tag_value_field()
            if n < len(tags):
                self.fields[f"key_{n}"].initial = tags[n].key
                self.fields[f"value_{n}"].initial = tags[n].value

    def rows(self):
        return [(self[f"key_{n}"], self[f"value_{n}"]) for n in range(self.row_count)]

    def clean(self):
        data = super().clean()
        tags: dict[str, str] = {}
        for n in range(self.row_count):
            key, value = data.get(f"key_{n}"), data.get(f"value_{n}") or ""
            if not key:
                continue
            try:
                _check_key(key)
            except FormError as exc:
                self.add_error(f"key_{n}", exc)
                continue
            if key in tags:
                self.add_error(f"key_{n}", gettext("The tag key %(key)s is given twice.") % {"key": key})
                continue
            tags[key] = value
        data["tags"] = list(tags.items())
        return data


class InstanceSelectionForm(forms.Form):
    """The instances selected in the Instances table (EC2 IDs, each checked)."""

    instance_ids = forms.MultipleChoiceField(required=True)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = self.data.getlist("instance_ids") if hasattr(self.data, "getlist") else []
        self.fields["instance_ids"].choices = [(v, v) for v in data[: MAX_LAUNCH_COUNT * 5]]

    def clean_instance_ids(self):
        values = self.cleaned_data["instance_ids"]
        for value in values:
            if not ids.is_instance_id(value):
                raise FormError(f'Invalid id: "{value[:64]}"', code="InvalidInstanceID.Malformed")
        return list(dict.fromkeys(values))
