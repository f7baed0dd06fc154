#!/usr/bin/env python3
"""Vendor third-party front-end files from the npm registry into ``static/vendor/``.

Why this exists
---------------
Conference meeting rooms have no internet access, so the app cannot load JavaScript from a
CDN: every browser-side dependency has to be served by the app itself from ``static/vendor/``.
Those files are committed to the repository, and this script is the only way they get there:

* **Pinned.** Each package is pinned to an exact version in ``PACKAGES`` below. Nothing
  floats; upgrading is a deliberate edit of this file followed by a re-run.
* **Integrity checked.** The pin includes the tarball's ``dist.integrity`` (SRI sha512) as
  published by the registry. The downloaded tarball is hashed and rejected on any mismatch
  before it is even opened, so a compromised mirror or a man in the middle cannot change what
  ends up in the repository.
* **Licensed.** The package's licence file is shipped next to the files taken from it.
* **Auditable offline.** ``static/vendor/MANIFEST.json`` records, per package, the version,
  the tarball integrity and the sha256 of every written file. ``--check`` re-hashes the files
  on disk against it without touching the network (suitable for CI and for tests).

Usage
-----
    scripts/vendor_assets.py            # fetch whatever is missing or does not match
    scripts/vendor_assets.py --check    # offline: verify static/vendor against MANIFEST.json
    scripts/vendor_assets.py --dir PATH # operate on another vendor directory

Adding a package: look up the version and integrity with
``npm view NAME@VERSION version dist.integrity`` and append a ``Package`` to ``PACKAGES``,
then run the script and commit ``static/vendor/``.

Exit status: 0 when everything is in order, 1 on any mismatch or fetch/verification error.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_REGISTRY = "https://registry.npmjs.org"
DEFAULT_VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
MANIFEST_NAME = "MANIFEST.json"
LICENSE_OUTPUT_NAME = "LICENSE"
MAX_TARBALL_BYTES = 64 * 1024 * 1024
HTTP_TIMEOUT_SECONDS = 60

# Licence files looked for in the package root, in order of preference.
_LICENSE_RE = re.compile(r"^(?:LICEN[CS]E|COPYING)(?:[.-](?:md|txt|markdown|mit))?$", re.I)
_EXACT_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_PACKAGE_NAME_RE = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")


@dataclass(frozen=True)
class Package:
    """One pinned npm package and the files to take from its tarball.

    ``files`` are paths inside the package (relative to its root, as npm shows them); each is
    written to ``<vendor dir>/<name>/<basename>``. The licence file is found automatically.
    """

    name: str
    version: str
    integrity: str  # `npm view NAME@VERSION dist.integrity`: "sha512-<base64>"
    files: tuple[str, ...] = field(default_factory=tuple)

    def output_names(self) -> list[str]:
        """Names (relative to the vendor dir) of every file this package produces."""
        names = [f"{self.name}/{Path(f).name}" for f in self.files]
        return [*names, f"{self.name}/{LICENSE_OUTPUT_NAME}"]


# The manifest. Keep it a list: further packages are appended here.
PACKAGES: list[Package] = [
    Package(
        name="socket.io-client",
        version="4.8.4",
        integrity=(
            "sha512-7wjKAvVXYOJsbmUgkWbnhPD4bFpkqrUR0++XOjpGFmqDqsqV1CI93VTraeExLxpjxEqrWgFoSR"
            "Zu1ihjLWfkAA=="
        ),
        files=("dist/socket.io.min.js",),
    ),
    # Accessibility engine for the browser tests (tests/browser/): injected by the tests
    # from this file, never referenced by a template, so no user's page loads it.
    Package(
        name="axe-core",
        version="4.14.1",
        integrity=(
            "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37O"
            "gudVGtQ=="
        ),
        files=("axe.min.js",),
    ),
    # Tinos, metric-compatible with Times New Roman and covering Vietnamese: the PDF minutes
    # embed it (voting/minutes/pdf.py), so no system font is needed at run time.
    Package(
        name="@expo-google-fonts/tinos",
        version="0.4.2",
        integrity=(
            "sha512-MQkfvUO1Aw7UP3jRtWLcjda+udanoL8ecrbkjbc3ZdhSI1iW/Uil4uD8O0eOiIxU2v/FeAT2XjGNiz5oYU"
            "lucg=="
        ),
        files=(
            "400Regular/Tinos_400Regular.ttf",
            "400Regular_Italic/Tinos_400Regular_Italic.ttf",
            "700Bold/Tinos_700Bold.ttf",
            "700Bold_Italic/Tinos_700Bold_Italic.ttf",
            "LICENSE_FONT",
        ),
    ),
]


class VendorError(Exception):
    """A problem that should stop the script with a message and exit status 1."""


# --------------------------------------------------------------------------- helpers


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's contents."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_sri_sha512(integrity: str) -> bytes:
    """Return the raw digest from an SRI string, requiring a single sha512 entry."""
    algo, sep, b64 = integrity.strip().partition("-")
    if not sep or algo != "sha512" or " " in b64:
        raise VendorError(f"integrity must be a single 'sha512-<base64>' value: {integrity!r}")
    try:
        digest = base64.b64decode(b64, validate=True)
    except ValueError as exc:
        raise VendorError(f"integrity is not valid base64: {integrity!r}") from exc
    if len(digest) != hashlib.sha512().digest_size:
        raise VendorError(f"integrity does not hold a sha512 digest: {integrity!r}")
    return digest


def validate_packages(packages: Sequence[Package]) -> None:
    """Reject manifest entries that are not exact, well-formed pins."""
    seen: set[str] = set()
    for pkg in packages:
        if not _PACKAGE_NAME_RE.match(pkg.name):
            raise VendorError(f"invalid npm package name: {pkg.name!r}")
        if pkg.name in seen:
            raise VendorError(f"package listed twice: {pkg.name}")
        seen.add(pkg.name)
        if not _EXACT_VERSION_RE.match(pkg.version):
            raise VendorError(f"{pkg.name}: version must be exact, got {pkg.version!r}")
        parse_sri_sha512(pkg.integrity)
        if not pkg.files:
            raise VendorError(f"{pkg.name}: no files listed")
        outputs = pkg.output_names()
        if len(set(outputs)) != len(outputs):
            raise VendorError(f"{pkg.name}: two files would be written to the same name")


def tarball_url(registry: str, pkg: Package) -> str:
    """The URL `npm view NAME@VERSION dist.tarball` reports for a package on the registry."""
    basename = pkg.name.rsplit("/", 1)[-1]
    return f"{registry.rstrip('/')}/{pkg.name}/-/{basename}-{pkg.version}.tgz"


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to ``path`` via a temporary file so readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """Deterministic serialisation, so an unchanged manifest is byte-for-byte unchanged."""
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def load_manifest(vendor_dir: Path) -> dict[str, Any] | None:
    """Read MANIFEST.json, or None if it is absent or unreadable."""
    try:
        data = json.loads((vendor_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("packages"), list):
        return None
    return data


def manifest_entries(manifest: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Package entries of a manifest keyed by package name."""
    if manifest is None:
        return {}
    return {
        entry["name"]: entry
        for entry in manifest["packages"]
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    }


