"""Text normalisation for the appeal classifier: HTML and entities out, lower case, ё → е,
words only, lemmas by pymorphy3 (cached per word form), Russian stop words out.

Every function here is total: empty, huge (1 MB), HTML-only, emoji-only or non-Russian input
gives an empty or short result, never an exception — a worker must not die on a citizen's text.
"""

import html
import re
from functools import lru_cache

# A 1 MB appeal is a paste accident; its first pages say what it is about.
MAX_RAW_CHARS = 200_000
MAX_WORDS = 5_000
MAX_WORD_CHARS = 40  # longer «words» are glued junk (aaaaaa…, URLs without dots): no lemma to find

_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_SCRIPTS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_TAGS = re.compile(r"</?[a-zA-Z][^<>]{0,2000}>")
_WORDS = re.compile(r"[а-яa-z]+(?:-[а-яa-z]+)*")
_SPACES = re.compile(r"\s+")

# Written for appeals: function words, pronouns, politeness and letter formulae that every sector
# shares («прошу», «уважаемый», «здравствуйте»), and the auxiliary verbs. Kept: negations and
# words that carry a problem («нет», «не работает» → «не», «работать» — «не» matters in bigrams).
_STOP_WORDS = """
    а абы авось ага аж ай ал алло али аль ан благо бы будто бывать быть в вам вами вас весь во вокруг вон
    вот впрочем все всего всегда всё вы где да дабы даже для до добрый доброго день друг другой его ее её
    ей ему если есть еще ещё ж же за здесь здравствовать здравствуйте и из или им ими их к каждый как
    какой-то кажется ко когда кой кое-как который кто кто-то ли либо лишь мало между меня мне много может
    мой мочь мы на над надо наш него нее ней нем нём ни нибудь никто ним ними них но ну о
    об обо один однако около он она они оно опять от ото очень по под пожалуйста пока после потом почему
    почти при про просить раз разве с сам свой себя сей сих со собой совсем спасибо так также такой там
    тем то тогда того тоже той только том тот ту тут ты у уважаемый уж уже хотеть хоть хотя чего чей чем
    через что чтоб чтобы чуть эта эти это этот я
    г гр д ул тел т е др пр см ст шт кв
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_morph = None


def _analyzer():
    """The pymorphy3 analyser, created once per process on first use (≈0.1 s, ~15 MB)."""
    global _morph
    if _morph is None:
        import pymorphy3

        _morph = pymorphy3.MorphAnalyzer()
    return _morph


def strip_html(text: str) -> str:
    """Text without tags, comments, scripts and entities (&nbsp; becomes a space)."""
    if not text:
        return ""
    text = text[:MAX_RAW_CHARS]
    if "<" in text:
        text = _SCRIPTS.sub(" ", _COMMENTS.sub(" ", text))
        text = _TAGS.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
        if "&" in text:  # double-escaped by a broken export: &amp;nbsp; → &nbsp; → a space
            text = html.unescape(text)
        if "<" in text:  # tags that arrived escaped (&lt;p&gt;)
            text = _TAGS.sub(" ", text)
    return text


def normalize(text: str | None) -> str:
    """Lower-case plain text with ё → е and single spaces: what the character n-grams see."""
    if not text or not isinstance(text, str):
        return ""
    text = strip_html(text).lower().replace("ё", "е")
    return _SPACES.sub(" ", text).strip()


def tokenize(normalized: str) -> list[str]:
    """Cyrillic and Latin words (with inner hyphens) of normalised text; digits and signs dropped."""
    return _WORDS.findall(normalized)[:MAX_WORDS]


# Word forms of appeals whose first pymorphy3 parse is the wrong word («ямы» → «ям», a coaching inn).
LEMMA_OVERRIDES = {
    "ям": "яма", "ямы": "яма", "ямах": "яма", "ямам": "яма", "ямами": "яма",
    "кружки": "кружок", "кружков": "кружок", "кружках": "кружок",
}  # fmt: skip


@lru_cache(maxsize=300_000)
def lemma(word: str) -> str:
    """The normal form of one lower-case word form (the most probable parse); Latin words as they are."""
    if not ("а" <= word[0] <= "я"):
        return word
    override = LEMMA_OVERRIDES.get(word)
    if override is not None:
        return override
    return _analyzer().parse(word)[0].normal_form.replace("ё", "е")


def lemmas(text: str | None) -> list[str]:
    """Content lemmas of a text: words of two letters or more, stop words removed."""
    return _content_lemmas(tokenize(normalize(text)))


def _content_lemmas(words: list[str]) -> list[str]:
    result = []
    for word in words:
        if len(word) < 2 or len(word) > MAX_WORD_CHARS:
            continue
        lem = lemma(word)
        if lem not in STOP_WORDS:
            result.append(lem)
    return result


def prepare(text: str | None) -> tuple[str, str]:
    """Both views the model reads: the words of the normalised text (no digits or signs: what the
    character n-grams see) and their content lemmas, each joined by spaces."""
    words = tokenize(normalize(text))
    return " ".join(words), " ".join(_content_lemmas(words))
