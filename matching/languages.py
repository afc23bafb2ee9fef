"""English names of ISO 639-1 language codes, for reasons such as "Both speak German"."""

from __future__ import annotations

__all__ = ["LANGUAGE_NAMES", "language_name", "normalize_language"]

LANGUAGE_NAMES = {
    "af": "Afrikaans", "am": "Amharic", "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian",
    "bg": "Bulgarian", "bn": "Bengali", "bs": "Bosnian", "ca": "Catalan", "cs": "Czech",
    "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian",
    "fi": "Finnish", "fil": "Filipino", "fr": "French", "ga": "Irish", "gl": "Galician",
    "gu": "Gujarati", "ha": "Hausa", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "ig": "Igbo", "is": "Icelandic",
    "it": "Italian", "ja": "Japanese", "jv": "Javanese", "ka": "Georgian", "kk": "Kazakh",
    "km": "Khmer", "kn": "Kannada", "ko": "Korean", "ku": "Kurdish", "ky": "Kyrgyz",
    "lo": "Lao", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam",
    "mn": "Mongolian", "mr": "Marathi", "ms": "Malay", "mt": "Maltese", "my": "Burmese",
    "ne": "Nepali", "nl": "Dutch", "no": "Norwegian", "pa": "Punjabi",
    "pl": "Polish", "ps": "Pashto", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian",
    "rw": "Kinyarwanda", "si": "Sinhala", "sk": "Slovak", "sl": "Slovenian", "so": "Somali",
    "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "te": "Telugu", "tg": "Tajik", "th": "Thai", "tl": "Tagalog", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "xh": "Xhosa",
    "yi": "Yiddish", "yo": "Yoruba", "zh": "Chinese", "zu": "Zulu",
}

_BY_NAME = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}
#: Codes that name the same spoken language as another: the two written forms of
#: Norwegian (people who give either understand each other) and withdrawn ISO codes.
_SAME_AS = {"nb": "no", "nn": "no", "iw": "he", "in": "id", "ji": "yi"}


def language_name(code: str) -> str:
    """The English name of a language code (``"de"`` -> ``"German"``), else the code itself.

    Region subtags are ignored (``"pt-BR"`` -> ``"Portuguese"``).

    Examples
    --------
    >>> language_name("de"), language_name("pt-BR"), language_name("tlh")
    ('German', 'Portuguese', 'tlh')
    """
    return LANGUAGE_NAMES.get(normalize_language(code), code)


def normalize_language(code: str) -> str:
    """Lowercase a language code and drop its region (``"en-GB"`` -> ``"en"``).

    Norwegian Bokmål and Nynorsk (``nb``, ``nn``) are both ``no``, and withdrawn
    codes become their current ones (``iw`` -> ``he``).

    Examples
    --------
    >>> normalize_language(" EN_gb "), normalize_language("German"), normalize_language("nb-NO")
    ('en', 'de', 'no')
    """
    code = code.strip().lower()
    code = _BY_NAME.get(code) or code.replace("_", "-").split("-")[0]
    return _SAME_AS.get(code, code)
