"""The kiosk's visitor flow as a pure state machine: no Kivy, no HTTP, plain fakes."""

from __future__ import annotations

import itertools

import pytest

from kiosk.content import screen_text
from kiosk.flow import CallHelp, CheckIn, Flow, IssueTicket, LeavePhone, PrintState, Settings, Step
from kiosk.i18n import plural, tr
from kiosk.keypad import KeyCommand, command_for, digit_for, move_focus
from kiosk.office import MAX_TILES, parse_office


def office_document(situations: int = 9) -> dict:
    """An office document shaped like GET /api/v1/office."""
    citizen = [
        {"id": f"s{i}", "kind": "citizen", "name": {"ru": f"Ситуация {i}", "tt": f"Хәл {i}",
                                                    "en": f"Case {i}"},
         "description": {"ru": "Описание", "tt": "Тасвирлама", "en": "Description"},
         "pictogram": "magnifier", "queue": "reception"}
        for i in range(situations)
    ]
    # s0 is the employers' tile: the office asks them no out-of-turn question.
    citizen[0].update(kind="business", ask_priority=False)
    helper = {"id": "not_sure", "kind": "help",
              "name": {"ru": "Не знаю", "tt": "Белмим", "en": "Not sure"},
              "description": {"ru": "Поможем", "tt": "Ярдәм итәрбез", "en": "We help"},
              "pictogram": "question", "queue": "reception"}
    return {
        "id": "test", "name": {"ru": "Центр", "tt": "Үзәк", "en": "Centre"}, "appointments": True,
        "zones": [{"id": "reception", "name": {"ru": "Зона приёма", "tt": "Кабул итү зонасы",
                                               "en": "Reception"}},
                  {"id": "curators", "name": {"ru": "Кураторы", "tt": "Кураторлар",
                                              "en": "Curators"}}],
        "queues": [{"id": "reception", "name": {"ru": "Приём"}, "prefix": "А"},
                   {"id": "curator", "name": {"ru": "Куратор"}, "prefix": "К"}],
        "workplaces": [
            {"id": "w1", "zone": "reception", "serves": [{"queue": "reception", "weight": 1}]},
            {"id": "w3", "zone": "curators",
             "serves": [{"queue": "curator", "weight": 2}, {"queue": "reception", "weight": 1}]},
            {"id": "w4", "zone": "curators",
             "serves": [{"queue": "curator", "weight": 2}, {"queue": "reception", "weight": 1}]},
        ],
        "life_situations": [*citizen, helper],
    }


TICKET = {"id": "t1", "number": "А012", "spoken_number": "А 12", "queue": "reception",
          "people_ahead": 3, "estimated_wait_min": 12, "language": "ru", "status": "waiting"}


@pytest.fixture
def flow() -> Flow:
    ids = (f"request-{n}" for n in itertools.count(1))
    flow = Flow(new_request_id=lambda: next(ids), appointments_enabled=True)
    flow.office_loaded(parse_office(office_document()))
    return flow


def ask_for_ticket(flow: Flow, situation: str = "s1", priority: bool = False) -> IssueTicket:
    """Take a ticket, choose a situation, answer the question: the answer asks for the ticket."""
    flow.take_ticket()
    flow.choose_situation(situation)
    effect = flow.answer_priority(priority)
    assert effect is not None
    return effect


def test_office_keeps_at_most_eight_tiles_and_the_helper_apart():
    office = parse_office(office_document(situations=11))
    assert len(office.tiles) == MAX_TILES
    assert office.help_situation is not None and office.help_situation.id == "not_sure"
    assert all(tile.kind != "help" for tile in office.tiles)


def test_destination_is_the_zone_whose_workplaces_mainly_serve_the_queue():
    office = parse_office(office_document())
    # curators also take reception tickets, but reception's own zone is where to go
    assert office.destination("reception", "ru") == "Зона приёма"
    assert office.destination("curator", "tt") == "Кураторлар"


