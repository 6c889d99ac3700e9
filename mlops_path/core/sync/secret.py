"""The sync secret: a passphrase the learner gives each of their own devices, so that their notes
travel between them end-to-end encrypted and a file under their name that cannot prove it knows
the secret is not merged into their progress.

From the passphrase and the learner's name, scrypt derives 64 bytes (once per device: the derived
key, never the passphrase, is kept in the private progress file): the first half signs each device
file (HMAC-SHA256 over its canonical JSON, in `proof`), the second encrypts its notes (AES-GCM from
`cryptography`, a well-kept library; the learner and device are its associated data, so a sealed
blob cannot be moved to another file). The shared place never holds a note in clear unless the
learner also shares notes with the group (`share-notes on`), and nobody without the secret can
read, alter or forge one undetected. Without a secret, anyone who can write to the shared place can
write under any name (README: "Sync").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024}  # about 0.1 s, once per device
MIN_LENGTH = 8  # characters of a passphrase


class Tampered(Exception):
    """A sealed blob that does not open with this key: another secret, or altered."""


def derive(passphrase: str, learner_key: str) -> str:
    """The device's key (hex) for `passphrase`, salted with the learner's normalised name."""
    salt = b"mlops-path sync secret\0" + learner_key.encode("utf-8")
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, dklen=64, **SCRYPT).hex()


def _canonical(document: dict[str, Any]) -> bytes:
    body = {k: v for k, v in document.items() if k != "proof"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def prove(key: str, document: dict[str, Any]) -> str:
    return hmac.new(bytes.fromhex(key)[:32], _canonical(document), hashlib.sha256).hexdigest()


def proves(key: str, document: dict[str, Any]) -> bool:
    """Does `document` (parsed JSON) carry a proof made with `key`?"""
    given = document.get("proof")
    return type(given) is str and hmac.compare_digest(given, prove(key, document))


def seal(key: str, notes: dict[str, Any], learner: str, device: str) -> str:
    """`notes` (resource id -> its notes, as JSON) encrypted and authenticated; base64 text."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    data = json.dumps(notes, sort_keys=True, ensure_ascii=False).encode("utf-8")
    # the nonce is derived from the notes (deterministic authenticated encryption): the same notes
    # seal to the same bytes, so a sync with nothing new writes and commits nothing
    nonce = hmac.new(bytes.fromhex(key)[:32], b"nonce\0" + data, hashlib.sha256).digest()[:12]
    sealed = AESGCM(bytes.fromhex(key)[32:]).encrypt(nonce, data, f"{learner}\0{device}".encode())
    return base64.b64encode(nonce + sealed).decode("ascii")


def unseal(key: str, sealed: str, learner: str, device: str) -> Any:
    """The notes `seal` made; Tampered if the key is not the one that sealed them or a byte changed."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.b64decode(sealed.encode("ascii"), validate=True)
        data = AESGCM(bytes.fromhex(key)[32:]).decrypt(raw[:12], raw[12:], f"{learner}\0{device}".encode())
        return json.loads(data)
    except (InvalidTag, ValueError, UnicodeError):
        raise Tampered from None