# --------------------------------------------------------------------------- checking


def entry_problems(vendor_dir: Path, entry: dict[str, Any]) -> list[str]:
    """Problems with the files a manifest entry lists (missing or sha256 mismatch)."""
    problems: list[str] = []
    for item in entry.get("files", []):
        rel = item.get("path", "")
        path = vendor_dir / rel
        if not rel or Path(rel).is_absolute() or ".." in Path(rel).parts:
            problems.append(f"{MANIFEST_NAME}: unsafe path {rel!r}")
        elif not path.is_file():
            problems.append(f"{path}: missing")
        else:
            actual = sha256_file(path)
            if actual != item.get("sha256"):
                problems.append(
                    f"{path}: sha256 mismatch (manifest {item.get('sha256')}, file {actual})"
                )
    return problems


def pin_problems(pkg: Package, entry: dict[str, Any] | None) -> list[str]:
    """Differences between a pinned package and what the manifest says was vendored."""
    if entry is None:
        return [f"{pkg.name}: pinned {pkg.version} but not in {MANIFEST_NAME}"]
    problems: list[str] = []
    if entry.get("version") != pkg.version or entry.get("integrity") != pkg.integrity:
        problems.append(
            f"{pkg.name}: pinned {pkg.version} but {MANIFEST_NAME} has "
            f"{entry.get('version')} (integrity {entry.get('integrity')})"
        )
    listed = sorted(item.get("path") for item in entry.get("files", []))
    if listed != sorted(pkg.output_names()):
        problems.append(f"{pkg.name}: {MANIFEST_NAME} file list differs from the pin")
    return problems