def test_whole_path_issues_one_ticket_with_the_choices(flow):
    flow.choose_language("tt")
    effect = ask_for_ticket(flow, "s2", priority=True)
    assert effect == IssueTicket("request-1", "s2", "tt", True)
    assert flow.step is Step.ISSUING
    assert flow.ticket_issued("request-1", TICKET, printing=True)
    assert flow.step is Step.TICKET and flow.print_state is PrintState.PRINTING
    flow.printed(ok=False)
    assert flow.print_state is PrintState.FAILED


def test_no_ticket_is_shown_without_the_servers_answer(flow):
    effect = ask_for_ticket(flow)
    assert flow.ticket is None and flow.step is Step.ISSUING
    flow.issue_failed(effect.request_id)
    assert flow.step is Step.UNAVAILABLE and flow.ticket is None


def test_a_stale_answer_for_another_request_is_ignored(flow):
    ask_for_ticket(flow)
    assert not flow.ticket_issued("someone-else", TICKET, printing=False)
    assert flow.step is Step.ISSUING


def test_retry_after_the_server_returns_reuses_the_request_id(flow):
    first = ask_for_ticket(flow)
    flow.issue_failed(first.request_id)
    flow.connection_changed(True)
    assert flow.step is Step.CONFIRM, "recovers by itself, choices kept"
    second = flow.confirm()
    assert second.request_id == first.request_id


def test_a_different_choice_gets_a_new_request_id(flow):
    first = ask_for_ticket(flow, "s1")
    flow.issue_failed(first.request_id)
    flow.connection_changed(True)
    flow.back()
    flow.back()
    flow.choose_situation("s3")
    assert flow.answer_priority(False).request_id != first.request_id


def test_take_ticket_while_the_server_is_unreachable_says_so(flow):
    flow.connection_changed(False)
    flow.take_ticket()
    assert flow.step is Step.UNAVAILABLE
    flow.connection_changed(True)
    assert flow.step is Step.START


def test_without_an_office_the_kiosk_cannot_issue():
    flow = Flow()
    flow.take_ticket()
    assert flow.step is Step.UNAVAILABLE


def test_unknown_situation_is_rejected(flow):
    flow.take_ticket()
    with pytest.raises(ValueError, match="unknown life situation"):
        flow.choose_situation("no_such")
    assert flow.step is Step.SITUATION


def test_not_sure_is_a_choice_leading_on(flow):
    flow.take_ticket()
    flow.choose_situation("not_sure")
    assert flow.step is Step.PRIORITY


@pytest.mark.parametrize(("path", "after_back"), [
    (["take_ticket"], Step.START),
    (["take_ticket", "s1"], Step.SITUATION),
    (["take_ticket", "s0"], Step.SITUATION),  # the employers' confirm: no question to go back to
])
def test_back_goes_one_step_back(flow, path, after_back):
    for move in path:
        if move == "take_ticket":
            flow.take_ticket()
        elif isinstance(move, bool):
            flow.answer_priority(move)
        else:
            flow.choose_situation(move)
    flow.back()
    assert flow.step is after_back


def test_start_over_keeps_language_idle_resets_everything(flow):
    flow.choose_language("en")
    flow.toggle_high_contrast()
    flow.toggle_speech()
    flow.take_ticket()
    flow.choose_situation("s1")
    flow.start_over()
    assert flow.step is Step.START and flow.language == "en" and flow.settings.high_contrast
    flow.take_ticket()
    flow.choose_situation("s0")
    flow.idle_timeout()
    assert flow.step is Step.START
    assert flow.settings == Settings()
    assert flow.situation_id is None and flow.ticket is None


def test_idle_reset_restores_configured_defaults():
    flow = Flow(defaults=Settings(speech=True))
    flow.toggle_speech()
    flow.choose_language("tt")
    flow.idle_timeout()
    assert flow.settings.speech and flow.language == "ru"


def test_start_over_waits_while_the_server_is_asked(flow):
    ask_for_ticket(flow)
    flow.start_over()
    assert flow.step is Step.ISSUING


