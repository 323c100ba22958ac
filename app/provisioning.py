"""Provisioning files: what a coordinator hands out so that a new install knows its server.

``qalam-server provision --server URL --project P --out DIR`` writes a folder named
``qalam-provisioning`` (:func:`folder_for`: ``DIR/qalam-provisioning``, or ``DIR`` itself when
it already has that name), the name the app looks for::

    DIR/qalam-provisioning/qalam-provisioning.json     the file below
    DIR/qalam-provisioning/tasks/urd.jsonl             optional: an initial task file

Copied as it is next to the installer or the unpacked app (beside the ``qalam`` executable),
or built into a bundle (``resources/provisioning/``), it lets the first start skip typing the
server address: the annotator types only their enrollment code, and the initial tasks give
them work before any connection. A folder of any other name beside the app is found too, one
level down (someone copied ``DIR`` itself). The file::

    {
      "format": "qalam-provisioning", "version": 1,
      "server_url": "https://192.168.1.20:8443",
      "project": "aya-urdu",
      "server_fingerprint": "3A:0F:...:9C",      # SHA-256 of the server's certificate
      "enrollment_codes": ["..."],               # optional
      "tasks": "tasks/urd.jsonl",                # optional, relative to this file's folder
      "created_at": "2026-11-26T07:30:00Z"
    }

Enrollment codes are one-time and revocable; put them in the file only when each copy goes
to one person (a code on a stick passed around can be used by whoever has it first).

    found = find(data_dir=paths.data_dir())          # None when there is no file
    if found: found.server_url, found.fingerprint, found.tasks_file
    # a file that is there but cannot be used raises ProvisioningError: say so at start

Nothing here touches the network or Qt.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from app.errors import QalamError

__all__ = [
    "FILE_NAME",
    "FORMAT",
    "VERSION",
    "Provisioning",
    "ProvisioningError",
    "candidates",
    "find",
    "folder_for",
    "normalize_fingerprint",
    "parse",
    "read",
    "write_provisioning",
]

FORMAT = "qalam-provisioning"
VERSION = 1
FILE_NAME = "qalam-provisioning.json"
#: A folder of this name beside the executable is searched too (a coordinator copies the
#: whole ``provision --out`` folder onto the stick).
FOLDER_NAME = "qalam-provisioning"
TASKS_FOLDER = "tasks"
#: Direct subfolders of the app's folder looked into for a provisioning file, at most (a
#: folder beside an AppImage may be a crowded Downloads folder; listing it must stay cheap).
MAX_SUBFOLDERS = 500
_MAX_CODES = 10_000
_FINGERPRINT = re.compile(r"^[0-9A-F]{64}$")


class ProvisioningError(QalamError):
    """A provisioning file that cannot be used; the message says why and which file."""


@dataclass(frozen=True)
class Provisioning:
    server_url: str
    project: str
    fingerprint: str | None  # "3A:0F:..." (SHA-256, colon-separated upper-case hex)
    codes: tuple[str, ...] = ()
    tasks_file: Path | None = None  # absolute; inside the provisioning folder
    created_at: str | None = None
    source: Path | None = field(default=None, compare=False)  # the file read


def normalize_fingerprint(value: str) -> str:
    """``"3a0f…"`` / ``"3A:0F:…"`` / ``"sha256:3a 0f …"`` -> ``"3A:0F:…"``; ValueError unless
    it is 32 bytes of hex."""
    text = value.strip().upper().removeprefix("SHA256:").removeprefix("SHA-256:")
    digits = re.sub(r"[\s:]", "", text)
    if not _FINGERPRINT.match(digits):
        raise ValueError(f"not a SHA-256 fingerprint (64 hex digits): {value!r}")
    return ":".join(digits[i:i + 2] for i in range(0, 64, 2))


def _server_url(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("server_url is missing")
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"server_url must be an http(s) address, not {value!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"server_url must not carry a query, fragment or password: {value!r}")
    return url


def _tasks_path(value, folder: Path) -> Path | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("tasks must be a path relative to the provisioning file")
    relative = PurePosixPath(value.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or re.match(r"^[A-Za-z]:", value):
        raise ValueError(f"tasks must stay inside the provisioning folder: {value!r}")
    path = folder.joinpath(*relative.parts)
    if not path.is_file():
        raise ValueError(f"the task file {value!r} is not beside the provisioning file")
    return path


def parse(data, folder: Path, *, source: Path | None = None) -> Provisioning:
    """Validate a decoded provisioning file whose relative paths start at ``folder``.
    Raises ValueError naming the first problem."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a Qalam provisioning file (format is not {FORMAT!r})")
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise ValueError("version is missing")
    if version > VERSION:
        raise ValueError(f"written for a newer Qalam (format version {version}); "
                         "update Qalam or ask for a new file")
    project = data.get("project")
    if not isinstance(project, str) or not project.strip() or len(project) > 200:
        raise ValueError("project is missing")
    fingerprint = data.get("server_fingerprint")
    if fingerprint is not None:
        if not isinstance(fingerprint, str):
            raise ValueError("server_fingerprint must be text")
        fingerprint = normalize_fingerprint(fingerprint)
    url = _server_url(data.get("server_url"))
    if url.startswith("https://") and fingerprint is None:
        # A field server's certificate is self-signed: without the pin the device could not
        # tell it from an impostor on the same network.
        raise ValueError("server_fingerprint is missing (needed to trust an https server)")
    codes = data.get("enrollment_codes") or []
    if not isinstance(codes, list) or len(codes) > _MAX_CODES or not all(
        isinstance(c, str) and c.strip() and len(c) <= 200 for c in codes
    ):
        raise ValueError("enrollment_codes must be a list of codes")
    created = data.get("created_at")
    return Provisioning(
        server_url=url, project=project.strip(), fingerprint=fingerprint,
        codes=tuple(c.strip() for c in codes), tasks_file=_tasks_path(data.get("tasks"), folder),
        created_at=created if isinstance(created, str) else None, source=source,
    )


