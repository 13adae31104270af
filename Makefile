# Digits from Scratch: `make lab` opens the course, `make test` runs every test.
# Both create a local virtual environment in .venv with pip on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test data notebooks student clean help

help:
	@echo "make lab        open the course in JupyterLab, in your own copy student/ (installs on first use)"
	@echo "make test       run the unit tests and every notebook (nbval)"
	@echo "make data       fetch and verify MNIST into data/ (MNIST_MIRROR for a local copy)"
	@echo "make notebooks  re-execute every notebook in place, in order (for authors)"
	@echo "make student    write the student edition (solutions removed) to student/ (refuses to overwrite work)"

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -e .
	touch $(STAMP)

data: $(STAMP)
	$(BIN)/python -m helpers data

# Your own copy of the lessons (student/, exercises to do; never overwritten), then JupyterLab
# on notebook 01 of it (helpers/cli/lab.py says how). LAB_ARGS go to JupyterLab, e.g. --no-browser.
lab: $(STAMP)
	$(BIN)/python -m helpers data --quiet || true
	$(BIN)/python -m helpers lab $(LAB_ARGS)

# Two test processes on two cores: one BLAS thread each, or they fight over the cores
# (and the committed outputs are made the same way as they are tested).
test notebooks: export OPENBLAS_NUM_THREADS = 1
test notebooks: export OMP_NUM_THREADS = 1

# Data first, once, so the parallel workers find it cached; then unit tests and notebooks
# (-rs: say why a test was skipped, e.g. the browser test without Chromium or Playwright).
test: $(STAMP)
	$(BIN)/python -m helpers data --quiet
	$(BIN)/python -m pytest -n 2 --dist loadscope -rs $(PYTEST_ARGS)

notebooks: $(STAMP)
	$(BIN)/python -m helpers data --quiet
	for nb in notebooks/[0-9]*.ipynb; do \
	  $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=600 "$$nb" || exit 1; \
	done
	$(BIN)/python tools/widget_placeholders.py notebooks/[0-9]*.ipynb

# A copy of every notebook with the worked solutions taken out, for students.
student: $(STAMP)
	$(BIN)/python -m helpers student_edition student/

clean:
	rm -rf $(VENV) build *.egg-info
