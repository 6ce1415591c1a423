"""The GUI's plumbing, apart from views and dialogs: workers, the sync runner, GC policy,
single-instance guard and PySide6 workarounds."""
