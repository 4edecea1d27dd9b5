import sys

# nnlab/__init__.py has run before this line: the OpenBLAS setting is made (fast/openblas.py).
from nnlab.cli.main import main

sys.exit(main())
