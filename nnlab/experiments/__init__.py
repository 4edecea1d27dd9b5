"""Many runs and what is said about them: sweeps (joblib / Dask), a tab's run log,
presets, verdicts, benchmarks, time estimates, metrics, shared links, Kaggle.

May import: nnlab.core, nnlab.data, nnlab.modelfile, nnlab.train.
"""
