from webmail.mime.headers import decode_words


def test_plain_ascii_passes_through() -> None:
    assert decode_words(b"Lunch on Friday?") == "Lunch on Friday?"


def test_rfc2047_words_in_several_charsets() -> None:
    assert decode_words("=?utf-8?q?Jos=C3=A9_=C3=81lvarez?=") == "José Álvarez"
    assert decode_words("=?iso-8859-1?q?caf=E9?= au lait") == "café au lait"
    assert decode_words("=?utf-8?b?6LOH5paZ44Gu6YCB5LuY?=") == "資料の送付"


def test_unknown_charset_and_broken_encoding_never_raise() -> None:
    assert decode_words("=?x-unknown?q?abc?=") == "=?x-unknown?q?abc?="
    assert "Hello" in decode_words("Hello =?utf-8?b?!!!?=")


def test_folded_whitespace_and_nul_bytes_are_cleaned() -> None:
    assert decode_words(b"a\r\n  folded\x00 subject") == "a folded subject"


def test_none_is_empty() -> None:
    assert decode_words(None) == ""
