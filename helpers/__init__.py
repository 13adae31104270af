"""Shared, tested code for the Digits from Scratch notebooks.

One naming rule: notebook ``NN_slug.ipynb`` has its lesson code in ``lessons/slug.py``, its
exercise checks in ``checks/slug.py``, its widgets in ``widgets/slug.py`` and its tests in
``tests/test_slug.py``. The engine the lessons share sits at the top, one idea a module.

The engine (no notebook, widget or plotting code in here)
    data           MNIST: download from mirrors, verify, cache; load_datasets()
    idx            the IDX file format MNIST comes in
    activations    sigmoid, ReLU, softmax, linear: fn(z) and backward(z, a, g)
    costs          quadratic and cross-entropy: fn and delta (BP1)
    network        Network: feedforward, backprop, SGD, evaluate (Nielsen's network.py)
    training       train(): the one mini-batch SGD loop, for any model
    optimizers     update rules (GradientStep, Adam) and learning-rate schedules
    validation     input checks with messages that say what to do
    saving         save/load a network as .npz (no pickle)
    gradcheck      backprop checked against finite differences
    images         MNIST-style preprocessing of any picture, and changes to pictures (shift, turn, noise)
    metrics        accuracy and the confusion matrix
    progress       a terminal progress bar (a display the training loop is given)

For the notebooks
    plots          the colour-blind-safe palette, digits as pictures, style() for titles and labels
    source         show_source(): print a helper's real code; read a learner's code
    lessons/       one module per notebook: its toys, steps and pictures
    checks/        one module per notebook: exercise self-checks (shared machinery in checks/common/)
    widgets/       one module per notebook: sliders and buttons (figure and progress: shared)

Commands (python -m helpers.NAME --help)
    train          train a network on MNIST and save it
    predict        read digits from image files with a saved network
    bench          speed and memory of training, as JSON
    student_edition  the notebooks with the worked solutions taken out
    report         a teacher's progress report: each student's exercises, run in a fresh kernel
    lab            what `make lab` runs: the learner's own copy (student/), then JupyterLab on notebook 01
"""

__version__ = "0.1.0"
