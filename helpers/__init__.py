"""Shared, tested code for the Digits from Scratch notebooks.

One naming rule: notebook ``NN_slug.ipynb`` has its lesson code in ``lessons/slug.py``, its
exercise checks in ``checks/slug.py``, its widgets in ``widgets/slug.py`` and its tests in
``tests/test_slug.py``. The engine the lessons share sits at the top, one idea a module.

The engine (no notebook, widget or plotting code in here)
    data           MNIST as NumPy arrays: load_datasets(), one_hot, Dataset, small_digits
    mnist_files    the four MNIST files: fetched from mirrors, verified (SHA-256), cached, exported
    idx            the IDX file format MNIST comes in
    activations    sigmoid, ReLU, softmax, linear: fn(z) and backward(z, a, g)
    costs          quadratic and cross-entropy: fn and delta (BP1)
    network        Network: feedforward, backprop, SGD, evaluate (Nielsen's network.py)
    layers         Dense, Conv2D, MaxPool2D, Dropout, Activation, Flatten: forward and backward side by side; Sequential
    training       train(): the one mini-batch SGD loop for any model, and the model protocol it trains
    callbacks      what watches a training run: progress, live curves, early stopping, schedules
    optimizers     update rules (GradientStep, Adam) and learning-rate schedules
    validation     input checks with messages that say what to do
    saving         save/load a network or a model of layers as .npz (no pickle)
    files          files written whole or not at all: a temporary file, renamed when complete
    gradcheck      backprop checked against finite differences
    images         MNIST-style preprocessing of any picture, and changes to pictures (shift, turn, noise)
    image_files    picture files (photos, scans, drawings) read safely with Pillow
    reading        the honest reader: a digit, "not sure", "no digit" or "several digits", and why
    exporting      a saved network as a web page that reads digits offline (JS in page/), or as ONNX
    metrics        accuracy and the confusion matrix
    progress       progress displays as training callbacks, and the terminal's bar

For the notebooks
    plots          the colour-blind-safe palette, digits as pictures, style() for titles and labels
    source         show_source(): print a helper's real code; read a learner's code
    lessons/       one module per notebook: its toys, steps and pictures
    checks/        one module per notebook: exercise self-checks (shared machinery in checks/common/)
    widgets/       one module per notebook: sliders and buttons (figure and progress: shared)

The commands
    cli/           python -m helpers NAME (or digits NAME), NAME one of (--help says more):
                       data, train, predict, export, bench, lab, student_edition, report;
                   each one module, cli/NAME.py, that uses the engine and is used by nothing
                   (the report's machinery, one concern a module, is in cli/grading/)
"""

__version__ = "0.1.0"