def test_appointment_keypad_collects_a_code(flow):
    flow.open_appointment()
    for digit in "1234":
        flow.press_digit(digit)
    flow.erase_digit()
    flow.press_digit("x")  # not a digit: ignored
    assert flow.code == "123"
    assert flow.submit_code() == CheckIn("123", "ru")
    flow.check_in_refused("appointment_not_found")
    assert flow.step is Step.APPOINTMENT and flow.code == "123"
    assert "не найдена" in " ".join(screen_text(flow).lines)


def test_appointment_button_hidden_by_configuration_cannot_be_used():
    with pytest.raises(RuntimeError, match="switched off"):
        Flow().open_appointment()


def test_help_call_confirms_or_says_unavailable(flow):
    assert flow.call_help() == CallHelp()
    flow.help_sent()
    assert flow.step is Step.HELP_COMING
    flow.back()
    flow.call_help()
    flow.help_failed()
    assert flow.step is Step.UNAVAILABLE


def test_volume_and_rate_stay_in_range(flow):
    for _ in range(20):
        flow.change_rate(faster=False)
        flow.change_volume(up=False)
    assert flow.settings.rate >= 70 and flow.settings.volume >= 0.2
    for _ in range(20):
        flow.change_rate(faster=True)
        flow.change_volume(up=True)
    assert flow.settings.rate <= 230 and flow.settings.volume == 1.0


def test_listeners_hear_every_change(flow):
    seen = []
    flow.subscribe(lambda f: seen.append(f.step))
    flow.take_ticket()
    flow.choose_situation("s1")
    assert seen == [Step.SITUATION, Step.PRIORITY]


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_ticket_text_speaks_what_it_shows(flow, language):
    flow.choose_language(language)
    flow.ticket_issued(ask_for_ticket(flow).request_id, TICKET, printing=False)
    text = screen_text(flow)
    assert text.number == "А012"
    assert "А 12" in text.spoken and "А012" not in text.spoken
    assert len(text.spoken_lines) == len(text.lines)
    for spoken in text.spoken_lines:
        assert spoken.rstrip(".") in text.spoken
    # only the two lines with a number and a unit (3 and 4) may have a twin for the ear
    same = [shown == spoken for shown, spoken in zip(text.lines, text.spoken_lines, strict=True)]
    assert [same[0], same[1], same[4]] == [True, True, True]
    assert "12" in " ".join(text.lines)  # minutes of waiting


def test_screen_text_never_names_the_situation_on_the_ticket_screen(flow):
    """Privacy: the ticket screen says where to go, not what the visitor came for."""
    flow.ticket_issued(ask_for_ticket(flow, "s1").request_id, TICKET, printing=False)
    assert "Ситуация 1" not in screen_text(flow).spoken


# The table of docs/kiosk.md, "USB numeric keypad" (keypad codes 256–271, then top-row keys).
@pytest.mark.parametrize(("key", "command"), [
    (273, KeyCommand.PREVIOUS), (264, KeyCommand.PREVIOUS), (ord("8"), KeyCommand.PREVIOUS),
    (260, KeyCommand.PREVIOUS), (276, KeyCommand.PREVIOUS),
    (274, KeyCommand.NEXT), (258, KeyCommand.NEXT), (262, KeyCommand.NEXT), (275, KeyCommand.NEXT),
    (261, KeyCommand.REPEAT), (ord("5"), KeyCommand.REPEAT),  # the raised 5: where am I
    (13, KeyCommand.ACTIVATE), (271, KeyCommand.ACTIVATE),
    (270, KeyCommand.DETAILS), (256, KeyCommand.KEYS), (267, KeyCommand.LANGUAGE),
    (269, KeyCommand.BACK), (8, KeyCommand.BACK), (268, KeyCommand.START_OVER),
    (266, KeyCommand.CALL_ADMINISTRATOR),
])
def test_numeric_keypad_mapping(key, command):
    assert command_for(key) is command


def test_digits_type_on_the_code_screen():
    assert [digit_for(256 + n) for n in range(10)] == list("0123456789")
    assert digit_for(ord("7")) == "7" and digit_for(13) is None and digit_for(270) is None


