"""A USB numeric keypad alone drives the kiosk, guided by speech, as at a bank terminal.

The layout follows the standard numeric keypad with its raised 5 (the ADA 707
convention for ATMs and fare machines): the fingers find 5 first, so 5 is
"where am I" and the keys around it move::

    /  next language        *  start over          -  back
    8  previous control                            +  details (the long text)
    4  previous   5  repeat   6  next
    2  next control                                Enter  choose
    0  which key does what              .  call the administrator

The arrows (NumLock off) move like 8/2 and 4/6.  On the appointment screen the
digits type the booking code instead (Backspace erases).  The first key pressed
switches speech on and says which keys do what; any key cuts off speech at once.
Key codes are Kivy's (SDL) codes, so keypad and top-row keys act alike.
"""

from __future__ import annotations

from enum import StrEnum


class KeyCommand(StrEnum):
    PREVIOUS = "previous"
    NEXT = "next"
    ACTIVATE = "activate"
    REPEAT = "repeat"
    DETAILS = "details"
    KEYS = "keys"
    LANGUAGE = "language"
    BACK = "back"
    START_OVER = "start_over"
    CALL_ADMINISTRATOR = "call_administrator"


_UP, _DOWN, _RIGHT, _LEFT = 273, 274, 275, 276
_ENTER, _KP_ENTER, _BACKSPACE = 13, 271, 8
_KP = {digit: 256 + digit for digit in range(10)}
_KP_DECIMAL, _KP_DIVIDE, _KP_MULTIPLY, _KP_MINUS, _KP_PLUS = 266, 267, 268, 269, 270
ERASE_KEYS = frozenset({_BACKSPACE})
"""Keys that erase the last digit of a code being typed."""


def _digit(value: int) -> tuple[int, int]:
    """The keypad key and the top-row key of one digit."""
    return _KP[value], ord(str(value))


KEY_COMMANDS: dict[int, KeyCommand] = {
    **dict.fromkeys((*_digit(8), *_digit(4), _UP, _LEFT), KeyCommand.PREVIOUS),
    **dict.fromkeys((*_digit(2), *_digit(6), _DOWN, _RIGHT), KeyCommand.NEXT),
    **dict.fromkeys(_digit(5), KeyCommand.REPEAT),
    **dict.fromkeys((_KP_ENTER, _ENTER), KeyCommand.ACTIVATE),
    **dict.fromkeys((_KP_PLUS, ord("+")), KeyCommand.DETAILS),
    **dict.fromkeys(_digit(0), KeyCommand.KEYS),
    **dict.fromkeys((_KP_DIVIDE, ord("/")), KeyCommand.LANGUAGE),
    **dict.fromkeys((_KP_MINUS, ord("-"), _BACKSPACE), KeyCommand.BACK),
    **dict.fromkeys((_KP_MULTIPLY, ord("*")), KeyCommand.START_OVER),
    **dict.fromkeys((_KP_DECIMAL, ord(".")), KeyCommand.CALL_ADMINISTRATOR),
}

DIGIT_KEYS: dict[int, str] = {key: str(value) for value in range(10) for key in _digit(value)}


def command_for(key: int) -> KeyCommand | None:
    return KEY_COMMANDS.get(key)


def digit_for(key: int) -> str | None:
    """The digit a key types on a code screen, or None."""
    return DIGIT_KEYS.get(key)


def move_focus(count: int, current: int | None, command: KeyCommand) -> int | None:
    """The index to focus after PREVIOUS/NEXT among ``count`` controls, wrapping round."""
    if count == 0:
        return None
    if current is None:
        return 0 if command is KeyCommand.NEXT else count - 1
    step = 1 if command is KeyCommand.NEXT else -1
    return (current + step) % count
