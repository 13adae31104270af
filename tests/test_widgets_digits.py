import numpy as np

from helpers.widgets.digits import digit_browser


def test_digit_browser_follows_the_dropdown_and_slider():
    images = np.random.default_rng(0).random((60, 784))
    labels = np.arange(60) % 10
    box = digit_browser(images, labels, count=3)
    dropdown, slider = box.children[0].children
    assert box.indices.tolist() == [0, 1, 2]
    dropdown.value = 7
    assert box.indices.tolist() == [7, 17, 27]
    slider.value = 3
    assert box.indices.tolist() == [37, 47, 57]