def test_keypad_focus_wraps_round():
    assert move_focus(3, None, KeyCommand.NEXT) == 0
    assert move_focus(3, None, KeyCommand.PREVIOUS) == 2
    assert move_focus(3, 2, KeyCommand.NEXT) == 0
    assert move_focus(0, None, KeyCommand.NEXT) is None


# --- three touches, and the question only where it applies ------------------------------------


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_a_language_button_also_goes_on_to_the_situations(flow, language):
    flow.start_in(language)
    assert flow.step is Step.SITUATION and flow.language == language


def test_the_answer_to_the_question_asks_for_the_ticket(flow):
    flow.start_in("tt")  # touch 1
    flow.choose_situation("s1")  # touch 2
    assert flow.step is Step.PRIORITY
    assert flow.answer_priority(True) == IssueTicket("request-1", "s1", "tt", True)  # touch 3
    assert flow.step is Step.ISSUING


def test_where_the_office_asks_no_question_the_tile_leads_to_get_my_ticket(flow):
    flow.start_in("en")
    flow.choose_situation("s0")
    assert flow.step is Step.CONFIRM and flow.priority is False
    assert flow.answer_priority(True) is None, "no question on this path"
    text = screen_text(flow)
    assert tr("confirm_priority_no", "en") not in text.lines, "the question was never asked"
    assert flow.confirm() == IssueTicket("request-1", "s0", "en", False)


def test_the_office_document_says_where_to_ask():
    office = parse_office(office_document())
    assert not office.situation("s0").ask_priority
    assert office.situation("s1").ask_priority, "asked unless the office says otherwise"
    assert office.help_situation.ask_priority


def test_the_keypad_language_key_goes_round_the_languages(flow):
    seen = []
    for _ in range(4):
        flow.next_language()
        seen.append(flow.language)
    assert seen == ["tt", "en", "ru", "tt"]


# --- short speech, details on request, abbreviations written out --------------------------------


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_situation_screen_is_short_with_the_tiles_on_request(flow, language):
    flow.start_in(language)
    text = screen_text(flow)
    names = [name for i in range(8) for name in (f"Ситуация {i}", f"Хәл {i}", f"Case {i}")]
    assert not any(name in text.spoken for name in names)
    assert len(text.spoken.split()) <= 15
    assert text.spoken_details.startswith(text.spoken)
    assert all(tile in text.spoken_details for tile in text.details) and len(text.details) == 9


@pytest.mark.parametrize(("language", "ahead", "minutes", "people_said", "minutes_said"), [
    ("ru", 1, 1, "Перед вами 1 человек.", "около 1 минуты"),
    ("ru", 3, 12, "Перед вами 3 человека.", "около 12 минут"),
    ("ru", 11, 21, "Перед вами 11 человек.", "около 21 минуты"),
    ("ru", 22, 5, "Перед вами 22 человека.", "около 5 минут"),
    ("tt", 3, 12, "Сездән алда 3 кеше.", "якынча 12 минут"),
    ("en", 1, 1, "1 person ahead of you.", "about 1 minute."),
    ("en", 4, 12, "4 people ahead of you.", "about 12 minutes."),
])
def test_ticket_abbreviations_are_written_out_for_the_ear(
        flow, language, ahead, minutes, people_said, minutes_said):
    flow.choose_language(language)
    ticket = {**TICKET, "people_ahead": ahead, "estimated_wait_min": minutes}
    flow.ticket_issued(ask_for_ticket(flow).request_id, ticket, printing=True)
    text = screen_text(flow)
    assert people_said in text.spoken and minutes_said in text.spoken
    for abbreviation in ("чел.", "мин.", "min."):
        assert abbreviation not in text.spoken
    if language == "ru":
        assert "чел." in " ".join(text.lines), "the screen keeps its short form"


def test_plural_forms_of_every_language():
    assert [plural(n, "people_forms", "ru") for n in (1, 2, 5, 11, 14, 21, 23, 111)] == [
        "человек", "человека", "человек", "человек", "человек", "человек", "человека", "человек"]
    assert plural(1, "people_forms", "en") == "person" and plural(0, "people_forms", "en") == "people"
    assert plural(7, "people_forms", "tt") == "кеше"


