import sys

# Before anything imports NumPy: OpenBLAS reads this setting once, when it loads.
from .threads import quiet_blas_workers

quiet_blas_workers()

from .cli import main  # noqa: E402

sys.exit(main())
