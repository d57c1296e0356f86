"""The office configuration: the demo office loads, and bad files are refused precisely."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from queue_server.config import DEMO_OFFICE_PATH, PICTOGRAM_DIR, ConfigError, load_office
from queue_server.config.locator import KeyLocator

# ---------------------------------------------------------------- the demo office


@pytest.fixture(scope="module")
def demo():
    return load_office(DEMO_OFFICE_PATH)


def test_demo_office_loads(demo):
    assert demo.id == "nchelny"
    assert demo.name.ru == "Центр занятости населения г. Набережные Челны"
    assert demo.time_zone == "Europe/Moscow"
    assert demo.languages == ("ru", "tt", "en")
    assert [(h.weekday, f"{h.opens:%H:%M}-{h.closes:%H:%M}") for h in demo.hours] == [
        (0, "08:00-17:00"),
        (1, "08:00-17:00"),
        (2, "08:00-17:00"),
        (3, "08:00-17:00"),
        (4, "08:00-16:00"),
    ]
    assert (demo.rules.wait_norm_min, demo.rules.appointment_wait_norm_min) == (15, 5)
    assert demo.rules.calls_before_no_show == 3
    assert demo.rules.end_of_day == "cancel"
    assert demo.source == str(DEMO_OFFICE_PATH)


def test_disability_complex_has_the_49_services_of_the_seed(demo):
    disability = demo.life_situation("disability")
    assert disability.sensitive
    assert len(disability.services) == len(set(disability.services)) == 49
    groups = Counter(demo.service(s).group for s in disability.services)
    assert groups == {"existing": 9, "new": 39, "other": 1}
    names = {demo.service(s).name.ru for s in disability.services}
    for verbatim in (
        "Содействие гражданам в поиске подходящей работы",
        "Психологическая поддержка безработных граждан",
        "Школа безработного",
        "СМС-оповещение",
        "Реестр ИПРА",
        "«Клуб ищущих работу»",
        "Юридическая консультация граждан на татарском языке",
        "Тренинг «Приемы психологической саморегуляции»",
        "Помощь в оформлении выхода на пенсию по старости. Создание макета ЭВД",
        "Направление на психологическую поддержку ГАУСО ЦРИ «Изгелек»",
    ):
        assert verbatim in names


def test_service_texts_fall_back_to_russian(demo):
    service = demo.service("ipra_registry")
    assert service.name.tt == service.name.ru == "Реестр ИПРА"
    assert service.name.en != service.name.ru


def test_every_workplace_serves_known_queues(demo):
    queue_ids = {q.id for q in demo.queues}
    zone_ids = {z.id for z in demo.zones}
    for workplace in demo.workplaces:
        assert workplace.serves
        assert set(workplace.queue_ids) <= queue_ids
        assert workplace.zone in zone_ids
        assert all(served.weight >= 1 for served in workplace.serves)
    for queue in demo.queues:
        assert demo.workplaces_serving(queue.id), queue.id
    numbers = [w.number for w in demo.workplaces]
    assert len(numbers) == len(set(numbers))


def test_curators_prefer_their_queue_and_help_reception(demo):
    curators = [w for w in demo.workplaces if w.label.ru == "куратор"]
    assert len(curators) == 4
    for workplace in curators:
        assert workplace.weight_of("curator") == 2
        assert workplace.weight_of("reception") == 1


def test_prefixes_are_unique_spoken_letters_and_reveal_no_health(demo):
    prefixes = [q.prefix for q in demo.queues]
    assert len(prefixes) == len(set(prefixes))
    for prefix in prefixes:
        assert len(prefix) == 1 and prefix.isupper()
        assert "А" <= prefix <= "Я" and prefix not in "ЙЪЬЫЁ"
    for situation in demo.life_situations:
        if situation.sensitive:
            sharing = [
                s.id for s in demo.life_situations if s.queue == situation.queue and not s.sensitive
            ]
            assert sharing, f"{situation.id} alone in queue {situation.queue}"


def test_life_situations_fit_the_kiosk(demo):
    ids = [s.id for s in demo.life_situations]
    assert ids == [
        "job_search",
        "lost_job",
        "disability",
        "pre_pension",
        "youth",
        "business_start",
        "legal",
        "staff_search",
        "not_sure",
    ]
    tiles = [s for s in demo.life_situations if s.kind in ("citizen", "business")]
    assert len(tiles) <= 8
    assert [s.id for s in demo.life_situations if s.kind == "business"] == ["staff_search"]
    assert demo.life_situation("not_sure").kind == "help"
    assert demo.life_situation("not_sure").queue == "reception"
    assert demo.life_situation("not_sure").name.ru == "Не знаю — помогите выбрать"
    for situation in demo.life_situations:
        assert (PICTOGRAM_DIR / f"{situation.pictogram}.png").is_file()
        assert len(situation.name.ru.replace(" — ", " ").split()) <= 4
        assert situation.services, situation.id
        for language in ("ru", "tt", "en"):
            assert situation.name.get(language) and situation.description.get(language)


def test_employers_are_not_asked_the_out_of_turn_question(demo):
    asked = {s.id: s.ask_priority for s in demo.life_situations}
    assert [situation for situation, ask in asked.items() if not ask] == ["staff_search"]


def test_office_api_publishes_whether_to_ask_the_out_of_turn_question(signed_in):
    body = signed_in("kiosk").get("/api/v1/office").get_json()
    asked = {s["id"]: s["ask_priority"] for s in body["life_situations"]}
    assert asked["staff_search"] is False and asked["job_search"] is True


def test_tatar_texts_are_not_copies_of_russian(demo):
    for text in (
        [demo.name]
        + [s.name for s in demo.life_situations]
        + [s.description for s in demo.life_situations]
    ):
        assert text.tt != text.ru and text.en != text.ru


# ---------------------------------------------------------------- bad files

BASE = """\
[office]
id = "test"
name = { ru = "Тест", tt = "Тест үзәге", en = "Test" }
time_zone = "Europe/Moscow"
languages = ["ru", "tt", "en"]

