"""The S3 console's forms: they own validation with S3's rules and wording; crispy renders
them, the JSON editor renders the bucket policy with the faulty line marked."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError as FormError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import naming
from .errors import MalformedPolicy, PolicyTooLarge
from .services import policies
from .shapes import PublicAccessBlock

BUCKET_NAME_HELP = _(
    "Bucket names must be 3 to 63 characters and unique within the global namespace. Bucket names "
    "must also begin and end with a letter or number. Valid characters are a-z, 0-9, periods (.), "
    "and hyphens (-)."
)
# The console's labels of the four switches
SWITCH_LABELS = {
    "block_public_acls": _(
        "Block public access to buckets and objects granted through new access control lists (ACLs)"
    ),
    "ignore_public_acls": _(
        "Block public access to buckets and objects granted through any access control lists (ACLs)"
    ),
    "block_public_policy": _(
        "Block public access to buckets and objects granted through new public bucket or access point policies"
    ),
    "restrict_public_buckets": _(
        "Block public and cross-account access to buckets and objects through any public bucket or access "
        "point policies"
    ),
}
SWITCH_HELP = {
    "block_public_acls": _(
        "S3 will block public access permissions applied to newly added buckets or objects, and prevent the "
        "creation of new public access ACLs for existing buckets and objects."
    ),
    "ignore_public_acls": _("S3 will ignore all ACLs that grant public access to buckets and objects."),
    "block_public_policy": _(
        "S3 will block new bucket and access point policies that grant public access to buckets and "
        "objects. This setting doesn't change any existing policies that allow public access."
    ),
    "restrict_public_buckets": _(
        "S3 will ignore public and cross-account access for buckets or access points with policies that "
        "grant public access to buckets and objects."
    ),
}
ACKNOWLEDGE = _(
    "I acknowledge that the current settings might result in this bucket and the objects within becoming "
    "public."
)

# The S3 console's words for the naming rule a bucket name breaks (naming.bucket_name_problem,
# whose English the API answers as InvalidBucketName's reason)
BUCKET_NAME_PROBLEMS = {
    "Bucket name must be between 3 and 63 characters long.": _(
        "Bucket name must be between 3 and 63 characters long."
    ),
    "Bucket name must not contain uppercase characters.": _(
        "Bucket name must not contain uppercase characters."
    ),
    "Bucket name can consist only of lowercase letters, numbers, periods (.), and hyphens (-).": _(
        "Bucket name can consist only of lowercase letters, numbers, periods (.), and hyphens (-)."
    ),
    "Bucket name must begin and end with a letter or number.": _(
        "Bucket name must begin and end with a letter or number."
    ),
    "Bucket name must not contain two adjacent periods.": _(
        "Bucket name must not contain two adjacent periods."
    ),
    "Bucket name must not be formatted as an IP address (for example, 192.168.5.4).": _(
        "Bucket name must not be formatted as an IP address (for example, 192.168.5.4)."
    ),
}


def bucket_name_message(problem: str) -> str:
    """``naming.bucket_name_problem``'s text in the console's language."""
    for prefix in naming.RESERVED_PREFIXES:
        if problem == f'Bucket name must not start with the prefix "{prefix}".':
            return gettext('Bucket name must not start with the prefix "%(prefix)s".') % {"prefix": prefix}
    for suffix in naming.RESERVED_SUFFIXES:
        if problem == f'Bucket name must not end with the suffix "{suffix}".':
            return gettext('Bucket name must not end with the suffix "%(suffix)s".') % {"suffix": suffix}
    return str(BUCKET_NAME_PROBLEMS.get(problem, problem))


class PublicAccessBlockMixin:
    """ "Block all public access" and its four switches; ``configuration()`` is the result."""

    def add_switch_fields(self, initial: PublicAccessBlock | None):
        initial = initial or PublicAccessBlock()
        self.fields["block_all"] = forms.BooleanField(
            label=_("Block all public access"),
            required=False,
            initial=initial.all_on,
            help_text=_(
                "Turning this setting on is the same as turning on all four settings below. Each of "
                "the following settings are independent of one another."
            ),
        )
        for name, label in SWITCH_LABELS.items():
            self.fields[name] = forms.BooleanField(
                label=label, required=False, initial=getattr(initial, name), help_text=SWITCH_HELP[name]
            )

    def configuration(self) -> PublicAccessBlock:
        data = self.cleaned_data
        if data.get("block_all"):
            return PublicAccessBlock()
        return PublicAccessBlock(**{name: bool(data.get(name)) for name in SWITCH_LABELS})


class CreateBucketForm(PublicAccessBlockMixin, forms.Form):
    bucket_name = forms.CharField(
        label=_("Bucket name"), max_length=255, help_text=BUCKET_NAME_HELP, strip=False
    )
    region = forms.ChoiceField(label=_("AWS Region"), initial=naming.DEFAULT_REGION)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [
            (code, f"{gettext(name)} {code}") for code, name in naming.REGIONS.items()
        ]
        self.add_switch_fields(None)
        self.fields["acknowledge"] = forms.BooleanField(label=ACKNOWLEDGE, required=False)
        self.fields["bucket_name"].widget.attrs.update({"placeholder": "myawsbucket", "autocomplete": "off"})

    def clean_bucket_name(self):
        name = self.cleaned_data["bucket_name"]
        problem = naming.bucket_name_problem(name)
        if problem is not None:
            raise FormError(bucket_name_message(problem), code="InvalidBucketName")
        return name

    def clean(self):
        data = super().clean()
        if (
            self.is_bound
            and not self.errors
            and not self.configuration().all_on
            and not data.get("acknowledge")
        ):
            self.add_error(
                "acknowledge",
                FormError(
                    gettext(
                        "To create a bucket with public access settings turned off, acknowledge the risk."
                    ),
                    code="acknowledge",
                ),
            )
        return data


class PublicAccessBlockForm(PublicAccessBlockMixin, forms.Form):
    def __init__(self, *args, initial_block: PublicAccessBlock | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_switch_fields(initial_block)


class CreateFolderForm(forms.Form):
    folder_name = forms.CharField(
        label=_("Folder name"),
        max_length=1024,
        strip=False,
        help_text=_('Folder names can\'t contain "/".'),
    )

    def clean_folder_name(self):
        name = self.cleaned_data["folder_name"]
        if "/" in name.rstrip("/") or not name.rstrip("/"):
            raise FormError(gettext('Folder names can\'t contain "/".'), code="InvalidFolderName")
        return name.rstrip("/")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        error_messages={"required": _("Add files to upload."), "empty": _("Add files to upload.")},
        help_text=_(
            "Add the files you want to upload to S3. Files are uploaded as objects under the destination."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs.update({"multiple": True})
        # an empty file is a valid object (0 bytes)
        self.fields["files"].allow_empty_file = True


class PermanentlyDeleteForm(forms.Form):
    """The console's "To confirm deletion, type permanently delete in the text input field."."""

    confirmation = forms.CharField(
        label="",
        max_length=64,
        help_text=_("To confirm deletion, type permanently delete in the text input field."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirmation"].widget.attrs.update(
            {
                "placeholder": "permanently delete",
                "autocomplete": "off",
                "data-confirm-text": "permanently delete",
            }
        )

    def clean_confirmation(self):
        if self.cleaned_data["confirmation"].strip() != "permanently delete":
            raise FormError(gettext("Enter permanently delete to confirm."), code="confirmation")
        return "permanently delete"


class BucketPolicyForm(forms.Form):
    """Edit bucket policy: the document checked with PutBucketPolicy's rules and messages;
    ``error_line``/``error_column`` point at the fault for the editor."""

    policy_document = forms.CharField(
        label=_("Policy"),
        strip=False,
        required=False,
        widget=forms.Textarea(attrs={"spellcheck": "false", "autocomplete": "off", "wrap": "off"}),
    )
    error_line: int | None = None
    error_column: int | None = None

    def __init__(self, *args, bucket: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.bucket = bucket

    def clean_policy_document(self):
        text = self.cleaned_data["policy_document"].replace("\r\n", "\n").replace("\r", "\n")
        try:
            policies.validate_bucket_policy(self.bucket, text)
        except (MalformedPolicy, PolicyTooLarge) as exc:
            self.mark(exc)
            raise FormError(exc.message, code=exc.code) from None
        return text

    def mark(self, exc) -> None:
        self.error_line = getattr(exc, "line", None)
        self.error_column = getattr(exc, "column", None)
