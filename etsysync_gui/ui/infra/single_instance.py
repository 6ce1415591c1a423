"""One running EtsySync per user and profile.

A second launch must not start a second scheduler (two background syncs of
one shop would fight over the lease and double the API spend).  The first
instance listens on a QLocalServer named after the user and profile; a second
launch connects, sends "show", and exits; the first brings its window forward.

A stale socket left by a crash is detected (nobody answers) and removed.

The name also carries the data folder: two setups kept apart with
``ETSYSYNC_HOME`` (a portable install, a throwaway demo, parallel test runs)
have separate databases, so they do not stand in each other's way.
"""

from __future__ import annotations

import getpass
import hashlib

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from etsysync_gui.paths import user_data_dir

CONNECT_TIMEOUT_MS = 500
MESSAGE_SHOW = b"show\n"


def server_name(profile: str) -> str:
    """A per-user, per-data-folder, per-profile name (hashed: names have length and
    character limits)."""
    key = f"{getpass.getuser()}:{user_data_dir()}:{profile}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"etsysync-{digest}"


def hand_over_to_running_instance(profile: str) -> bool:
    """Ask a running instance to show itself; True if one answered (then exit)."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(profile))
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write(MESSAGE_SHOW)
    socket.flush()
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    socket.disconnectFromServer()
    socket.abort()
    return True


class SingleInstanceServer(QObject):
    """Listens for later launches; emits ``show_requested`` when one hands over."""

    show_requested = Signal()

    def __init__(self, profile: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._name = server_name(profile)
        self._sockets: set[QLocalSocket] = set()

    def listen(self) -> bool:
        """Start listening; removes a stale socket from a crashed instance first."""
        if self._server.listen(self._name):
            return True
        QLocalServer.removeServer(self._name)
        return self._server.listen(self._name)

    def close(self) -> None:
        self._server.close()
        for socket in list(self._sockets):
            socket.abort()
        self._sockets.clear()

    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._sockets.add(socket)
            socket.readyRead.connect(self._read_messages)
            socket.disconnected.connect(self._forget_closed)

    def _read_messages(self) -> None:
        for socket in list(self._sockets):
            if socket.bytesAvailable() and bytes(socket.readAll().data()).startswith(
                MESSAGE_SHOW.strip()
            ):
                self.show_requested.emit()

    def _forget_closed(self) -> None:
        for socket in list(self._sockets):
            if socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
                self._sockets.discard(socket)
                socket.deleteLater()
