"""ListObjectsV2 and ListObjects: prefix, delimiter (common prefixes), max-keys, paging with
continuation tokens, start-after and markers, UTF-8 binary order, URL encoding."""

import pytest

from s3.errors import S3Error
from s3.services import listing

KEYS = [
    "README.md",
    "photos/2024/a.jpg",
    "photos/2024/b.jpg",
    "photos/2025/c.jpg",
    "photos/index.html",
    "videos/intro.mp4",
    "z-last.txt",
]


@pytest.fixture
def bucket(root, make_bucket, put):
    make_bucket(root, "listing-bucket")
    for key in KEYS:
        put(root, "listing-bucket", key, key.encode())
    return "listing-bucket"


def every_page(root, bucket, **options):
    keys, prefixes, token, pages = [], [], None, 0
    while True:
        page = listing.list_objects_v2(root, bucket=bucket, continuation_token=token, **options)
        pages += 1
        keys += [c.key for c in page.contents]
        prefixes += page.common_prefixes
        assert page.key_count == len(page.contents) + len(page.common_prefixes)
        if not page.is_truncated:
            return keys, prefixes, pages
        token = page.next_continuation_token


def test_everything_in_order(root, bucket):
    page = listing.list_objects_v2(root, bucket=bucket)
    assert [c.key for c in page.contents] == sorted(KEYS)
    assert not page.is_truncated and page.common_prefixes == []
    assert page.contents[0].etag.startswith('"') and page.contents[0].size == len(b"README.md")


def test_prefix_and_delimiter(root, bucket):
    top = listing.list_objects_v2(root, bucket=bucket, delimiter="/")
    assert [c.key for c in top.contents] == ["README.md", "z-last.txt"]
    assert top.common_prefixes == ["photos/", "videos/"]
    photos = listing.list_objects_v2(root, bucket=bucket, prefix="photos/", delimiter="/")
    assert [c.key for c in photos.contents] == ["photos/index.html"]
    assert photos.common_prefixes == ["photos/2024/", "photos/2025/"]
    assert [c.key for c in listing.list_objects_v2(root, bucket=bucket, prefix="photos/2024/").contents] == [
        "photos/2024/a.jpg",
        "photos/2024/b.jpg",
    ]
    # a delimiter of more than one character, and a prefix that is no folder
    assert listing.list_objects_v2(root, bucket=bucket, delimiter="20").common_prefixes == ["photos/20"]
    assert [c.key for c in listing.list_objects_v2(root, bucket=bucket, prefix="photos/2").contents] == [
        "photos/2024/a.jpg",
        "photos/2024/b.jpg",
        "photos/2025/c.jpg",
    ]


@pytest.mark.parametrize("max_keys", [1, 2, 3, 1000])
def test_paging_returns_every_key_once(root, bucket, max_keys):
    keys, prefixes, pages = every_page(root, bucket, max_keys=max_keys)
    assert keys == sorted(KEYS) and prefixes == []
    assert pages == -(-len(KEYS) // max_keys) or (max_keys == 1000 and pages == 1)
    keys, prefixes, _ = every_page(root, bucket, max_keys=max_keys, delimiter="/")
    assert keys == ["README.md", "z-last.txt"] and prefixes == ["photos/", "videos/"]


def test_paging_past_many_keys_under_one_prefix(root, bucket, put, monkeypatch):
    monkeypatch.setattr(listing, "BATCH", 3)  # make the scan read several batches and jump
    for n in range(12):
        put(root, bucket, f"logs/{n:02d}.txt", b"x")
    keys, prefixes, _ = every_page(root, bucket, delimiter="/", max_keys=2)
    assert prefixes == ["logs/", "photos/", "videos/"]
    assert keys == ["README.md", "z-last.txt"]
    keys, _, _ = every_page(root, bucket, prefix="logs/", max_keys=5)
    assert keys == [f"logs/{n:02d}.txt" for n in range(12)]


def test_start_after_and_max_keys_zero(root, bucket):
    page = listing.list_objects_v2(root, bucket=bucket, start_after="photos/2025/c.jpg")
    assert [c.key for c in page.contents] == ["photos/index.html", "videos/intro.mp4", "z-last.txt"]
    empty = listing.list_objects_v2(root, bucket=bucket, max_keys=0)
    assert empty.contents == [] and empty.key_count == 0
    with pytest.raises(S3Error) as caught:
        listing.list_objects_v2(root, bucket=bucket, max_keys=-1)
    assert caught.value.code == "InvalidArgument"
    with pytest.raises(S3Error) as caught:
        listing.list_objects_v2(root, bucket=bucket, continuation_token="not-a-token")
    assert (caught.value.code, caught.value.message) == (
        "InvalidArgument",
        "The continuation token provided is incorrect",
    )


def test_list_objects_v1_markers(root, bucket):
    first = listing.list_objects(root, bucket=bucket, delimiter="/", max_keys=2)
    assert [c.key for c in first.contents] == ["README.md"] and first.common_prefixes == ["photos/"]
    assert first.is_truncated and first.next_marker == "photos/"
    second = listing.list_objects(root, bucket=bucket, delimiter="/", marker=first.next_marker)
    assert second.common_prefixes == ["videos/"] and [c.key for c in second.contents] == ["z-last.txt"]
    assert second.contents[0].owner is not None
    plain = listing.list_objects(root, bucket=bucket, max_keys=3)
    assert plain.is_truncated and plain.next_marker is None  # no delimiter: resume after the last key
    rest = listing.list_objects(root, bucket=bucket, marker=plain.contents[-1].key)
    assert [c.key for c in plain.contents + rest.contents] == sorted(KEYS)


def test_utf8_binary_order_and_url_encoding(root, make_bucket, put):
    make_bucket(root, "unicode-order")
    keys = ["a", "Z", "é", "ａ", "😀", "\u00a0nbsp", "tab\there", "a b+c"]
    for key in keys:
        put(root, "unicode-order", key, b"x")
    page = listing.list_objects_v2(root, bucket="unicode-order")
    assert [c.key for c in page.contents] == sorted(keys, key=lambda k: k.encode("utf-8"))
    encoded = listing.list_objects_v2(root, bucket="unicode-order", encoding_type="url", prefix="a ")
    assert [c.key for c in encoded.contents] == ["a%20b%2Bc"] and encoded.prefix == "a%20"
    with pytest.raises(S3Error):
        listing.list_objects_v2(root, bucket="unicode-order", encoding_type="base64")
