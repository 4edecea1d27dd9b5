"""Datasets and file formats: the Dataset and load_dataset (datasets.py), IDX, CSV and
tabular files, the errors they raise, canvas preprocessing, the toy 2-D sets.

May import: nnlab.core.
"""