[hours]
mon = "08:00-17:00"

[rules]
end_of_day = "cancel"

[[zones]]
id = "hall"
name = { ru = "Зал", tt = "Зал", en = "Hall" }

[[queues]]
id = "reception"
name = { ru = "Прием", tt = "Кабул итү", en = "Reception" }
prefix = "А"

[[queues]]
id = "curator"
name = { ru = "Куратор", tt = "Куратор", en = "Curator" }
prefix = "К"

[[workplaces]]
id = "window_1"
number = "1"
kind = "window"
zone = "hall"
label = { ru = "прием", tt = "кабул итү", en = "reception" }
serves = [{ queue = "reception", weight = 1 }]

[[workplaces]]
id = "window_2"
number = "2"
kind = "window"
zone = "hall"
label = { ru = "куратор", tt = "куратор", en = "curator" }
serves = [{ queue = "curator", weight = 2 }, { queue = "reception" }]

[[services]]
id = "job_search_help"
group = "existing"
name.ru = "Содействие гражданам в поиске подходящей работы"

[[life_situations]]
id = "job_search"
kind = "citizen"
name = { ru = "Ищу работу", tt = "Эш эзлим", en = "Looking for a job" }
description = { ru = "Поможем.", tt = "Ярдәм итәрбез.", en = "We help." }
pictogram = "magnifier"
queue = "reception"
services = ["job_search_help"]

[[life_situations]]
id = "disability"
kind = "citizen"
sensitive = true
name = { ru = "Инвалидность", tt = "Инвалидлык", en = "Disability" }
description = { ru = "Поможем.", tt = "Ярдәм итәрбез.", en = "We help." }
pictogram = "handshake"
queue = "curator"
services = ["job_search_help"]

[[life_situations]]
id = "legal"
kind = "citizen"
name = { ru = "Юрист", tt = "Юрист", en = "Lawyer" }
description = { ru = "Поможем.", tt = "Ярдәм итәрбез.", en = "We help." }
pictogram = "scales"
queue = "curator"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "office.toml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, snippet: str, nth: int = 1) -> int:
    """1-based line of the nth occurrence of snippet."""
    position = -1
    for _ in range(nth):
        position = text.index(snippet, position + 1)
    return text.count("\n", 0, position) + 1


