"""Where an appeal is about: the region's municipalities and their towns and villages found in
the text or the address of the problem, inflected forms included («в Касимове», «Шиловского
района», «по Рязани», «Сасовском районе»).

The names come from `appeals/data/ryazan_places.json`: the 29 municipalities (25 districts and
4 city okrugs, OKTMO as in `sectors/data/ryazan_municipalities.geojson`) and the district
centres and main towns, each with the OKTMO of its municipality. A word of the text matches a
name when their pymorphy3 lemmas meet; the analyser's answer is cached per word form, and the
index of names is built once per process.

Ambiguity, and how it is settled:
- «Касимов» is the city okrug, «Касимовский район» the district around it: a district is
  named by its adjective followed by «район»/«р-н»/«округ» (within two words), never by the
  adjective alone — «Рязанская область» or «рязанские дороги» are not «Рязанский район».
- Names that are also surnames (Касимов, Михайлов, Скопин, Шилово) count in the text only
  after a preposition or a settlement word («в Касимове», «г. Михайлов»); names that are also
  ordinary words (Сапожок, Сараи, Рыбное, Тума) only when capitalised mid-sentence or after a
  settlement word. In the address, which lists places by design, both count as they are.
- The most specific match wins (a town over its district); the address over the text; then
  the first mention.
"""

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "ryazan_places.json"
# Long texts are cut: the place is named early, and a 1 MB text must not cost seconds here.
MAX_CHARS = 20_000

RANK_MUNICIPALITY = 2
RANK_PLACE = 3  # a town, a village, a city district: more specific than its municipality

_WORD_RE = re.compile(r"[а-яёa-z0-9]+(?:-[а-яёa-z0-9]+)*", re.IGNORECASE)
_SENTENCE_END = ".!?\n"

# Words naming a district after its adjective: «Шацкий район», «Шацкого р-на», «Шацкий МО».
_DISTRICT_LEMMAS = frozenset({"район", "округ"})
_DISTRICT_ABBREVIATIONS = frozenset(
    {"р-н", "р-на", "р-не", "р-ну", "р-ном", "рн", "р-он", "р-она", "р-оне", "мр", "мо"}
)
# A settlement word or a preposition of place before a name: «г. Касимов», «в Касимове», «р.п. Шилово».
_SETTLEMENT_WORDS = frozenset(
    {"г", "гор", "город", "города", "городе", "городу", "городом", "с", "село", "села", "селе", "селу", "рп", "п",
     "пгт", "пос", "поселок", "посёлок", "поселка", "посёлка", "поселке", "посёлке", "д", "дер", "деревня", "деревни",
     "деревне", "мкр", "микрорайон", "микрорайоне"}
)  # fmt: skip
_PREPOSITIONS = frozenset({"в", "во", "из", "по", "под", "до", "около", "возле", "у", "близ", "от", "к", "ко", "за"})


@dataclass(frozen=True)
class Place:
    """A name of the gazetteer: the OKTMO codes to try, most specific first."""

    name: str
    oktmos: tuple[str, ...]
    rank: int
    surname: bool = False  # also a surname: needs a preposition or a settlement word in the text
    common: bool = False  # also an ordinary word: needs a capital letter or a settlement word in the text


@dataclass(frozen=True)
class Match:
    place: Place
    start: int  # character offset in the searched string
    in_address: bool = False

    @property
    def oktmos(self) -> tuple[str, ...]:
        return self.place.oktmos

    @property
    def name(self) -> str:
        return self.place.name


# --- words ---------------------------------------------------------------------------------


@functools.cache
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def _plain(word: str) -> str:
    return word.lower().replace("ё", "е")