def check(vendor_dir: Path, packages: Sequence[Package]) -> list[str]:
    """Verify ``vendor_dir`` offline. Returns a list of problems (empty means all good)."""
    manifest = load_manifest(vendor_dir)
    if manifest is None:
        return [f"{vendor_dir / MANIFEST_NAME}: missing or unreadable"]
    entries = manifest_entries(manifest)
    problems: list[str] = []
    for pkg in packages:
        problems += pin_problems(pkg, entries.get(pkg.name))
    listed: set[str] = {MANIFEST_NAME}
    for entry in entries.values():
        problems += entry_problems(vendor_dir, entry)
        listed.update(item.get("path", "") for item in entry.get("files", []))
    for path in sorted(p for p in vendor_dir.rglob("*") if p.is_file()):
        if path.relative_to(vendor_dir).as_posix() not in listed:
            problems.append(f"{path}: not listed in {MANIFEST_NAME}")
    return problems


# --------------------------------------------------------------------------- fetching


def download(url: str) -> bytes:
    """Fetch a URL with the standard library, refusing implausibly large responses."""
    request = urllib.request.Request(url, headers={"User-Agent": "voting-vendor-assets"})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
            data: bytes = response.read(MAX_TARBALL_BYTES + 1)
    except OSError as exc:  # URLError and socket errors
        raise VendorError(f"download failed: {url}: {exc}") from exc
    if len(data) > MAX_TARBALL_BYTES:
        raise VendorError(f"download too large (> {MAX_TARBALL_BYTES} bytes): {url}")
    return data


def verify_integrity(data: bytes, integrity: str, what: str) -> None:
    """Raise unless ``data`` hashes to the pinned SRI sha512 value."""
    expected = parse_sri_sha512(integrity)
    actual = hashlib.sha512(data).digest()
    if actual != expected:
        got = "sha512-" + base64.b64encode(actual).decode("ascii")
        raise VendorError(f"{what}: integrity mismatch (pinned {integrity}, got {got})")


def extract(tarball: bytes, pkg: Package) -> tuple[dict[str, tuple[str, bytes]], str | None]:
    """Pull the pinned files and the licence out of a verified npm tarball, in memory.

    Returns ``{output name: (path in package, contents)}`` and the SPDX licence declared in
    package.json.
    Nothing is extracted to disk, so archive paths cannot escape the vendor directory.
    """
    members: dict[str, tarfile.TarInfo] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for member in tar.getmembers():
            # npm tarballs have one top-level directory, normally "package/".
            _, sep, inner = member.name.partition("/")
            if sep and inner and member.isfile():
                members[inner] = member

        def read(inner: str) -> bytes:
            fh = tar.extractfile(members[inner])
            if fh is None:
                raise VendorError(f"{pkg.name}@{pkg.version}: cannot read {inner}")
            return fh.read()

        out: dict[str, tuple[str, bytes]] = {}
        for inner in pkg.files:
            if inner not in members:
                raise VendorError(f"{pkg.name}@{pkg.version}: no file {inner!r} in tarball")
            out[f"{pkg.name}/{Path(inner).name}"] = (inner, read(inner))

        license_files = sorted(name for name in members if _LICENSE_RE.match(name))
        if not license_files:
            raise VendorError(f"{pkg.name}@{pkg.version}: no LICENSE file in tarball")
        out[f"{pkg.name}/{LICENSE_OUTPUT_NAME}"] = (license_files[0], read(license_files[0]))

        spdx: str | None = None
        if "package.json" in members:
            declared = json.loads(read("package.json")).get("license")
            spdx = declared if isinstance(declared, str) else None
    return out, spdx


