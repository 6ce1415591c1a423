"""The main window: six views in tabs, menus with shortcuts, a status bar, the tray.

It builds the ``AppController`` (unless one is given, as tests do), lays out
the views, and owns the window's life: geometry and column widths are
remembered (``gui_settings``); closing keeps background sync running in the
tray when the seller chose that (asked once, remembered); quitting stops the
scheduler and joins every worker before the database closes.

In the demo (``demo=True``) a banner above the tabs says that the shop is
generated and nothing reaches Etsy, and offers the setup of a real shop.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QByteArray, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL

from etsysync_gui import APP_NAME, __version__
from etsysync_gui.bootstrap import AppContext
from etsysync_gui.db.urls import mask_url, sqlite_path
from etsysync_gui.queries.onboarding import CatalogStart, load_catalog_start
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.ui import dialogs
from etsysync_gui.ui.build_catalog_dialog import BuildCatalogDialog
from etsysync_gui.ui.catalog_view import CatalogView, choose_open_file
from etsysync_gui.ui.controller import AppController, Connection
from etsysync_gui.ui.dashboard_view import DashboardView
from etsysync_gui.ui.demo_banner import DemoBanner
from etsysync_gui.ui.help_menu import HelpMenu
from etsysync_gui.ui.infra.gc_policy import freeze_startup_objects
from etsysync_gui.ui.inventory_view import InventoryView
from etsysync_gui.ui.listings_view import ListingsView
from etsysync_gui.ui.log_view import LogView
from etsysync_gui.ui.needs_you_view import NeedsYouView
from etsysync_gui.ui.plain_errors import outcome_text
from etsysync_gui.ui.sales_view import SalesView
from etsysync_gui.ui.scheduler_panel import SchedulerPanel
from etsysync_gui.ui.settings_dialog import SettingsDialog
from etsysync_gui.ui.tray import Tray, app_icon
from etsysync_gui.ui.tray_choices import close_to_tray_choice, remember_close_to_tray
from etsysync_gui.ui.widgets import FastTableView, gui_settings, use_profile_settings
from etsysync_gui.ui.wizard import open_reconnect, run_setup_wizard


def database_words(url: URL) -> str:
    """The database as a seller says it: "SQLite file demo.db", "PostgreSQL on host"."""
    path = sqlite_path(url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {path.name}" if path is not None else "SQLite in memory"
    return f"PostgreSQL {url.database or ''} on {url.host or 'this computer'}"


class MainWindow(QMainWindow):
    def __init__(
        self,
        context: AppContext,
        *,
        controller: AppController | None = None,
        demo: bool = False,
    ) -> None:
        super().__init__()
        use_profile_settings(context.settings.profile.name)  # demo and shops kept apart
        self.controller = controller or AppController(context, parent=self)
        self.setWindowTitle(f"{APP_NAME} — {context.settings.profile.name}")
        self.setWindowIcon(app_icon())
        self.resize(1180, 760)
        self._quitting = False
        self._shut_down = False
        self.started = False
        self.ask_close_to_tray: Callable[[], bool] = self._ask_close_to_tray
        self.exit_application: Callable[[], None] = QApplication.quit
        c = self.controller
        self._build_views(c)
        self._lay_out(demo)
        self._connect_views()
        self.tray = Tray(c, self)
        self.tray.open_requested.connect(self.bring_to_front)
        self.tray.quit_requested.connect(self.quit)
        self.needs_you.count_changed.connect(self.tray.set_waiting)  # the red badge
        self._build_menus()
        self._build_status_bar(context)
        self._restore_geometry()

    def _build_views(self, c: AppController) -> None:
        """One view per tab, in the order the tabs show (Ctrl+1… follow it)."""
        self.dashboard = DashboardView(c)
        self.listings = ListingsView(c)
        self.inventory = InventoryView(c)
        self.catalog = CatalogView(c)
        self.log_view = LogView(c)
        self.sales = SalesView(c)
        self.scheduler_panel = SchedulerPanel(c)
        self.needs_you = NeedsYouView(c)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for widget, title in (
            (self.dashboard, "Dashboard"),
            (self.listings, "Listings"),
            (self.inventory, "Inventory"),
            (self.catalog, "Catalog"),
            (self.log_view, "Sync log"),
            (self.scheduler_panel, "Scheduler"),
            (self.sales, "Sales"),
            (self.needs_you, "Needs you"),
        ):
            self.tabs.addTab(widget, title)

    def _lay_out(self, demo: bool) -> None:
        """The tabs fill the window; the demo puts its banner above them."""
        self.demo_banner: DemoBanner | None = None
        if not demo:
            self.setCentralWidget(self.tabs)
            return
        self.demo_banner = DemoBanner()
        self.demo_banner.setup_requested.connect(self.set_up_own_shop)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.demo_banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

    def _connect_views(self) -> None:
        self.dashboard.reconnect_requested.connect(self.reconnect_to_etsy)
        self.dashboard.needs_you_requested.connect(
            lambda: self.tabs.setCurrentWidget(self.needs_you)
        )
        self.needs_you.count_changed.connect(self.dashboard.show_needs_you)
        self.needs_you.reconnect_requested.connect(self.reconnect_to_etsy)

    # --- lifecycle ------------------------------------------------------------------------

    def start(self, *, scheduler: bool = True) -> None:
        """Show the tray, check the connection, load the dashboard, start the scheduler."""
        self.started = True
        self.tray.show()
        self.controller.start(scheduler=scheduler)
        self.dashboard.reload()
        self.needs_you.reload()
        freeze_startup_objects()

    @property
    def shut_down(self) -> bool:
        return self._shut_down

    def shutdown(self) -> None:
        """Remember the window, stop the scheduler and join every worker (idempotent)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._save_geometry()
        self.tray.hide()
        self.controller.shutdown()

    @Slot()
    def quit(self) -> None:
        """Really quit (menu, tray): close even when the tray would keep running."""
        self._quitting = True
        hidden = not self.isVisible()
        self.close()
        if hidden:  # no visible window left to end the main loop by closing
            self.exit_application()

    @Slot()
    def bring_to_front(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._quitting and self._keep_running_in_tray():
            self._save_geometry()
            self.hide()
            event.ignore()
            self.tray.notify(APP_NAME, "Still syncing in the background from the tray.", False)
            return
        self.shutdown()
        event.accept()

    def _keep_running_in_tray(self) -> bool:
        """Hide to the tray only while background sync is on and a tray exists.

        The first close asks; the answer is remembered for this profile (the
        wizard and Settings can set it beforehand, and then nothing is asked).
        """
        if not self.tray.is_shown() or not self.controller.background_sync_on():
            return False
        choice = close_to_tray_choice()
        if choice is None:
            choice = self.ask_close_to_tray()
            remember_close_to_tray(choice)
        return choice

    def _ask_close_to_tray(self) -> bool:
        return dialogs.ask(
            self,
            "Keep syncing in the tray?",
            "Background sync is on. Keep EtsySync running in the tray so the scheduled syncs "
            "go on while the window is closed? Choose No to quit. (You can change this in "
            "Settings.)",
        )

    # --- menus and status bar -----------------------------------------------------------------

    def _action(self, menu_title: str, text: str, slot: Callable[[], object], keys: str) -> QAction:
        menu = self._menus.get(menu_title)
        if menu is None:
            menu = self.menuBar().addMenu(menu_title)
            self._menus[menu_title] = menu
        action = QAction(text, self)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        self._menus: dict[str, QMenu] = {}
        d = self.dashboard
        self._action("&File", "&Settings…", self.open_settings, "Ctrl+,")
        self._action("&File", "&Quit", self.quit, "Ctrl+Q")
        self._action("&Sync", "Sync &listings now", d.sync_listings, "Ctrl+L")
        self._action("&Sync", "Sync &inventory now…", d.sync_inventory, "Ctrl+I")
        self._action("&Sync", "Sync listings &and stock now", self.tray.sync_now, "Ctrl+Shift+S")
        self._action("&Sync", "&Cancel the running sync", d.cancel, "Ctrl+Shift+X")
        self._action("&Sync", "&Reconnect to Etsy…", self.reconnect_to_etsy, "")
        self._action("&Sync", "&Build your catalog…", self.open_build_catalog, "")
        self._action("&View", "&Refresh", self.refresh, "F5")
        self._action("&View", "&Find", self.focus_search, "Ctrl+F")
        for number in range(self.tabs.count()):
            title = self.tabs.tabText(number)
            go_to_tab = partial(self.tabs.setCurrentIndex, number)
            self._action("&View", title, go_to_tab, f"Ctrl+{number + 1}")
        self.help_menu = HelpMenu(self)

    def _build_status_bar(self, context: AppContext) -> None:
        bar = self.statusBar()
        database = self.controller.database
        self.connection_label = QLabel("Checking Etsy…")
        self.sync_label = QLabel("Idle")
        bar.addWidget(self.sync_label, 1)
        bar.addPermanentWidget(self.connection_label)
        where = QLabel(f"{context.settings.profile.name} · {database_words(database.url)}")
        where.setToolTip(mask_url(database.url))  # the technical address, one hover away
        bar.addPermanentWidget(where)
        bar.addPermanentWidget(QLabel(f"{APP_NAME} {__version__}"))
        c = self.controller
        c.connection_changed.connect(self._show_connection)
        c.runner.started.connect(
            lambda request: self.sync_label.setText(f"{request.title} running…")
        )
        c.runner.progress.connect(
            lambda phase, done, total: self.sync_label.setText(
                f"{phase.capitalize()}: {done:,} of {total:,}"
            )
        )
        c.runner.finished.connect(self._finished)
        c.notify.connect(lambda title, message, _error: bar.showMessage(f"{title}: {message}"))

    @Slot(object)
    def _show_connection(self, connection: Connection) -> None:
        words = {
            "connected": f"Etsy: {connection.shop_name}",
            "needs_user": "Etsy: reconnect needed",
            "not_configured": "Etsy: not set up",
            "checking": "Etsy: checking…",
        }
        self.connection_label.setText(words.get(connection.state, "Etsy unreachable"))
        self.connection_label.setToolTip(connection.message or "")

    @Slot(object)
    def _finished(self, outcome: SyncOutcome) -> None:
        text, detail = outcome_text(outcome)
        self.sync_label.setText(text)
        self.sync_label.setToolTip(detail or "")

    # --- commands -------------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.controller, self)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def reconnect_to_etsy(self) -> None:
        """The wizard's reconnect, except in the demo: its tokens live in memory and the
        wizard would store new ones in the keychain, so the demo only checks again."""
        if self.demo_banner is not None:
            self.controller.reconnect()
            return
        open_reconnect(self, self.controller)

    @Slot()
    def set_up_own_shop(self) -> None:
        """The demo banner's button: the setup wizard for the seller's own shop.

        The demo window stays as it is (its database, settings and fake Etsy are
        the demo's), so a connected shop opens on the next start.
        """
        outcome = run_setup_wizard(self)
        if outcome.connected:
            dialogs.tell(
                self,
                "Your shop is set up",
                f"Profile {outcome.profile or ''} is connected to Etsy. Quit the demo and start "
                "EtsySync again to open your shop.",
            )

    def open_build_catalog(self) -> BuildCatalogDialog:
        dialog = BuildCatalogDialog(self.controller, self, choose_file=choose_open_file)
        self.build_catalog_dialog = dialog
        dialog.open()
        return dialog

    def offer_catalog_start(self) -> None:
        """A real shop with nothing linked yet (just set up) opens on the Dashboard with
        "Build your catalog" on top, so the seller is never left at 0 linked listings."""
        if self.demo_banner is not None or self.controller.shop_id is None:
            return
        database, shop_id = self.controller.database, self.controller.shop_id

        def counted(start: CatalogStart) -> None:
            if start.linked_pools == 0 and not self._shut_down:
                self.tabs.setCurrentWidget(self.dashboard)
                self.open_build_catalog()

        self.controller.jobs.submit(
            lambda: load_catalog_start(database, shop_id), counted, context=self
        )

    def refresh(self) -> None:
        current = self.tabs.currentWidget()
        reload = getattr(current, "reload", None)
        if callable(reload):
            reload()

    def focus_search(self) -> None:
        search = getattr(self.tabs.currentWidget(), "search", None)
        if isinstance(search, QWidget):
            search.setFocus()

    def submit(self, request: SyncRequest) -> None:
        self.controller.runner.submit(request)

    # --- remembered geometry ------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        settings = gui_settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        tab = settings.value("window/tab")
        if tab is not None and str(tab).isdigit():
            self.tabs.setCurrentIndex(int(str(tab)))

    def _save_geometry(self) -> None:
        settings = gui_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/tab", self.tabs.currentIndex())
        for table in self.findChildren(FastTableView):
            table.save_state()