def read(path: str | os.PathLike) -> Provisioning:
    """Read and validate one provisioning file. Raises ProvisioningError."""
    path = Path(path).resolve()
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))  # -sig: Notepad's BOM
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProvisioningError(f"Cannot read the provisioning file {path}: {error}") from error
    try:
        return parse(data, path.parent, source=path)
    except ValueError as error:
        raise ProvisioningError(f"The provisioning file {path} cannot be used: {error}") \
            from error


def folder_for(out_dir: str | os.PathLike) -> Path:
    """The folder ``provision --out out_dir`` writes: one named ``qalam-provisioning``, the
    name the app looks for beside itself (``out_dir`` itself when it is already named so)."""
    out = Path(out_dir)
    return out if out.name == FOLDER_NAME else out / FOLDER_NAME


def subfolder_files(executable_dir: Path) -> list[Path]:
    """Provisioning files one folder down beside the app, other than in ``qalam-provisioning``
    (say, the ``prov`` folder that ``provision --out prov`` made, copied whole), by folder
    name. Looks into at most :data:`MAX_SUBFOLDERS` folders; an unreadable folder is none."""
    found = []
    try:
        with os.scandir(executable_dir) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_SUBFOLDERS:
                    break
                if entry.name == FOLDER_NAME or entry.name.startswith("."):
                    continue
                path = Path(entry.path) / FILE_NAME
                if entry.is_dir() and path.is_file():
                    found.append(path)
    except OSError:
        return []
    return sorted(found)


def candidates(*, data_dir: Path | None = None, executable_dir: Path | None = None,
               bundle_dir: Path | None = None) -> list[Path]:
    """Where :func:`find` looks, first match wins: beside the executable (what the
    coordinator put with this copy), in a ``qalam-provisioning`` folder there, in any other
    folder there that holds one (:func:`subfolder_files`: only those that exist), inside the
    bundle (``resources/provisioning``), then the data directory. ``executable_dir`` and
    ``bundle_dir`` default to the frozen app's folder and its resources (none in a source
    checkout)."""
    return [path for group in _places(data_dir, executable_dir, bundle_dir) for path in group]