def fetch_package(vendor_dir: Path, pkg: Package, registry: str) -> dict[str, Any]:
    """Download, verify and write one package. Returns its manifest entry."""
    url = tarball_url(registry, pkg)
    print(f"fetch  {pkg.name}@{pkg.version} <- {url}")
    tarball = download(url)
    verify_integrity(tarball, pkg.integrity, f"{pkg.name}@{pkg.version}")
    contents, spdx = extract(tarball, pkg)

    files: list[dict[str, Any]] = []
    for rel, (source, data) in contents.items():
        write_atomic(vendor_dir / rel, data)
        files.append(
            {
                "path": rel,
                "source": source,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
        print(f"  wrote {rel} ({len(data)} bytes)")

    # The script owns <vendor dir>/<name>/: drop files a previous pin left behind.
    package_dir = vendor_dir / pkg.name
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and path.relative_to(vendor_dir).as_posix() not in contents:
            print(f"  removed stale {path.relative_to(vendor_dir).as_posix()}")
            path.unlink()

    return {
        "name": pkg.name,
        "version": pkg.version,
        "license": spdx,
        "tarball": url,
        "integrity": pkg.integrity,
        "files": files,
    }


def sync(vendor_dir: Path, packages: Sequence[Package], registry: str) -> list[str]:
    """Fetch packages that are missing or do not match; leave correct ones untouched."""
    old = manifest_entries(load_manifest(vendor_dir))
    entries: list[dict[str, Any]] = []
    for pkg in packages:
        entry = old.get(pkg.name)
        if entry is not None and not pin_problems(pkg, entry) + entry_problems(vendor_dir, entry):
            print(f"ok     {pkg.name}@{pkg.version}")
            entries.append(entry)
        else:
            entries.append(fetch_package(vendor_dir, pkg, registry))

    manifest = {
        "comment": (
            "Generated by scripts/vendor_assets.py; do not edit. "
            "Verify with: scripts/vendor_assets.py --check"
        ),
        "packages": entries,
    }
    data = manifest_bytes(manifest)
    manifest_path = vendor_dir / MANIFEST_NAME
    if not manifest_path.is_file() or manifest_path.read_bytes() != data:
        write_atomic(manifest_path, data)
        print(f"wrote  {MANIFEST_NAME}")
    return check(vendor_dir, packages)


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(
        description="Vendor pinned, integrity-checked npm front-end files into static/vendor/.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="verify the vendor directory against MANIFEST.json without using the network",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=DEFAULT_VENDOR_DIR,
        help="vendor directory (default: %(default)s)",
    )
    parser.add_argument(
        "--registry",
        default=DEFAULT_REGISTRY,
        help="npm registry base URL; integrity is checked regardless (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    vendor_dir: Path = args.dir

    try:
        validate_packages(PACKAGES)
        if args.check:
            problems = check(vendor_dir, PACKAGES)
        else:
            if urllib.parse.urlsplit(args.registry).scheme != "https":
                raise VendorError(f"registry must be an https URL: {args.registry}")
            problems = sync(vendor_dir, PACKAGES, args.registry)
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        if args.check:
            print("run scripts/vendor_assets.py (without --check) to re-fetch", file=sys.stderr)
        return 1
    if args.check:
        print(f"ok: {vendor_dir} matches {MANIFEST_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
