"""Drive the kiosk app frame by frame in an offscreen window, without a main loop.

Used by the Kivy tests, the screenshot script and the start-up benchmark.  Call
:func:`prepare_offscreen` before anything imports Kivy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

OFFSCREEN_ENV = {
    "SDL_VIDEODRIVER": "offscreen",
    "KIVY_NO_ARGS": "1",
    "KIVY_NO_CONSOLELOG": "1",
    "KIVY_NO_FILELOG": "1",
    "KIVY_USE_DEFAULTCONFIG": "1",
    "KIVY_LOG_MODE": "PYTHON",  # leave sys.stdout and sys.stderr alone
}


def prepare_offscreen(kivy_home: str | None = None) -> None:
    """Environment for a windowless Kivy; must run before the first ``import kivy``."""
    os.environ.update(OFFSCREEN_ENV)
    os.environ.setdefault("KIVY_HOME", kivy_home or tempfile.mkdtemp(prefix="kivy-home-"))
    from kiosk.cli import prepare_kivy

    prepare_kivy(fullscreen=False)
    from kivy.config import Config

    Config.set("graphics", "maxfps", "0")  # frames as fast as the tests ask for them


class KioskDriver:
    """One running :class:`kiosk.app.KioskApp` in the (single, shared) Kivy window."""

    def __init__(self, app) -> None:
        self.app = app

    def start(self) -> KioskDriver:
        from kivy.base import EventLoop

        EventLoop.ensure_window()
        self.app._run_prepare()  # build, add to the window, dispatch on_start
        self.pump(2)
        return self

    def stop(self) -> None:
        from kivy.app import App
        from kivy.base import EventLoop
        from kivy.clock import Clock

        self.app.dispatch("on_stop")
        window = EventLoop.window
        if self.app.root is not None and self.app.root.parent is window:
            window.remove_widget(self.app.root)
        for event in Clock.get_events():
            event.cancel()
        App._running_app = None

    def pump(self, frames: int = 1, *, draw: bool = False) -> None:
        """Run frames: clock, input, kv rules, layout and textures; drawing only if asked.

        Skipping the GL drawing (llvmpipe at 1920×1080 costs tens of milliseconds
        a frame) keeps the tests fast; screenshots draw.
        """
        from kivy.base import EventLoop
        from kivy.clock import Clock
        from kivy.lang import Builder

        for _ in range(frames):
            if draw:
                EventLoop.idle()
                continue
            Clock.tick()
            EventLoop.dispatch_input()
            Builder.sync()
            Clock.tick_draw()
            Builder.sync()

    def wait_until(self, condition: Callable[[], object], timeout: float = 10.0,
                   what: str = "condition") -> None:
        """Run frames until ``condition()`` holds; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} did not happen within {timeout} s "
                                   f"(step {self.app.flow.step})")
            self.pump()
            time.sleep(0.005)  # let background threads run between frames
        self.pump()

    def touch(self, widget) -> None:
        """A real touch (down and up) in the middle of ``widget``."""
        from kivy.tests.common import UnitTestTouch

        self.pump()
        x, y = widget.to_window(widget.center_x, widget.center_y)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.pump()

    def key(self, keycode: int) -> None:
        from kivy.base import EventLoop

        EventLoop.window.dispatch("on_key_down", keycode, 0, "", [])
        EventLoop.window.dispatch("on_key_up", keycode, 0)
        self.pump()

    def screenshot(self, path: Path) -> Path:
        """An opaque PNG of the window at ``path``."""
        from kivy.base import EventLoop

        self.pump(2, draw=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Window.screenshot() numbers its files; write to a scratch name and move it.
        scratch = Path(tempfile.mkdtemp(prefix="kiosk-shot-")) / "shot.png"
        written = Path(EventLoop.window.screenshot(name=str(scratch)))
        shutil.move(written, path)
        shutil.rmtree(scratch.parent, ignore_errors=True)
        return path

    # --- finding controls -------------------------------------------------------------

    def control(self, widget_id: str):
        """A control by kv id, on the current screen or one of the bars."""
        app = self.app
        for owner in (app.current_screen, app.root):
            if widget_id in owner.ids:
                return owner.ids[widget_id].__self__  # the widget, not the kv weak proxy
        raise LookupError(f"no control {widget_id!r} on screen {app.screens.current!r}")

    def tile(self, situation_id: str):
        screen = self.app.screens.get_screen("situation")
        for tile in screen.ids.tiles.children:
            if tile.situation_id == situation_id:
                return tile
        raise LookupError(f"no tile for {situation_id!r}")
