"""Resolving secrets by name.

Specs only ever *name* a secret (``THIRDWATCH_API_KEY``); its value is looked up at call time,
in this order (the first that has a non-empty value wins):

1. ``credentials=`` given to the client (a mapping name -> value);
2. the environment (``THIRDWATCH_API_KEY=...``);
3. the chosen profile of the credentials file.

The credentials file is YAML, one mapping of secrets per profile::

    # ~/.config/specclient/credentials.yaml   (chmod 600)
    default:                       # used when no profile is chosen
      THIRDWATCH_API_KEY: tw-...
    sandbox:
      INGRAM_CLIENT_ID: ...
      INGRAM_CLIENT_SECRET: ...
      INGRAM_WEBHOOK_SECRET: [new-secret, old-secret]   # several: all accepted by receivers
    production:
      INGRAM_CLIENT_ID: ...

Its location is ``$SPECCLIENT_CREDENTIALS`` if set, else
``$XDG_CONFIG_HOME/specclient/credentials.yaml`` (``~/.config/...`` by default). The profile is
``Client(profile=...)``, ``specclient --profile``, else ``$SPECCLIENT_PROFILE``, else
``default``. On POSIX a file that group or others may read or write is refused, as ssh refuses
such a private key. The file is read only when a secret is not found in ``credentials=`` or
the environment, and at most once.
"""

from __future__ import annotations

import os
import re
import stat
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .errors import CredentialsFileError, MissingCredentialError

__all__ = ["Credentials", "default_credentials_path", "DEFAULT_PROFILE", "FallbackCredentials",
           "PLACEHOLDER_SECRET", "shell_hint"]

DEFAULT_PROFILE = "default"
_LOOKED_IN = "credentials=, the environment, or the credentials file"


def default_credentials_path(environ: Mapping[str, str] | None = None) -> str:
    """Where the credentials file is looked for (it need not exist)."""
    env = os.environ if environ is None else environ
    if env.get("SPECCLIENT_CREDENTIALS"):
        return os.path.expanduser(env["SPECCLIENT_CREDENTIALS"])
    base = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "specclient", "credentials.yaml")


