import sqlite3

from cur.sqlite import unicode_like


def test_like_matches_cyrillic_regardless_of_case():
    assert unicode_like("%мусор%", "Не вывозят МУСОР во дворе", "\\")
    assert not unicode_like("%мусор%", "Нет горячей воды", "\\")


def test_like_keeps_wildcards_and_the_escape_character():
    assert unicode_like("ул._Ленина%", "Ул. Ленина, 5")
    assert unicode_like("100\\%", "100%", "\\")
    assert not unicode_like("100\\%", "1000", "\\")


def test_an_sqlite_connection_with_the_function_folds_cyrillic_case():
    conn = sqlite3.connect(":memory:")
    conn.create_function("like", 3, unicode_like, deterministic=True)
    rows = conn.execute("SELECT 'Яма на дороге' LIKE '%ЯМА%' ESCAPE '\\'").fetchone()
    assert rows == (1,)
