"""Qt views, dialogs and models. Only this package (and app.py) imports Qt."""
