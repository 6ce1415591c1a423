#!/usr/bin/env bash
# Build the one-folder bundle into build/dist/EtsySync and run its self-check.
# Usage: bash packaging/build.sh   (uses .venv; installs PyInstaller into it)
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pip install --quiet "pyinstaller>=6.10,<7"
.venv/bin/pyinstaller --noconfirm --log-level WARN \
  --distpath build/dist --workpath build/work packaging/etsysync.spec
bundle=build/dist/EtsySync
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} "$bundle/etsysync-gui" --self-check
"$bundle/etsysync" --version
du -sh "$bundle"