def replace(old: str, new: str, nth: int = 1):
    def edit(text: str) -> str:
        position = -1
        for _ in range(nth):
            position = text.index(old, position + 1)
        return text[:position] + new + text[position + len(old) :]

    return edit


def test_base_file_loads(tmp_path):
    office = load_office(write(tmp_path, BASE))
    assert [q.prefix for q in office.queues] == ["А", "К"]
    assert office.workplace("window_2").weight_of("reception") == 1
    assert office.life_situation("legal").services == ()


# (case id, edit of BASE, expected key, snippet on the expected line, words in the reason)
BAD_FILES = [
    (
        "syntax",
        replace('prefix = "К"', 'prefix = "К'),
        "syntax",
        'prefix = "К',
        "not valid TOML at column 12",
    ),
    (
        "typo key",
        replace('prefix = "К"', 'prefx = "К"'),
        "queues[2].prefx",
        "prefx",
        "did you mean 'prefix'",
    ),
    (
        "unknown queue",
        replace('queue = "curator", weight = 2', 'queue = "curatr", weight = 2'),
        "workplaces[2].serves[1].queue",
        "curatr",
        "unknown queue 'curatr'",
    ),
    (
        "duplicate id",
        replace('id = "curator"', 'id = "reception"'),
        "queues[2].id",
        'id = "reception"\nname = { ru = "Куратор"',
        "duplicate id 'reception'",
    ),
    (
        "duplicate prefix",
        replace('prefix = "К"', 'prefix = "А"'),
        "queues[2].prefix",
        'prefix = "А"\n\n[[workplaces',
        "already used by queue 'reception'",
    ),
    (
        "latin lookalike prefix",
        replace('prefix = "К"', 'prefix = "A"'),
        "queues[2].prefix",
        'prefix = "A"',
        "already used",
    ),
    (
        "bad prefix",
        replace('prefix = "К"', 'prefix = "кк"'),
        "queues[2].prefix",
        'prefix = "кк"',
        "one capital letter",
    ),
    (
        "bad time zone",
        replace("Europe/Moscow", "Europe/Chelny"),
        "office.time_zone",
        "Europe/Chelny",
        "unknown time zone",
    ),
    (
        "missing tt",
        replace('tt = "Эш эзлим", ', ""),
        "life_situations[1].name.tt",
        'name = { ru = "Ищу работу"',
        "missing Tatar text",
    ),
    (
        "zero weight",
        replace("weight = 2", "weight = 0"),
        "workplaces[2].serves[1].weight",
        "weight = 0",
        "at least 1",
    ),
    (
        "fractional weight",
        replace("weight = 2", "weight = 1.5"),
        "workplaces[2].serves[1].weight",
        "weight = 1.5",
        "whole number",
    ),
    (
        "sensitive alone",
        replace('queue = "curator"\n', 'queue = "reception"\n', nth=2),
        "life_situations[2].queue",
        'queue = "curator"\nservices',
        "reveal health",
    ),
    (
        "unknown service",
        replace('services = ["job_search_help"]', 'services = ["nope"]', nth=2),
        "life_situations[2].services[1]",
        'services = ["nope"]',
        "unknown service 'nope'",
    ),
    (
        "unknown zone",
        replace('zone = "hall"', 'zone = "lobby"'),
        "workplaces[1].zone",
        'zone = "lobby"',
        "unknown zone",
    ),
    (
        "missing key",
        replace('kind = "window"\n', "", nth=2),
        "workplaces[2].kind",
        '[[workplaces]]\nid = "window_2"',
        "missing",
    ),
    (
        "wrong type",
        replace('number = "1"', "number = true"),
        "workplaces[1].number",
        "number = true",
        "not true",
    ),
    ("bad hours", replace('"08:00-17:00"', '"8-17"'), "hours.mon", '"8-17"', '"08:00-17:00"'),
    (
        "hours reversed",
        replace('"08:00-17:00"', '"17:00-08:00"'),
        "hours.mon",
        "17:00-08:00",
        "after",
    ),
    (
        "languages without ru",
        replace('["ru", "tt", "en"]', '["tt", "en"]'),
        "office.languages",
        'languages = ["tt"',
        'must include "ru"',
    ),
    (
        "unknown language",
        replace('["ru", "tt", "en"]', '["ru", "de"]'),
        "office.languages[2]",
        'languages = ["ru", "de"]',
        "not a supported language",
    ),
    (
        "bad end of day",
        replace('end_of_day = "cancel"', 'end_of_day = "delete"'),
        "rules.end_of_day",
        "end_of_day",
        "'cancel', 'keep'",
    ),
    (
        "missing pictogram",
        replace('pictogram = "scales"', 'pictogram = "no_such_picture"'),
        "life_situations[3].pictogram",
        "no_such_picture",
        "no picture file",
    ),
    (
        "unserved queue",
        replace('{ queue = "curator", weight = 2 }, ', ""),
        "queues[2]",
        '[[queues]]\nid = "curator"',
        "no workplace serves queue 'curator'",
    ),
    (
        "duplicate key",
        replace('prefix = "К"', 'prefix = "К"\nprefix = "Б"'),
        "queues[2].prefix",
        'prefix = "Б"',
        "written twice",
    ),
    (
        "unknown top-level table",
        lambda text: text + "\n[colours]\nbg = 1\n",
        "colours",
        "[colours]",
        "unknown key",
    ),
]


