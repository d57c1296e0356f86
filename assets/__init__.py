"""The product's shared files: catalogues (i18n/), fonts, pictograms and sounds.

A package of its own so that a built wheel carries them: the server, the kiosk and the
displays find them through ``ASSETS_DIR`` the same way in a checkout and in a virtual
environment on a kiosk or display PC.  The kiosk may import it (it is not the server).
"""

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
