"""The code of one lesson each, named after its notebook.

``notebooks/NN_slug.ipynb`` uses ``helpers/lessons/slug.py`` for the toys and steps that
only it needs; its exercise checks are ``helpers/checks/slug.py``, its widgets
``helpers/widgets/slug.py``, and its tests ``tests/test_slug.py``. The engine the lessons
build on (the network, costs, training...) lives at the top of ``helpers/``.
"""
