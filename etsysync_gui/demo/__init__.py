"""Demo mode: the app on a generated shop served by the in-process fake Etsy.

Why a package of its own: the demo is what a seller sees first (nothing is
configured yet), so it must be the real app, not a mock-up.  The fake Etsy
runs in this process on 127.0.0.1, the app connects to it through the same
OAuth code as a real shop, and every sync, review and link goes over real
HTTP.  Nothing here imports Qt; the banner and the first-run wiring live in
``ui/demo_banner.py`` and ``ui/demo_mode.py``.

* ``startup``: should this start open the demo, the real shop, or the wizard?
* ``settings``: the demo profile's files and its settings (overrides only;
  the user's config file is never written).
* ``connect``: the OAuth connection, with a scripted browser approving.
* ``purchases``: buyers buying on the fake shop now and then.
* ``shop``: all of it started and stopped together (``DemoShop``).
"""
