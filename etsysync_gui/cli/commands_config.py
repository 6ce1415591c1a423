"""``etsysync config show|set``: the active profile, secrets never shown."""

from __future__ import annotations

import argparse

from etsysync_gui.config import ConfigStore, load_settings, masked_view


def show(args: argparse.Namespace) -> int:
    settings = load_settings(args.profile)
    print(f"Profile {settings.profile.name} ({settings.config_path})")
    rows = masked_view(settings)
    width = max(len(key) for key, _, _ in rows)
    for key, value, source in rows:
        print(f"  {key:<{width}}  {value}  [{source}]")
    return 0


def set_value(args: argparse.Namespace) -> int:
    settings = load_settings(args.profile)
    store = ConfigStore(settings.config_path)
    store.set_value(settings.profile.name, args.key, args.value)
    print(f"Set {args.key} in profile {settings.profile.name} ({settings.config_path}).")
    return 0
