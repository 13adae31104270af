"""Interactive widgets for the notebooks, one module per lesson.

Each widget is a thin layer: the work is done by a plain function in another module
(tested in ``tests/``), and the widget only calls it when a slider moves. So the
lesson can also call the function directly, e.g. where no browser is attached.
"""