def _places(data_dir: Path | None, executable_dir: Path | None,
            bundle_dir: Path | None) -> list[list[Path]]:
    """:func:`candidates` in groups of equal rank: files in one group are equally likely."""
    if executable_dir is None:
        from app.paths import frozen_app_dir

        executable_dir = frozen_app_dir()
    if bundle_dir is None and getattr(sys, "frozen", False):
        import resources

        bundle_dir = resources.path("provisioning")
    groups = []
    if executable_dir is not None:
        beside = Path(executable_dir)
        data = Path(data_dir).resolve() if data_dir is not None else None
        below = [p for p in subfolder_files(beside) if p.parent.resolve() != data]
        groups += [[beside / FILE_NAME], [beside / FOLDER_NAME / FILE_NAME], below]
    if bundle_dir is not None:
        groups.append([Path(bundle_dir) / FILE_NAME])
    if data_dir is not None:
        groups.append([Path(data_dir) / FILE_NAME])
    return groups


def find(*, data_dir: Path | None = None, executable_dir: Path | None = None,
         bundle_dir: Path | None = None) -> Provisioning | None:
    """The first provisioning file in :func:`candidates`, read; None when there is none.
    A file that exists but cannot be used raises ProvisioningError (better than silently
    asking the annotator for an address the coordinator meant to give them), and so do files
    in two other folders beside the app with none in the usual places: which one the
    coordinator meant is not for the app to guess."""
    for group in _places(data_dir, executable_dir, bundle_dir):
        present = [path for path in group if path.is_file()]
        if len(present) > 1:
            folders = ", ".join(str(path.parent) for path in present)
            raise ProvisioningError(
                f"There are several provisioning files beside Qalam ({folders}); keep only "
                f"the one from your coordinator, in a folder named {FOLDER_NAME}.")
        if present:
            return read(present[0])
    return None


def write_provisioning(
    out_dir: str | os.PathLike,
    *,
    server_url: str,
    project: str,
    fingerprint: str | None,
    codes: list[str] | tuple[str, ...] = (),
    tasks_file: str | os.PathLike | None = None,
) -> Path:
    """Write a provisioning folder (``qalam-server provision``): ``qalam-provisioning.json``
    and, when ``tasks_file`` is given, a copy of it under ``tasks/``. Returns the file's
    path. Validates with the reader the devices use; raises ValueError before writing
    anything when the values would not be accepted."""
    out = Path(out_dir)
    draft = {"format": FORMAT, "version": VERSION, "server_url": server_url,
             "project": project,
             "server_fingerprint": normalize_fingerprint(fingerprint) if fingerprint else None,
             "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    if codes:
        draft["enrollment_codes"] = [str(c).strip() for c in codes]
    tasks_source = Path(tasks_file) if tasks_file is not None else None
    if tasks_source is not None:
        if not tasks_source.is_file():
            raise ValueError(f"no task file {tasks_source}")
        draft["tasks"] = f"{TASKS_FOLDER}/{tasks_source.name}"
    parse({**draft, "tasks": None}, out)  # everything but the copy, before writing
    out.mkdir(parents=True, exist_ok=True)
    if tasks_source is not None:
        (out / TASKS_FOLDER).mkdir(exist_ok=True)
        shutil.copyfile(tasks_source, out / TASKS_FOLDER / tasks_source.name)
    target = out / FILE_NAME
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(draft, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    read(target)  # what a device will see
    return target


def apply(store, found: Provisioning) -> int:
    """Use a provisioning file on this device: remember the server to offer at enrollment and
    import its initial tasks (idempotent: task ids are stable). Returns the tasks added."""
    from app import syncstate
    from app.taskfile import read_task_file

    with store.db.atomic():
        syncstate.set_meta(store, "provisioned_server_url", found.server_url)
        syncstate.set_meta(store, "provisioned_fingerprint", found.fingerprint or "")
        syncstate.set_meta(store, "provisioned_project", found.project)
    if found.tasks_file is None or found.tasks_file.suffix == ".qalam":
        return 0
    tasks = read_task_file(found.tasks_file, project=found.project)
    if store.db.execute("SELECT 1 FROM projects WHERE id = ?", [found.project]).fetchone() is None:
        store.upsert_project(id=found.project, name=found.project)  # its details come by sync
    return store.add_tasks(tasks)
