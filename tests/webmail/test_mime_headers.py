import pytest

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


# Golden samples: the value as it sits in the header, and what a reader should see.
@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        # one word in a charset nobody knows: the words around it are still decoded
        (
            "=?utf-8?q?Caf=C3=A9?= =?x-unknown?q?abc?= =?iso-8859-1?q?cr=E8me?=",
            "Café =?x-unknown?q?abc?= crème",
        ),
        ("Re: =?x-mac-klingon?b?AAAA?= =?utf-8?b?w6lsw6h2ZQ==?=", "Re: =?x-mac-klingon?b?AAAA?= élève"),
        # broken base64 in one word only
        ("=?utf-8?b?!!!?= =?utf-8?q?ol=C3=A1?=", "=?utf-8?b?!!!?= olá"),
        # a multi-byte character split between two words of one charset
        ("=?utf-8?b?4oI=?= =?utf-8?b?rA==?= 5", "€ 5"),
        # white space between two encoded words disappears, around literal text it stays
        ("=?utf-8?q?a?=  =?utf-8?q?b?= c =?utf-8?q?d?=", "ab c d"),
        # bytes that are not valid in the declared charset become replacement characters
        ("=?utf-8?q?bad_=FF_byte?=", "bad \ufffd byte"),
        # an RFC 2231 language tag on the charset
        ("=?iso-8859-1*fr?q?d=E9j=E0?= vu", "déjà vu"),
        ("no words =? here ?=", "no words =? here ?="),
    ],
)
def test_one_broken_word_leaves_the_others_decoded(raw: str, shown: str) -> None:
    assert decode_words(raw) == shown
