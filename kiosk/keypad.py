"""A USB numeric keypad alone drives the kiosk, guided by speech, as at a bank terminal.

    8 or ↑, 4 or ←   previous control        5 or Enter   press the focused control
    2 or ↓, 6 or →   next control            0 or +       repeat the screen
    - or Backspace   back                    * or /       start over
    .                call the administrator

The first key pressed switches speech on.  Key codes are Kivy's (SDL) codes, so
the same keys work with NumLock on (digits) and off (arrows).
"""

from __future__ import annotations

from enum import StrEnum


class KeyCommand(StrEnum):
    PREVIOUS = "previous"
    NEXT = "next"
    ACTIVATE = "activate"
    REPEAT = "repeat"
    BACK = "back"
    START_OVER = "start_over"
    HELP = "help"


_UP, _DOWN, _RIGHT, _LEFT = 273, 274, 275, 276
_ENTER, _KP_ENTER, _BACKSPACE = 13, 271, 8
_KP = {digit: 256 + digit for digit in range(10)}
_KP_DECIMAL, _KP_DIVIDE, _KP_MULTIPLY, _KP_MINUS, _KP_PLUS = 266, 267, 268, 269, 270


def _digit(value: int) -> tuple[int, int]:
    """The keypad key and the top-row key of one digit."""
    return _KP[value], ord(str(value))


KEY_COMMANDS: dict[int, KeyCommand] = {
    **dict.fromkeys((_UP, _LEFT, *_digit(8), *_digit(4)), KeyCommand.PREVIOUS),
    **dict.fromkeys((_DOWN, _RIGHT, *_digit(2), *_digit(6)), KeyCommand.NEXT),
    **dict.fromkeys((_ENTER, _KP_ENTER, *_digit(5)), KeyCommand.ACTIVATE),
    **dict.fromkeys((_KP_PLUS, ord("+"), *_digit(0)), KeyCommand.REPEAT),
    **dict.fromkeys((_KP_MINUS, ord("-"), _BACKSPACE), KeyCommand.BACK),
    **dict.fromkeys((_KP_MULTIPLY, ord("*"), _KP_DIVIDE, ord("/")), KeyCommand.START_OVER),
    **dict.fromkeys((_KP_DECIMAL, ord(".")), KeyCommand.HELP),
}


def command_for(key: int) -> KeyCommand | None:
    return KEY_COMMANDS.get(key)


def move_focus(count: int, current: int | None, command: KeyCommand) -> int | None:
    """The index to focus after PREVIOUS/NEXT among ``count`` controls, wrapping round."""
    if count == 0:
        return None
    if current is None:
        return 0 if command is KeyCommand.NEXT else count - 1
    step = 1 if command is KeyCommand.NEXT else -1
    return (current + step) % count
