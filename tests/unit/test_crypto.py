from cryptography.fernet import Fernet

from accounts import crypto


def test_round_trip_and_ciphertext_differs():
    token = crypto.encrypt("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert "wJalr" not in token
    assert crypto.decrypt(token) == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert crypto.encrypt("x") != crypto.encrypt("x")


def test_key_rotation_old_keys_still_decrypt(settings):
    old = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    token = crypto.encrypt("secret")
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    assert crypto.decrypt(token) == "secret"
