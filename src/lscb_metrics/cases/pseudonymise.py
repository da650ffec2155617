"""Pseudonymisation at the door: what of a child's record may be kept, and in what form.

- A child identifier becomes `P-` and the first 16 hex digits of HMAC-SHA256(key, identifier)
  (RFC 2104 keyed hash): the same child always gets the same pseudonym under one key, so a
  child's records can still be linked, but without the key nobody can recompute it from a
  guessed identifier. 64 bits keep accidental collisions negligible at national scale (about
  one pair in 10^7 among 10 million children).
- A date of birth is cut to the first of its month (in the SQL that types it, cases/validate.py).
- A column whose header says it holds names, addresses, postcodes or another person's number
  (NHS number, UPN...) is dropped unread, before anything else is done with the file.

The key comes from the environment, never from the repository: `LSCB_PSEUDONYMISATION_KEY`
(the key itself) or `LSCB_PSEUDONYMISATION_KEY_FILE` (a file holding it, outside the project).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from pathlib import Path

from lscb_metrics.config import KEY_VARIABLE
from lscb_metrics.errors import ConfigurationError

KEY_FILE_VARIABLE = "LSCB_PSEUDONYMISATION_KEY_FILE"
PSEUDONYM_PREFIX = "P-"
PSEUDONYM_HEX_DIGITS = 16
#: The shortest key accepted, in bytes: HMAC-SHA256 is only as strong as a 256-bit key.
MIN_KEY_BYTES = 32
# The key text taken out of the environment by load_pseudonymisation_key, by variable name.
_TAKEN: dict[str, str] = {}
_MAKE_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'
_HMAC_BLOCK_BYTES = 64  # SHA-256's block size (RFC 2104 pads the key to it)
_PROJECT_ROOT = Path(__file__).resolve().parents[3]

# Words (after splitting a header into words) that say a column identifies a person directly.
_IDENTIFYING_WORDS = frozenset(
    {
        "name", "names", "forename", "forenames", "surname", "surnames", "firstname",
        "lastname", "fullname", "middlename", "givenname", "familyname", "address",
        "addresses", "postcode", "postcodes", "zip", "street", "nhs", "upn", "uln", "nino",
        "phone", "telephone", "mobile", "email", "initials", "road", "town",
    }
)  # fmt: skip
# Header text that says so across word boundaries ("Post code", "National Insurance number").
_IDENTIFYING_PHRASES = (
    "postcode", "nationalinsurance", "addressline", "housenumber", "pupilnumber", "uniquepupil",
)  # fmt: skip
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def load_pseudonymisation_key() -> bytes:
    """The pseudonymisation key from the environment; ConfigurationError if there is none.

    `LSCB_PSEUDONYMISATION_KEY` holds the key as text, or `LSCB_PSEUDONYMISATION_KEY_FILE`
    names a file holding it (surrounding whitespace ignored). Setting both is refused as
    ambiguous, and a key file inside the project folder is refused: it would end up committed.
    The key variable is taken out of the environment once read, so no child process (Prefect's
    server, a browser) inherits it; later calls in this process get the key as first read.
    """
    text = os.environ.pop(KEY_VARIABLE, "")
    if text:
        _TAKEN[KEY_VARIABLE] = text
    file_name = os.environ.get(KEY_FILE_VARIABLE, "")
    if not text and not file_name:
        text = _TAKEN.get(KEY_VARIABLE, "")
    if text and file_name:
        raise ConfigurationError(
            f"both {KEY_VARIABLE} and {KEY_FILE_VARIABLE} are set; set only one of them"
        )
    if file_name:
        return _checked_key(_key_file_bytes(Path(file_name)), f"the key file {file_name}")
    if text:
        return _checked_key(text.encode("utf-8"), KEY_VARIABLE)
    raise ConfigurationError(
        "case lists are pseudonymised as they are read, and no pseudonymisation key is set. "
        f"Set {KEY_VARIABLE} to a secret of at least {MIN_KEY_BYTES} characters (make one "
        f"with {_MAKE_KEY}), or {KEY_FILE_VARIABLE} to a file outside the project that holds "
        "it. Keep the same key for every run, or children's records will no longer link."
    )


def pseudonym(key: bytes, child_id: str) -> str:
    """The pseudonym of a child identifier: 'P-' + 16 hex digits of HMAC-SHA256(key, id)."""
    digest = hmac.new(key, child_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_DIGITS]


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """RFC 2104's inner and outer padded keys, so that SQL can compute the same HMAC-SHA256 as
    `pseudonym` as sha256(outer || sha256(inner || message))."""
    block = (hashlib.sha256(key).digest() if len(key) > _HMAC_BLOCK_BYTES else key).ljust(
        _HMAC_BLOCK_BYTES, b"\0"
    )
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def pseudonym_hex_sql(column: str) -> str:
    """DuckDB expression for the 16 hex digits of the pseudonym of the text in `column`, given
    the pads from `hmac_pads` as the parameters $inner_pad and $outer_pad (so the key never
    appears in SQL text)."""
    inner = f"unhex(sha256($inner_pad::BLOB || encode({column})))"
    return f"left(sha256($outer_pad::BLOB || {inner}), {PSEUDONYM_HEX_DIGITS})"


def pseudonym_text(number: int) -> str:
    """A pseudonym as shown, from its number (the 64 bits its hex digits spell)."""
    return f"{PSEUDONYM_PREFIX}{number:0{PSEUDONYM_HEX_DIGITS}x}"


def pseudonym_text_sql(number: str) -> str:
    """`pseudonym_text` in SQL, for the pseudonym number in the expression `number`."""
    return f"'{PSEUDONYM_PREFIX}' || lpad(lower(hex({number})), {PSEUDONYM_HEX_DIGITS}, '0')"


def looks_identifying(header: str) -> bool:
    """Whether a column header says the column identifies a person directly: a name, address,
    postcode, telephone or email, or another service's number for them (NHS number, UPN, ULN,
    National Insurance number)."""
    words = [word.casefold() for word in _WORDS.findall(header)]
    squashed = "".join(words)
    return any(word in _IDENTIFYING_WORDS or word.endswith("name") for word in words) or any(
        phrase in squashed for phrase in _IDENTIFYING_PHRASES
    )


def _key_file_bytes(path: Path) -> bytes:
    """The key held in `path`, refusing a file inside the project folder."""
    resolved = path.expanduser().resolve()
    if resolved.is_relative_to(_PROJECT_ROOT):
        raise ConfigurationError(
            f"the key file {path} is inside the project folder, where it could be committed; "
            "keep it elsewhere (e.g. in your home folder, readable only by you)"
        )
    try:
        return resolved.read_bytes().strip()
    except OSError as error:
        raise ConfigurationError(
            f"cannot read the key file {path} ({error.strerror}); check {KEY_FILE_VARIABLE}"
        ) from None


def _checked_key(key: bytes, where: str) -> bytes:
    """`key`, refused when too short to be a secret."""
    if len(key) < MIN_KEY_BYTES:
        raise ConfigurationError(
            f"{where} holds a key of {len(key)} bytes; a pseudonymisation key needs at least "
            f"{MIN_KEY_BYTES} (make one with {_MAKE_KEY})"
        )
    return key