def _values(value: Any) -> list[str]:
    """A secret's value(s) as a list of non-empty strings (a list gives several)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for item in items:
        if item is None or isinstance(item, (dict, list, tuple)):
            continue
        text = item if isinstance(item, str) else str(item)
        if text:
            out.append(text)
    return out


class Credentials:
    """Looks up secret values by name. Its repr never shows a value.

    ``explicit``: values by name (a value may be a list of several, for key rotation);
    ``environ``: the environment to read (default ``os.environ``); ``file``: the credentials
    file (default: see :func:`default_credentials_path`; ``False`` for none); ``profile``: the
    file's profile (default ``$SPECCLIENT_PROFILE`` or ``default``).
    """

    def __init__(
        self,
        explicit: Mapping[str, str | Sequence[str]] | None = None,
        environ: Mapping[str, str] | None = None,
        *,
        file: str | os.PathLike[str] | bool | None = None,
        profile: str | None = None,
    ):
        self._explicit = dict(explicit or {})
        for key, value in self._explicit.items():
            items = value if isinstance(value, (list, tuple)) else [value]
            if not all(item is None or isinstance(item, str) for item in items):
                kind = next(type(i).__name__ for i in items if not isinstance(i, str | None))
                raise TypeError(f"credentials[{key!r}] must be a string (or a list of strings), "
                                f"not {kind}: a number or a boolean is not sent as written")
        self._environ = os.environ if environ is None else environ
        self._profile_given = profile is not None or bool(self._environ.get("SPECCLIENT_PROFILE"))
        self.profile = profile or self._environ.get("SPECCLIENT_PROFILE") or DEFAULT_PROFILE
        if file is False:
            self.path: str | None = None
        elif file is None or file is True:
            self.path = default_credentials_path(self._environ)
        else:
            self.path = os.fspath(file)
        self._file_named = file not in (None, True, False) \
            or bool(self._environ.get("SPECCLIENT_CREDENTIALS"))
        self._file: dict[str, list[str]] | None = None
        self._lock = threading.Lock()

    # -- lookups

    def get(self, name: str, operation: str | None = None) -> str:
        """The value of secret ``name`` (the first, if several); :class:`MissingCredentialError`
        if it has none."""
        value = self._explicit.get(name)
        if value.__class__ is str and value:  # the common case, asked on every call
            return value  # type: ignore[no-any-return]
        return self.get_all(name, operation)[0]

    def get_all(self, name: str, operation: str | None = None) -> list[str]:
        """Every value of secret ``name`` (several for key rotation); at least one, else
        :class:`MissingCredentialError`."""
        values = self.find_all(name)
        if not values:
            raise MissingCredentialError(name, operation, looked_in=_LOOKED_IN)
        return values

    def find(self, name: str) -> str | None:
        """The value of secret ``name``, or None."""
        values = self.find_all(name)
        return values[0] if values else None

    def find_all(self, name: str) -> list[str]:
        """Every value of secret ``name`` from the first place that has one; maybe empty."""
        value = self._explicit.get(name)
        if value.__class__ is str and value:  # the common case, without _values
            return [value]
        values = _values(value)
        if values:
            return values
        values = _values(self._environ.get(name))
        if values:
            return values
        return list(self._profile_values().get(name, []))

    # -- the file

    def _profile_values(self) -> dict[str, list[str]]:
        if self._file is None:
            with self._lock:
                if self._file is None:
                    self._file = self._load()
        return self._file

    def _load(self) -> dict[str, list[str]]:
        path = self.path
        if path is None:
            return {}
        try:
            st = os.stat(path)
        except FileNotFoundError:
            if self._file_named:
                raise CredentialsFileError(path, "not found (named by SPECCLIENT_CREDENTIALS "
                                                 "or file=)") from None
            if self._profile_given:
                raise CredentialsFileError(path, f"not found, so profile {self.profile!r} "
                                                 "has no secrets") from None
            return {}
        except OSError as exc:
            raise CredentialsFileError(path, f"cannot be read ({exc.strerror})") from None
        if os.name == "posix" and st.st_mode & 0o077:
            mode = stat.S_IMODE(st.st_mode)
            raise CredentialsFileError(
                path, f"is accessible by group or others (mode {mode:04o}); refusing to use "
                      f"it. Run: chmod 600 {path}")
        if os.name == "posix" and st.st_uid != os.getuid():
            raise CredentialsFileError(
                path, f"is owned by another user (uid {st.st_uid}, you are {os.getuid()}); "
                      f"refusing to use it, as ssh refuses such a key")
        import yaml  # PyYAML only when a YAML file is read or written (start-up)

        try:
            with open(path, encoding="utf-8") as fh:
                # every scalar a string exactly as written: 0012345, 0x1F, 1_000, 12:30:45 and
                # yes are not numbers, times or booleans here (YAML 1.1 would change them)
                data = yaml.load(fh, Loader=yaml.BaseLoader)
        except OSError as exc:
            raise CredentialsFileError(path, f"cannot be read ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or "not valid YAML"
            # the parser may quote the text it stopped at (part of a secret): never shown
            problem = re.sub(r"'[^']*'|\"[^\"]*\"", "'...'", problem)
            raise CredentialsFileError(path, f"not valid YAML: {problem}", line) from None
        except UnicodeDecodeError:
            raise CredentialsFileError(path, "not UTF-8 text") from None
        if data is None:
            data = {}
        if data == "":  # an empty file (BaseLoader reads nothing as an empty string)
            data = {}
        if not isinstance(data, dict) or not all(isinstance(v, dict) or v in (None, "")
                                                 for v in data.values()):
            raise CredentialsFileError(path, "expected profiles at the top level, each a "
                                             "mapping of secret names to values")
        if self.profile not in data:
            if self._profile_given:
                names = ", ".join(sorted(map(str, data))) or "none"
                raise CredentialsFileError(path, f"has no profile {self.profile!r} "
                                                 f"(it has {names})")
            return {}
        return {str(k): _values(v) for k, v in (data[self.profile] or {}).items()}

    def __repr__(self) -> str:
        return (f"<Credentials: {len(self._explicit)} given explicitly, profile "
                f"{self.profile!r}, values hidden>")


class FallbackCredentials(Credentials):
    """Credentials that stand in ``fallback(name)`` for any secret without a value, and keep
    the names of those (``missing``): the mock's demo values, and a dry run's placeholders."""

    def __init__(self, base: Credentials, fallback: Callable[[str], str]):
        super().__init__({}, {}, file=False)
        self._base = base
        self._fallback = fallback
        self.missing: list[str] = []

    def find_all(self, name: str) -> list[str]:
        found = self._base.find_all(name)
        if found:
            return found
        if name not in self.missing:
            self.missing.append(name)
        return [self._fallback(name)]

    def __repr__(self) -> str:
        return "<FallbackCredentials: real values where given; values hidden>"


#: What a dry run uses for a secret without a value: valid as text, hex and base64 alike, so
#: a signature can still be computed (over a placeholder key) and the request shown.
PLACEHOLDER_SECRET = "0000000000000000"


def shell_hint(names: Iterable[str], path: str | None = None) -> str:
    """How to set secrets from a shell: ``export A=... B=...``, or the credentials file."""
    exports = " ".join(f"{n}=..." for n in names)
    where = path or default_credentials_path()
    return f"export {exports}  (or add them to {where})"
