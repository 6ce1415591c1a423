"""Qt views, dialogs and models. Only this package (and app.py) imports Qt.

Importing the package first applies ``compat.make_singletons_immortal`` (a
work-around for the Qt binding; read ``compat`` before removing it).
"""

from etsysync_gui.ui.infra.compat import make_singletons_immortal

make_singletons_immortal()