@pytest.mark.parametrize(
    ("edit", "key", "line_snippet", "reason"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_FILES],
)
def test_bad_file_is_refused_with_key_line_and_reason(tmp_path, edit, key, line_snippet, reason):
    text = edit(BASE)
    assert text != BASE
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_office(path)
    err = caught.value
    assert (err.file, err.key) == (str(path), key), str(err)
    assert err.line == line_of(text, line_snippet), str(err)
    assert reason in err.reason, str(err)
    assert str(err) == f"{path}:{err.line}: {key}: {err.reason}"


def test_more_than_eight_tiles_is_refused(tmp_path):
    block = BASE[BASE.index('[[life_situations]]\nid = "legal"') :]
    extra = "".join(block.replace('"legal"', f'"legal_{n}"') + "\n" for n in range(6))
    with pytest.raises(ConfigError, match=r"life_situations\[9\]: .*at most 8"):
        load_office(write(tmp_path, BASE + "\n" + extra))


def test_unreadable_file_has_no_line(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as caught:
        load_office(missing)
    assert caught.value.line is None
    assert str(caught.value).startswith(f"{missing}: file: cannot read")


def test_error_text_format():
    assert str(ConfigError("a.toml", 3, "queues[1].prefix", "bad")) == (
        "a.toml:3: queues[1].prefix: bad"
    )
    assert str(ConfigError("a.toml", None, "file", "cannot read")) == "a.toml: file: cannot read"


# ---------------------------------------------------------------- the line locator


def test_locator_follows_tables_arrays_and_inline_values():
    text = (
        "# comment [not.a.table]\n"  # 1
        "[office]\n"  # 2
        'name = { ru = "a", tt = "b" }\n'  # 3
        "[[queues]]\n"  # 4
        'id = "a"\n'  # 5
        "[[queues]]\n"  # 6
        'id = "b"  # ] tricky\n'  # 7
        'text = """\n[fake]\nid = 1\n"""\n'  # 8-11
        "serves = [\n"  # 12
        '  { queue = "x" },\n'  # 13
        '  { queue = "y", weight = 2 },\n'  # 14
        "]\n"  # 15
        "[[queues.extra]]\n"  # 16
        "name.ru = 'c'\n"  # 17
    )
    locate = KeyLocator(text).line
    assert locate("office.name.tt") == 3
    assert locate("queues[1].id") == 5
    assert locate("queues[2].id") == 7
    assert locate("queues[2].serves[2].weight") == 14
    assert locate("queues[2].serves[1].queue") == 13
    assert locate("queues[2].missing") == 6
    assert locate("queues[2].extra[1].name.ru") == 17
    assert locate("fake") is None
    assert locate("nowhere.at.all") is None
