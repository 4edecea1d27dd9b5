"""Plotly figure builders (pure functions: data in, go.Figure out) and the numbers they
draw (inspect, plane, preview).

May import: nnlab.core, nnlab.data, nnlab.modelfile, nnlab.train, nnlab.experiments.
"""