# --- opening hours and appointments -------------------------------------------------------


def test_a_closed_office_says_when_it_opens_instead_of_offering_situations(flow):
    flow.office_loaded(parse_office({**office_document(), "open_now": False,
                                     "opens_at": "2026-12-07T08:00"}))
    flow.take_ticket()
    assert flow.step is Step.CLOSED and flow.opens_at == "2026-12-07T08:00"
    flow.back()
    assert flow.step is Step.START


def test_an_issue_refused_as_closed_shows_the_closed_screen_and_forgets_the_request(flow):
    effect = ask_for_ticket(flow)
    flow.issue_refused_closed(effect.request_id, "2026-12-07T08:00")
    assert flow.step is Step.CLOSED and flow.pending_request_id is None


def test_the_appointment_button_needs_the_server_and_the_configuration():
    document = office_document()
    for enabled, answers, available in ((True, True, True), (True, False, False), (False, True, False)):
        flow = Flow(appointments_enabled=enabled)
        assert not flow.appointments_available  # no office yet
        flow.office_loaded(parse_office({**document, "appointments": answers}))
        assert flow.appointments_available is available


def test_too_early_and_too_late_offer_the_ordinary_queue(flow):
    flow.open_appointment()
    for digit in "123456":
        flow.press_digit(digit)
    for refusal, offered in (("appointment_too_early", True), ("appointment_too_late", True),
                             ("appointment_not_found", False)):
        flow.submit_code()
        flow.check_in_refused(refusal, time="10:30")
        assert flow.offers_ordinary_ticket is offered
    flow.check_in_refused("appointment_too_early", time="10:30")
    flow.submit_code()
    flow.check_in_refused("appointment_too_early", time="10:30")
    flow.take_ticket()
    assert flow.step is Step.SITUATION


# --- a phone for «your turn is near»: optional, from the ticket screen ----------------------


def ticket_on_screen(flow: Flow) -> None:
    flow.take_ticket()
    flow.choose_situation("s1")
    request = flow.answer_priority(False)
    assert flow.ticket_issued(request.request_id, TICKET, printing=False)


def test_the_phone_is_offered_on_the_ticket_and_never_on_the_way(flow):
    assert not flow.may_leave_phone  # nowhere before the ticket
    ticket_on_screen(flow)
    assert flow.may_leave_phone
    flow.open_phone()
    assert flow.step is Step.PHONE
    for digit in "89123456789" + "0":  # at most eleven digits
        flow.press_digit(digit)
    assert flow.phone == "89123456789"
    flow.erase_digit()
    flow.erase_digit()
    assert flow.submit_phone() is None  # ten digits are needed
    flow.press_digit("8")
    flow.press_digit("9")
    effect = flow.submit_phone()
    assert effect == LeavePhone("t1", "89123456789")
    assert flow.step is Step.TICKET and flow.phone_note == "phone_sending"
    flow.phone_answered(True)
    assert flow.phone_note == "phone_accepted" and not flow.may_leave_phone


def test_a_refused_or_lost_phone_leaves_the_ticket_as_it_is(flow):
    ticket_on_screen(flow)
    flow.open_phone()
    for digit in "1234567890":
        flow.press_digit(digit)
    flow.submit_phone()
    flow.phone_answered(False)
    assert flow.phone_note == "phone_refused" and flow.may_leave_phone and flow.ticket == TICKET
    flow.phone_failed()
    assert flow.phone_note == "phone_not_sent" and flow.step is Step.TICKET
    flow.open_phone()
    flow.back()
    assert flow.step is Step.TICKET
    flow.start_over()
    assert flow.phone == "" and flow.phone_note is None


def test_a_called_ticket_is_not_offered_the_phone(flow):
    flow.take_ticket()
    flow.choose_situation("s1")
    request = flow.answer_priority(False)
    flow.ticket_issued(request.request_id, {**TICKET, "status": "called"}, printing=False)
    assert not flow.may_leave_phone
    flow.open_phone()
    assert flow.step is Step.TICKET
