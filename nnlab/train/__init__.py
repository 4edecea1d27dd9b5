"""Training: the Trainer (a generator of records), the loop over an epoch's batches,
policies (schedules, early stopping, divergence), optimizers, engines, gradient
statistics; fast/ holds every speed trick, reached only through engines.py.

May import: nnlab.core, nnlab.data, nnlab.modelfile.
"""