@functools.lru_cache(maxsize=200_000)
def lemmas(word: str) -> frozenset[str]:
    """Every normal form pymorphy3 offers for a word form, and the form itself (lower case, ё → е)."""
    word = _plain(word)
    if not any(ch.isalpha() for ch in word):
        return frozenset({word})
    return frozenset({word, *(_plain(p.normal_form) for p in _morph().parse(word))})


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The most probable normal form of a word form (lower case, ё → е)."""
    word = _plain(word)
    if not any(ch.isalpha() for ch in word):
        return word
    return _plain(_morph().parse(word)[0].normal_form)


def words(text: str) -> list[re.Match]:
    """The words of a text (hyphenated names are one word), as regex matches with their offsets."""
    return list(_WORD_RE.finditer(text[:MAX_CHARS]))


def lemmatize(text: str) -> list[str]:
    """The text as a list of lemmas: for similarity of texts (near-duplicates)."""
    return [lemma(m.group()) for m in words(text)]


def _name_keys(name: str, forms: Iterable[str] = ()) -> frozenset[str]:
    """The lemmas a name is found by: its geographic parses if pymorphy3 has any, else all of them."""
    word = _plain(name)
    parses = _morph().parse(word)
    geo = {_plain(p.normal_form) for p in parses if "Geox" in p.tag}
    return frozenset({word, *(geo or {_plain(p.normal_form) for p in parses}), *(_plain(f) for f in forms)})


# --- the index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    by_lemma: dict[str, tuple[Place, ...]]  # towns, villages and city okrugs by name
    districts: dict[str, Place]  # district (and city district) adjectives: only before «район»


@functools.cache
def _index() -> _Index:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    by_lemma: dict[str, list[Place]] = {}
    districts: dict[str, Place] = {}

    def add(place: Place, forms: Iterable[str] = ()) -> None:
        for key in _name_keys(place.name, forms):
            by_lemma.setdefault(key, []).append(place)

    for m in data["municipalities"]:
        if "adjective" in m:
            districts[_plain(m["adjective"])] = Place(m["name"], (m["oktmo"],), RANK_MUNICIPALITY)
        else:
            place = Place(m["city"], (m["oktmo"],), RANK_MUNICIPALITY, surname=m.get("surname", False))
            add(place, m.get("forms", ()))
    for d in data["city_districts"]:
        districts[_plain(d["adjective"])] = Place(f"{d['adjective']} район", (d["municipality"],), RANK_PLACE)
    for p in data["places"]:
        oktmos = (p["oktmo"], p["municipality"]) if p.get("oktmo") else (p["municipality"],)
        place = Place(p["name"], oktmos, RANK_PLACE, surname=p.get("surname", False), common=p.get("common", False))
        add(place, p.get("forms", ()))
    return _Index({k: tuple(v) for k, v in by_lemma.items()}, districts)


# --- matching ------------------------------------------------------------------------------


def _is_district_word(token: str) -> bool:
    token = _plain(token)
    return token in _DISTRICT_ABBREVIATIONS or bool(lemmas(token) & _DISTRICT_LEMMAS)


def _sentence_start(text: str, offset: int) -> bool:
    before = text[:offset].rstrip()
    return not before or before[-1] in _SENTENCE_END


def find_places(text: str, *, address: bool = False) -> list[Match]:
    """Every place named in `text`, in order. `address=True`: the text is an address (names that
    are also surnames or ordinary words count without a preposition or a capital letter)."""
    index = _index()
    tokens = words(text)
    found: list[Match] = []
    consumed: set[int] = set()
    for i, token in enumerate(tokens):
        forms = lemmas(token.group())
        district = next((index.districts[f] for f in forms if f in index.districts), None)
        if district is not None and any(_is_district_word(t.group()) for t in tokens[i + 1 : i + 3]):
            found.append(Match(district, token.start(), address))
            consumed.add(i)
    for i, token in enumerate(tokens):
        if i in consumed:
            continue
        candidates = {p for f in lemmas(token.group()) for p in index.by_lemma.get(f, ())}
        if not candidates:
            continue
        previous = _plain(tokens[i - 1].group()) if i else ""
        settlement = previous in _SETTLEMENT_WORDS
        for place in sorted(candidates, key=lambda p: (-p.rank, p.name)):
            if not address:
                if place.surname and not (settlement or previous in _PREPOSITIONS):
                    continue
                capital = token.group()[0].isupper() and not _sentence_start(text, token.start())
                if place.common and not (settlement or capital):
                    continue
            found.append(Match(place, token.start(), address))
            break
    found.sort(key=lambda m: m.start)
    return found


def best_match(matches: Sequence[Match]) -> Match | None:
    """The most specific match; the first mentioned among equally specific ones."""
    return min(matches, key=lambda m: (-m.place.rank, m.start), default=None)


def find_place(text: str, address: str = "") -> Match | None:
    """The place an appeal is about: the most specific one named in the address, else in the text."""
    return best_match(find_places(address or "", address=True)) or best_match(find_places(text or ""))


# --- territories ---------------------------------------------------------------------------


def territory_ids(items: Sequence[tuple[str, str]]) -> list[int | None]:
    """For each (text, address): the id of the active Territory it is about, or None. One query
    for the whole batch; a town's own territory is taken if the directory has it, else its municipality's."""
    from sectors.models import Territory

    matches = [find_place(text, address) for text, address in items]
    codes = {code for m in matches if m is not None for code in m.oktmos}
    if not codes:
        return [None] * len(matches)
    known = dict(Territory.objects.filter(oktmo__in=codes, is_active=True).values_list("oktmo", "pk"))
    return [next((known[c] for c in m.oktmos if c in known), None) if m else None for m in matches]


def find_territory(text: str, address: str = ""):
    """The Territory an appeal's text or address names, or None."""
    from sectors.models import Territory

    (pk,) = territory_ids([(text, address)])
    return Territory.objects.filter(pk=pk).first() if pk else None
