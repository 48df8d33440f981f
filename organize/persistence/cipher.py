"""AES-256-GCM for stored event state, keyed by the master key.

eventsourcing's own ``AESCipher`` needs pycryptodome; we already depend on ``cryptography``
(for key wrapping), whose AES-GCM is OpenSSL underneath and faster, so we use it here too.
The layout matches eventsourcing's: nonce (12 bytes) then ciphertext with its tag.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Cipher
from eventsourcing.utils import Environment

NONCE = 12


class MasterKeyCipher(Cipher):
    CIPHER_KEY = "CIPHER_KEY"

    def __init__(self, environment: Environment):
        key = environment.get(self.CIPHER_KEY)
        if not key:
            raise OSError("The master key is missing (ORGANIZE_CIPHER_KEY).")
        self.aead = AESGCM(base64.b64decode(key))

    def encrypt(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + self.aead.encrypt(nonce, plaintext, None)

    def decrypt(self, ciphertext: bytes) -> bytes:
        try:
            return self.aead.decrypt(ciphertext[:NONCE], ciphertext[NONCE:], None)
        except InvalidTag:
            raise ValueError("Stored event could not be decrypted with this master key.") from None
